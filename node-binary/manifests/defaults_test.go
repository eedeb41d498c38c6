package manifests

import (
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/lightcluster/lightcluster/node-binary/config"
)

// renderCoreDNS renders the defaults with s, checks that coredns.yaml is the only one
// and lightnode's, and returns it with its objects by kind.
func renderCoreDNS(t *testing.T, s Settings) (string, map[string]*unstructured.Unstructured) {
	t.Helper()
	defaults, err := Defaults(s)
	if err != nil {
		t.Fatalf("Defaults: %v", err)
	}
	if len(defaults) != 1 || defaults[0].Component != "coredns" ||
		defaults[0].File != "coredns.yaml" {
		t.Fatalf("defaults %+v, want coredns.yaml only", defaults)
	}
	if !Owned(defaults[0].Data) {
		t.Errorf("coredns.yaml does not start with the marker line")
	}
	objs, err := Parse(defaults[0].Data)
	if err != nil {
		t.Fatalf("parse rendered coredns.yaml: %v\n%s", err, defaults[0].Data)
	}
	kinds := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		kinds[o.GetKind()] = o
	}
	return string(defaults[0].Data), kinds
}

// nested returns the field at path as text: a string as it is, a list of strings
// joined by spaces, anything else as fmt prints it.
func nested(t *testing.T, o *unstructured.Unstructured, path ...string) string {
	t.Helper()
	v, _, err := unstructured.NestedFieldNoCopy(o.Object, path...)
	if err != nil {
		t.Fatal(err)
	}
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, fmt.Sprint(e))
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprint(v)
}

func TestCoreDNSManifest(t *testing.T) {
	v4 := netip.MustParseAddr("10.43.0.10")
	v6 := netip.MustParseAddr("fd00:43::a")
	tests := []struct {
		name         string
		settings     Settings
		wantIPs      string
		wantPolicy   string
		wantCorefile []string
		notCorefile  []string
	}{
		{"no upstream", Settings{ClusterDNS: []netip.Addr{v4}, ClusterDomain: "cluster.local"},
			"10.43.0.10", "SingleStack",
			[]string{"cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {",
				"kubernetes cluster.local in-addr.arpa ip6.arpa {", "ready", "health", "loop"},
			[]string{"forward", "fallthrough", ".:53"}},
		{"upstreams and another domain", Settings{ClusterDNS: []netip.Addr{v4},
			ClusterDomain: "edge.example", DNSUpstreams: []string{"192.0.2.53", "/etc/resolv.conf"}},
			"10.43.0.10", "SingleStack",
			[]string{".:53 {", "kubernetes edge.example in-addr.arpa ip6.arpa {",
				"fallthrough in-addr.arpa ip6.arpa", "forward . 192.0.2.53 /etc/resolv.conf"},
			[]string{"cluster.local"}},
		{"dual stack", Settings{ClusterDNS: []netip.Addr{v4, v6}, ClusterDomain: "cluster.local"},
			"10.43.0.10 fd00:43::a", "RequireDualStack", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, kinds := renderCoreDNS(t, tt.settings)
			for _, kind := range []string{"ServiceAccount", "ClusterRole", "ClusterRoleBinding",
				"ConfigMap", "Deployment", "Service"} {
				if kinds[kind] == nil {
					t.Fatalf("no %s in coredns.yaml", kind)
				}
			}
			svc := kinds["Service"]
			if svc.GetName() != "kube-dns" || svc.GetNamespace() != "kube-system" ||
				svc.GetLabels()["k8s-app"] != "kube-dns" {
				t.Errorf("Service %s/%s labels %v, want kube-system/kube-dns k8s-app=kube-dns",
					svc.GetNamespace(), svc.GetName(), svc.GetLabels())
			}
			if got := nested(t, svc, "spec", "clusterIPs"); got != tt.wantIPs {
				t.Errorf("clusterIPs %q, want %q", got, tt.wantIPs)
			}
			if got := nested(t, svc, "spec", "ipFamilyPolicy"); got != tt.wantPolicy {
				t.Errorf("ipFamilyPolicy %q, want %q", got, tt.wantPolicy)
			}
			corefile := nested(t, kinds["ConfigMap"], "data", "Corefile")
			for _, want := range tt.wantCorefile {
				if !strings.Contains(corefile, want) {
					t.Errorf("Corefile lacks %q:\n%s", want, corefile)
				}
			}
			for _, not := range tt.notCorefile {
				if strings.Contains(corefile, not) {
					t.Errorf("Corefile has %q:\n%s", not, corefile)
				}
			}
		})
	}
}

func TestCoreDNSDeploymentRunsTheBundledImage(t *testing.T) {
	_, kinds := renderCoreDNS(t, Settings{ClusterDNS: []netip.Addr{
		netip.MustParseAddr("10.43.0.10")}, ClusterDomain: "cluster.local"})
	containers, _, _ := unstructured.NestedSlice(kinds["Deployment"].Object,
		"spec", "template", "spec", "containers")
	if len(containers) != 1 {
		t.Fatalf("containers %v, want one", containers)
	}
	c := containers[0].(map[string]any)
	if c["image"] != CoreDNSImage || c["imagePullPolicy"] != "Never" {
		t.Errorf("image %v pull policy %v, want %s never pulled", c["image"],
			c["imagePullPolicy"], CoreDNSImage)
	}
	tolerations := nested(t, kinds["Deployment"], "spec", "template", "spec", "tolerations")
	if !strings.Contains(tolerations, "node-role.kubernetes.io/control-plane") {
		t.Errorf("tolerations %s lack the control-plane taint", tolerations)
	}
}

// TestCoreDNSImageMatchesItsModule checks the image tag against the CoreDNS version
// that hack/coredns builds, which hack/build-bundle.sh tags the image with.
func TestCoreDNSImageMatchesItsModule(t *testing.T) {
	gomod, err := os.ReadFile("../../hack/coredns/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?github\.com/coredns/coredns v(\S+)`).
		FindSubmatch(gomod)
	if m == nil {
		t.Fatalf("no github.com/coredns/coredns requirement in hack/coredns/go.mod")
	}
	if want := "lightcluster.dev/coredns:" + string(m[1]); CoreDNSImage != want {
		t.Errorf("CoreDNSImage = %s, want %s after hack/coredns/go.mod", CoreDNSImage, want)
	}
}

func TestDefaultsRefuseBadSettings(t *testing.T) {
	dns := []netip.Addr{netip.MustParseAddr("10.43.0.10")}
	tests := []struct {
		name string
		s    Settings
		want string
	}{
		{"no DNS address", Settings{ClusterDomain: "cluster.local"}, "no cluster DNS"},
		{"two IPv4 addresses", Settings{ClusterDNS: []netip.Addr{dns[0], dns[0]},
			ClusterDomain: "cluster.local"}, "one per IP family"},
		{"bad domain", Settings{ClusterDNS: dns, ClusterDomain: "Cluster Local"}, "DNS name"},
		{"upstream that would break the Corefile", Settings{ClusterDNS: dns,
			ClusterDomain: "cluster.local", DNSUpstreams: []string{"1.1.1.1 }\nlog"}},
			"DNS upstream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Defaults(tt.s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Defaults error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestComponentsAreKnownToDisable checks that --disable accepts every component that
// has a default manifest.
func TestComponentsAreKnownToDisable(t *testing.T) {
	for _, c := range Components() {
		if !slices.Contains(config.Components, c) {
			t.Errorf("component %s has a default manifest but --disable does not know it", c)
		}
	}
}
