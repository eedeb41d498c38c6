package flannel

import (
	"encoding/json"
	"fmt"
	"net/netip"
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
	Network    string         `json:"Network"`
	EnableIPv4 bool           `json:"EnableIPv4"`
	Backend    map[string]any `json:"Backend"`
}

// NetConf renders the network configuration for the IPv4 cluster network and a
// backend.
func NetConf(clusterCIDR netip.Prefix, backend string) ([]byte, error) {
	if !clusterCIDR.Addr().Is4() {
		return nil, fmt.Errorf("flannel network %s: only IPv4 is supported", clusterCIDR)
	}
	be, err := backendConf(backend)
	if err != nil {
		return nil, err
	}
	return json.Marshal(netConf{
		Network:    clusterCIDR.Masked().String(),
		EnableIPv4: true,
		Backend:    be,
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
