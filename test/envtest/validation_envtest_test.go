//go:build envtest

package envtest

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

const clusterBase = `
apiVersion: lightcluster.dev/v1alpha1
kind: LightCluster
metadata: {namespace: default}
spec:
  version: v1.37.2
`

const nodeBase = `
apiVersion: lightcluster.dev/v1alpha1
kind: LightNode
metadata: {namespace: default}
spec:
  clusterName: demo
  role: agent
  ssh:
    address: 192.0.2.21
    privateKeySecretRef: {name: demo-ssh-key}
`

var nameSeq atomic.Int32

// object parses a manifest and gives it a unique name.
func object(t *testing.T, manifest string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
		t.Fatalf("parse manifest: %v\n%s", err, manifest)
	}
	u.SetName(fmt.Sprintf("%s-%d", strings.ToLower(u.GetKind()), nameSeq.Add(1)))
	return u
}

// withSpec merges a YAML fragment into the spec of a base manifest.
func withSpec(t *testing.T, base, fragment string) *unstructured.Unstructured {
	t.Helper()
	u := object(t, base)
	patch := map[string]any{}
	if err := yaml.Unmarshal([]byte(fragment), &patch); err != nil {
		t.Fatalf("parse fragment: %v", err)
	}
	spec, _ := u.Object["spec"].(map[string]any)
	merge(spec, patch)
	return u
}

// merge copies src into dst, descending into maps that both hold.
func merge(dst, src map[string]any) {
	for k, v := range src {
		sub, isMap := v.(map[string]any)
		if old, ok := dst[k].(map[string]any); ok && isMap {
			merge(old, sub)
			continue
		}
		dst[k] = v
	}
}

