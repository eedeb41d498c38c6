package flannel

import (
	"encoding/json"
	"fmt"
)

// Backends Run accepts, with the names lightnode's configuration uses.
const (
	// BackendVXLAN encapsulates pod traffic in VXLAN.
	BackendVXLAN = "vxlan"
	// BackendHostGW routes pod subnets through the nodes' addresses.
	BackendHostGW = "host-gw"
	// BackendWireGuard encrypts pod traffic with the kernel's WireGuard.
	BackendWireGuard = "wireguard-native"
)

// netConf is flannel's network configuration file (net-conf.json).
type netConf struct {
	Network        string         `json:"Network"`
	EnableIPv4     bool           `json:"EnableIPv4"`
	EnableNFTables bool           `json:"EnableNFTables,omitempty"`
	Backend        map[string]any `json:"Backend"`
}

// NetConf renders the network configuration of cfg: its IPv4 cluster network, its
// backend, and whether the rules are nftables ones.
func NetConf(cfg Config) ([]byte, error) {
	if !cfg.ClusterCIDR.Addr().Is4() {
		return nil, fmt.Errorf("flannel network %s: only IPv4 is supported", cfg.ClusterCIDR)
	}
	be, err := backendConf(cfg.Backend)
	if err != nil {
		return nil, err
	}
	return json.Marshal(netConf{
		Network:        cfg.ClusterCIDR.Masked().String(),
		EnableIPv4:     true,
		EnableNFTables: cfg.NFTables,
		Backend:        be,
	})
}

// backendConf returns the Backend section for a backend name.
func backendConf(name string) (map[string]any, error) {
	switch name {
	case BackendVXLAN, "":
		return map[string]any{"Type": "vxlan"}, nil
	case BackendHostGW:
		return map[string]any{"Type": "host-gw"}, nil
	case BackendWireGuard:
		return map[string]any{"Type": "wireguard", "Mode": "separate",
			"PersistentKeepaliveInterval": 25}, nil
	}
	return nil, fmt.Errorf("flannel backend %q: want %s, %s or %s", name,
		BackendVXLAN, BackendHostGW, BackendWireGuard)
}
