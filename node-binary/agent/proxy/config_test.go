package proxy

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name, wantMode string
		s              Settings
	}{
		{name: "default mode", wantMode: "iptables", s: Settings{Kubeconfig: "/k",
			NodeName: "n1", ClusterCIDR: netip.MustParsePrefix("10.42.0.0/16")}},
		{name: "nftables", wantMode: "nftables", s: Settings{Kubeconfig: "/k", NodeName: "n1",
			ClusterCIDR: netip.MustParsePrefix("10.42.0.0/16"), Mode: "nftables"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Render(tt.s)
			if err != nil {
				t.Fatalf("Render() error = %v", err)
			}
			var got struct {
				Mode             string `json:"mode"`
				HostnameOverride string `json:"hostnameOverride"`
				ClusterCIDR      string `json:"clusterCIDR"`
				Conntrack        struct {
					MaxPerCore *int32 `json:"maxPerCore"`
				} `json:"conntrack"`
			}
			if err := yaml.Unmarshal(data, &got); err != nil {
				t.Fatalf("rendered config does not parse: %v\n%s", err, data)
			}
			if got.Mode != tt.wantMode || got.HostnameOverride != "n1" ||
				got.ClusterCIDR != "10.42.0.0/16" {
				t.Errorf("Render() = %s", data)
			}
			if got.Conntrack.MaxPerCore == nil || *got.Conntrack.MaxPerCore != 0 {
				t.Errorf("conntrack maxPerCore is not 0: %s", data)
			}
			if !strings.Contains(string(data), "kind: KubeProxyConfiguration") {
				t.Errorf("Render() lacks the kind: %s", data)
			}
		})
	}
}

func TestRenderedConfigLoads(t *testing.T) {
	for _, mode := range []string{"iptables", "nftables"} {
		t.Run(mode, func(t *testing.T) {
			data, err := Render(Settings{Kubeconfig: "/k", NodeName: "n1",
				ClusterCIDR: netip.MustParsePrefix("10.42.0.0/16"), Mode: mode})
			if err != nil {
				t.Fatalf("Render() error = %v", err)
			}
			path := filepath.Join(t.TempDir(), "kube-proxy.yaml")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := load(path); err != nil {
				t.Errorf("kube-proxy refuses the %s configuration: %v\n%s", mode, err, data)
			}
		})
	}
}
