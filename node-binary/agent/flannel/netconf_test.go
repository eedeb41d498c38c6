package flannel

import (
	"encoding/json"
	"net/netip"
	"testing"
)

func TestNetConf(t *testing.T) {
	cidr := netip.MustParsePrefix("10.42.0.0/16")
	tests := []struct {
		name, backend, wantType string
		cidr                    netip.Prefix
		nftables                bool
		wantErr                 bool
	}{
		{name: "default", cidr: cidr, wantType: "vxlan"},
		{name: "vxlan", backend: BackendVXLAN, cidr: cidr, wantType: "vxlan"},
		{name: "host-gw", backend: BackendHostGW, cidr: cidr, wantType: "host-gw"},
		{name: "wireguard", backend: BackendWireGuard, cidr: cidr, wantType: "wireguard"},
		{name: "nftables", cidr: cidr, nftables: true, wantType: "vxlan"},
		{name: "unknown", backend: "udp", cidr: cidr, wantErr: true},
		{name: "ipv6", cidr: netip.MustParsePrefix("fd00::/56"), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := NetConf(Config{ClusterCIDR: tt.cidr, Backend: tt.backend,
				NFTables: tt.nftables})
			if (err != nil) != tt.wantErr {
				t.Fatalf("NetConf() error = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			var got netConf
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			if got.Network != "10.42.0.0/16" || got.Backend["Type"] != tt.wantType {
				t.Errorf("NetConf() = %s, want network 10.42.0.0/16 type %s", data, tt.wantType)
			}
			if got.EnableNFTables != tt.nftables {
				t.Errorf("NetConf() = %s, want EnableNFTables %v", data, tt.nftables)
			}
		})
	}
}
