package cni

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteConflist(t *testing.T) {
	tests := []struct {
		name    string
		net     Network
		wantMTU float64
		wantErr bool
	}{
		{name: "vxlan", net: Network{Subnet: netip.MustParsePrefix("10.42.1.0/24"),
			ClusterCIDR: netip.MustParsePrefix("10.42.0.0/16"), MTU: 1450}, wantMTU: 1450},
		{name: "default mtu", net: Network{Subnet: netip.MustParsePrefix("10.42.2.0/24")}},
		{name: "no subnet", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			err := WriteConflist(dir, tt.net)
			if (err != nil) != tt.wantErr {
				t.Fatalf("WriteConflist() error = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			data, err := os.ReadFile(filepath.Join(dir, ConflistName))
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Plugins []map[string]any `json:"plugins"`
			}
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			bridge := got.Plugins[0]
			if bridge["type"] != "bridge" || got.Plugins[1]["type"] != "portmap" {
				t.Fatalf("plugins = %v, want bridge then portmap", got.Plugins)
			}
			mtu, _ := bridge["mtu"].(float64)
			if mtu != tt.wantMTU {
				t.Errorf("mtu = %v, want %v", mtu, tt.wantMTU)
			}
			ranges := bridge["ipam"].(map[string]any)["ranges"].([]any)
			subnet := ranges[0].([]any)[0].(map[string]any)["subnet"]
			if subnet != tt.net.Subnet.String() {
				t.Errorf("subnet = %v, want %v", subnet, tt.net.Subnet)
			}
		})
	}
}