func TestInvalidObjectsAreRefused(t *testing.T) {
	cases := []struct {
		name     string
		base     string
		fragment string
		want     string
	}{
		{"version without v", clusterBase, `version: "1.37.2"`, "spec.version"},
		{"malformed cluster CIDR", clusterBase, `network: {clusterCIDR: 10.42.0.0/99}`,
			"clusterCIDR must be a CIDR"},
		{"three cluster CIDRs", clusterBase,
			`network: {clusterCIDR: "10.42.0.0/16,fd42::/56,10.44.0.0/16"}`, "at most two CIDRs"},
		{"two IPv4 cluster CIDRs", clusterBase,
			`network: {clusterCIDR: "10.42.0.0/16,10.44.0.0/16"}`, "must be of different IP families"},
		{"mixed families", clusterBase,
			`network: {serviceCIDR: "fd43::/112", clusterDNS: "fd43::a"}`,
			"clusterCIDR and serviceCIDR must have the same IP families"},
		{"dual-stack in another order", clusterBase,
			`network: {clusterCIDR: "10.42.0.0/16,fd42::/56", serviceCIDR: "fd43::/112,10.43.0.0/16"}`,
			"same IP families in the same order"},
		{"DNS outside service range", clusterBase, `network: {clusterDNS: 10.44.0.10}`,
			"clusterDNS must be an address inside serviceCIDR"},
		{"DNS not an address", clusterBase, `network: {clusterDNS: dns.local}`,
			"clusterDNS must be an IP address"},
		{"upper-case cluster domain", clusterBase, `network: {clusterDomain: Cluster.Local}`,
			"spec.network.clusterDomain"},
		{"unknown flannel backend", clusterBase, `network: {flannelBackend: calico}`,
			`Unsupported value: "calico"`},
		{"unknown datastore", clusterBase, `datastore: {type: mongodb}`,
			`Unsupported value: "mongodb"`},
		{"external datastore without Secret", clusterBase, `datastore: {type: external}`,
			"datastore.external is required when datastore.type is external"},
		{"sqlite with external Secret", clusterBase,
			`datastore: {type: sqlite, external: {endpointSecretRef: {name: db, key: dsn}}}`,
			"must be omitted otherwise"},
		{"underscore in TLS SAN", clusterBase, `tlsSANs: [api_server.example.com]`,
			"must be an IP address or a lower-case DNS name"},
		{"endpoint port 0", clusterBase, `controlPlaneEndpoint: {host: 192.0.2.1, port: 0}`,
			"should be greater than or equal to 1"},

		{"host bits in cluster CIDR", clusterBase, `network: {clusterCIDR: 10.42.0.1/16}`,
			"clusterCIDR must be a network address without host bits"},
		{"host bits in service CIDR", clusterBase,
			`network: {serviceCIDR: 10.43.0.1/16, clusterDNS: 10.43.0.10}`,
			"serviceCIDR must be a network address without host bits"},
		{"pod and service ranges overlap", clusterBase, `network: {clusterCIDR: 10.43.0.0/16}`,
			"clusterCIDR and serviceCIDR must not overlap"},
		{"whole address space", clusterBase,
			`network: {clusterCIDR: 0.0.0.0/0, serviceCIDR: 0.0.0.0/0, clusterDNS: 10.0.0.10}`,
			"must not overlap"},
		{"cluster CIDR smaller than a node range", clusterBase,
			`network: {clusterCIDR: 10.42.0.0/28}`, "at most /24 for IPv4"},
		{"space after the comma", clusterBase,
			`network: {clusterCIDR: "10.42.0.0/16, fd42::/56"}`, "must not contain spaces"},
		{"DNS on the network address", clusterBase, `network: {clusterDNS: 10.43.0.0}`,
			"clusterDNS must not be the network address"},
		{"version without patch", clusterBase, `version: v1.37`,
			"version must be a Kubernetes release such as v1.37.2"},
		{"version with leading zeros", clusterBase, `version: v01.037.2`,
			"version must be a Kubernetes release"},
		{"address out of range as SAN", clusterBase, `tlsSANs: [10.0.0.256]`,
			"must be an IP address or a lower-case DNS name"},
		{"label longer than 63 in SAN", clusterBase,
			"tlsSANs: [" + strings.Repeat("a", 64) + ".example.com]",
			"must be an IP address or a lower-case DNS name"},
		{"digits-only SSH address", nodeBase, `ssh: {address: 192.168.1.010}`,
			"must be an IP address or a lower-case DNS name"},
		{"host key in known_hosts form", nodeBase,
			`ssh: {hostKey: "10.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG"}`,
			"hostKey must be one public key in authorized_keys format"},
		{"truncated host key", nodeBase, `ssh: {hostKey: "ssh-rsa A"}`,
			"hostKey must be one public key"},
		{"label key with spaces", nodeBase, `labels: {"bad key!": v}`,
			"labels keys must be qualified names"},
		{"label value too long", nodeBase,
			"labels: {zone: " + strings.Repeat("a", 64) + "}",
			"labels values must be at most 63 characters"},
		{"data dir is root", nodeBase, `dataDir: /`, "must be an absolute path other than /"},
		{"data dir climbs out", nodeBase, `dataDir: /var/lib/../../etc`, "without '..'"},
		{"upper-case cluster name", nodeBase, `clusterName: Demo`, "spec.clusterName"},
		{"underscore in node name", nodeBase, `nodeName: node_1`, "spec.nodeName"},
		{"upper-case node name", nodeBase, `nodeName: Node-1`, "spec.nodeName"},
		{"SSH port 0", nodeBase, `ssh: {port: 0}`, "should be greater than or equal to 1"},
		{"SSH port 65536", nodeBase, `ssh: {port: 65536}`, "should be less than or equal to 65535"},
		{"unknown role", nodeBase, `role: master`, `Unsupported value: "master"`},
		{"non-root user without sudo", nodeBase, `ssh: {user: admin}`,
			"ssh.sudo is required when ssh.user is not root"},
		{"node IP out of range", nodeBase, `nodeIP: 300.1.1.1`, "nodeIP must be an IP address"},
		{"host key not in authorized_keys format", nodeBase, `ssh: {hostKey: "AAAA not a key"}`,
			"spec.ssh.hostKey"},
		{"address with spaces", nodeBase, `ssh: {address: "my host"}`,
			"must be an IP address or a lower-case DNS name"},
		{"unknown taint effect", nodeBase, `taints: [{key: dedicated, effect: Sometimes}]`,
			`Unsupported value: "Sometimes"`},
		{"relative data dir", nodeBase, `dataDir: var/lib/lightnode`, "spec.dataDir"},
		{"missing key Secret", nodeBase, `ssh: {privateKeySecretRef: null}`,
			"spec.ssh.privateKeySecretRef: Required value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := withSpec(t, tc.base, tc.fragment)
			err := env.client.Create(context.Background(), obj)
			if err == nil {
				_ = env.client.Delete(context.Background(), obj)
				t.Fatalf("created; want refusal containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("refused with %q; want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestImmutableFields(t *testing.T) {
	cases := []struct {
		name   string
		base   string
		create string
		update string
		want   string
	}{
		{"role", nodeBase, `role: server`, `role: agent`, "role is immutable"},
		{"cluster name", nodeBase, `clusterName: demo`, `clusterName: other`,
			"clusterName is immutable"},
		{"datastore type", clusterBase, `datastore: {type: sqlite}`, `datastore: {type: etcd}`,
			"datastore.type is immutable"},
		{"node name", nodeBase, `nodeName: edge-1`, `nodeName: edge-2`, "nodeName is immutable"},
		{"node name removed", nodeBase, `nodeName: edge-1`, `{}`,
			"nodeName cannot be removed once set"},
		{"cluster CIDR", clusterBase, `network: {clusterCIDR: 10.42.0.0/16}`,
			`network: {clusterCIDR: 10.52.0.0/16}`, "clusterCIDR is immutable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			obj := withSpec(t, tc.base, tc.create)
			if err := env.client.Create(ctx, obj); err != nil {
				t.Fatalf("create: %v", err)
			}
			t.Cleanup(func() { _ = env.client.Delete(ctx, obj) })

			changed := withSpec(t, tc.base, tc.update)
			changed.SetName(obj.GetName())
			changed.SetResourceVersion(obj.GetResourceVersion())
			err := env.client.Update(ctx, changed)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("update returned %v; want refusal containing %q", err, tc.want)
			}
		})
	}
}

func TestValidObjectsGetDefaults(t *testing.T) {
	cases := []struct {
		name     string
		base     string
		fragment string
		want     map[string]any
	}{
		{"minimal cluster", clusterBase, `{}`, map[string]any{
			"spec.datastore.type":         "sqlite",
			"spec.network.clusterCIDR":    "10.42.0.0/16",
			"spec.network.serviceCIDR":    "10.43.0.0/16",
			"spec.network.clusterDNS":     "10.43.0.10",
			"spec.network.clusterDomain":  "cluster.local",
			"spec.network.flannelBackend": "vxlan",
		}},
		{"dual-stack etcd cluster", clusterBase, `
datastore: {type: etcd}
network: {clusterCIDR: "10.42.0.0/16,fd42::/56", serviceCIDR: "10.43.0.0/16,fd43::/112"}
controlPlaneEndpoint: {host: api.example.com}
tlsSANs: [192.0.2.10, api.example.com]`, map[string]any{
			"spec.datastore.type":            "etcd",
			"spec.controlPlaneEndpoint.port": int64(6443),
			"spec.network.clusterDNS":        "10.43.0.10",
		}},
		{"external datastore", clusterBase,
			`datastore: {type: external, external: {endpointSecretRef: {name: db, key: dsn}}}`,
			map[string]any{"spec.datastore.external.endpointSecretRef.key": "dsn"}},
		{"minimal node", nodeBase, `{}`, map[string]any{
			"spec.ssh.port":                    int64(22),
			"spec.ssh.user":                    "root",
			"spec.ssh.privateKeySecretRef.key": "ssh-privatekey",
			"spec.dataDir":                     "/var/lib/lightnode",
			"spec.installDir":                  "/usr/local/bin",
		}},
		{"pasted host key with newline", nodeBase,
			"ssh: {hostKey: \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGr6 root@edge-1\\n\"}",
			map[string]any{"spec.ssh.port": int64(22)}},
		{"wildcard SAN", clusterBase, `tlsSANs: ["*.example.com", 192.0.2.10]`,
			map[string]any{"spec.datastore.type": "sqlite"}},
		{"sudo user with password", nodeBase, `
ssh: {user: lcuser, sudo: {passwordSecretRef: {name: sudo, key: password}}}
nodeName: edge-1.example.com
taints: [{key: example.com/gpu, value: "true", effect: NoSchedule}]`, map[string]any{
			"spec.ssh.user": "lcuser",
			"spec.nodeName": "edge-1.example.com",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			obj := withSpec(t, tc.base, tc.fragment)
			if err := env.client.Create(ctx, obj); err != nil {
				t.Fatalf("create: %v", err)
			}
			t.Cleanup(func() { _ = env.client.Delete(ctx, obj) })
			for path, want := range tc.want {
				got, found, err := unstructured.NestedFieldNoCopy(obj.Object, strings.Split(path, ".")...)
				if err != nil || !found || got != want {
					t.Errorf("%s = %v (found %v, err %v); want %v", path, got, found, err, want)
				}
			}
		})
	}
}

func TestSamplesApplyAndPrint(t *testing.T) {
	t.Cleanup(func() { _, _ = kubectl("delete", "-k", repoPath("config/samples"), "--wait=false") })
	if out, err := kubectl("apply", "-k", repoPath("config/samples")); err != nil {
		t.Fatalf("kubectl apply -k config/samples: %v\n%s", err, out)
	}

	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"get", "lc", "demo"}, []string{"NAME", "VERSION", "DATASTORE", "SERVERS",
			"AGENTS", "PHASE", "AGE", "demo", "v1.37.2", "sqlite"}},
		{[]string{"get", "lc", "demo", "-o", "wide"}, []string{"ENDPOINT", "PAUSED"}},
		{[]string{"get", "ln", "demo-server-1", "demo-agent-1", "demo-agent-2"},
			[]string{"CLUSTER", "ROLE", "ADDRESS", "NODE", "PHASE", "demo-server-1", "server",
				"192.0.2.11", "demo-agent-2", "agent", "192.0.2.22"}},
		{[]string{"get", "ln", "-o", "wide"}, []string{"VERSION", "ARCH", "OS", "NODE-IP"}},
		{[]string{"get", "lc,ln"}, []string{"lightcluster.lightcluster.dev/demo",
			"lightnode.lightcluster.dev/demo-agent-1"}},
		{[]string{"get", "lightcluster", "demo"}, []string{"demo", "v1.37.2"}},
		{[]string{"get", "lightcluster-all", "-o", "name"}, []string{
			"lightcluster.lightcluster.dev/demo", "lightnode.lightcluster.dev/demo-server-1"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, err := kubectl(tc.args...)
			if err != nil {
				t.Fatalf("kubectl: %v\n%s", err, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
