package provision

import (
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

func testCluster(ds lcv1.DatastoreType) *lcv1.LightCluster {
	c := &lcv1.LightCluster{}
	c.Name = "demo"
	c.Spec.Version = "v1.37.2"
	c.Spec.Datastore.Type = ds
	c.Spec.Network = lcv1.Network{ClusterCIDR: "10.42.0.0/16,fd42::/56",
		ServiceCIDR: "10.43.0.0/16,fd43::/112", ClusterDNS: "10.43.0.10",
		ClusterDomain: "cluster.local", FlannelBackend: lcv1.FlannelVXLAN}
	c.Spec.TLSSANs = []lcv1.SAN{"api.example.com"}
	return c
}

func testNode(role lcv1.NodeRole) *lcv1.LightNode {
	n := &lcv1.LightNode{}
	n.Name = "n1"
	n.Spec.Role = role
	n.Spec.SSH.Address = "192.0.2.10"
	n.Spec.NodeIP = "192.0.2.10"
	n.Spec.Labels = map[string]string{"zone": "a", "disk": "ssd"}
	n.Spec.Taints = []lcv1.Taint{{Key: "dedicated", Value: "db", Effect: "NoSchedule"},
		{Key: "gpu", Effect: "NoExecute"}}
	return n
}

func TestRenderConfig(t *testing.T) {
	base := func(role lcv1.NodeRole, ds lcv1.DatastoreType, initial bool) ConfigInput {
		return ConfigInput{Cluster: testCluster(ds), Node: testNode(role), NodeName: "n1",
			Initial: initial, ServerURL: "https://192.0.2.1:6443",
			ServerToken: "K10h::server:s", AgentToken: "K10h::node:a",
			DatastoreEndpoint: "postgres://u:p@db/k8s"}
	}
	node := map[string]any{
		"data-dir": "/var/lib/lightnode", "node-name": "n1", "node-ip": []any{"192.0.2.10"},
		"node-label": []any{"disk=ssd", "zone=a"},
		"node-taint": []any{"dedicated=db:NoSchedule", "gpu:NoExecute"},
	}
	server := map[string]any{
		"agent-token": "K10h::node:a", "token": "K10h::server:s",
		"tls-san":      []any{"192.0.2.10", "api.example.com"},
		"cluster-cidr": []any{"10.42.0.0/16", "fd42::/56"},
		"service-cidr": []any{"10.43.0.0/16", "fd43::/112"},
		"cluster-dns":  []any{"10.43.0.10"}, "cluster-domain": "cluster.local",
		"flannel-backend": "vxlan",
	}
	with := func(maps ...map[string]any) map[string]any {
		out := map[string]any{}
		for _, m := range maps {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	joinURL := map[string]any{"server": "https://192.0.2.1:6443"}

	tests := []struct {
		name string
		in   ConfigInput
		want map[string]any
	}{
		{name: "initial sqlite server", in: base(lcv1.RoleServer, lcv1.DatastoreSQLite, true),
			want: with(node, server)},
		{name: "initial etcd server", in: base(lcv1.RoleServer, lcv1.DatastoreEtcd, true),
			want: with(node, server, map[string]any{"cluster-init": true})},
		{name: "joining etcd server", in: base(lcv1.RoleServer, lcv1.DatastoreEtcd, false),
			want: with(node, server, joinURL)},
		{name: "external datastore server",
			in: base(lcv1.RoleServer, lcv1.DatastoreExternal, true),
			want: with(node, server,
				map[string]any{"datastore-endpoint": "postgres://u:p@db/k8s"})},
		{name: "agent holds agent keys only",
			in:   base(lcv1.RoleAgent, lcv1.DatastoreEtcd, false),
			want: with(node, joinURL, map[string]any{"token": "K10h::node:a"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := RenderConfig(tt.in)
			if err != nil {
				t.Fatalf("RenderConfig() error = %v", err)
			}
			var got map[string]any
			if err := yaml.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("RenderConfig() =\n%s\nwant keys %v", data, tt.want)
			}
		})
	}
}

func TestNodeName(t *testing.T) {
	tests := []struct {
		name, specName, hostname, want string
	}{
		{name: "spec wins", specName: "worker-1", hostname: "Host-A", want: "worker-1"},
		{name: "lower-cased hostname", hostname: "Host-A.Example", want: "host-a.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := &lcv1.LightNode{}
			n.Spec.NodeName = tt.specName
			if got := NodeName(n, tt.hostname); got != tt.want {
				t.Errorf("NodeName() = %q, want %q", got, tt.want)
			}
		})
	}
}
