package cni

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
)

// Names of what WriteConflist creates.
const (
	// NetworkName is the CNI network name.
	NetworkName = "cbr0"
	// BridgeName is the node's pod bridge.
	BridgeName = "cni0"
	// ConflistName is the configuration file name; CNI loads the first in order.
	ConflistName = "10-lightnode.conflist"
)

// Network describes the pod network of one node.
type Network struct {
	// Subnet is the node's pod subnet; the bridge takes its first address.
	Subnet netip.Prefix
	// ClusterCIDR is the cluster's pod network, routed through the bridge.
	ClusterCIDR netip.Prefix
	// MTU is the MTU of the pod interfaces; zero leaves the plugin's default.
	MTU int
}

// Conflist renders the CNI configuration list for n.
func Conflist(n Network) ([]byte, error) {
	if !n.Subnet.IsValid() {
		return nil, fmt.Errorf("cni: no pod subnet")
	}
	ipam := map[string]any{
		"type":   "host-local",
		"ranges": [][]map[string]string{{{"subnet": n.Subnet.Masked().String()}}},
	}
	if n.ClusterCIDR.IsValid() {
		ipam["routes"] = []map[string]string{{"dst": n.ClusterCIDR.Masked().String()}}
	}
	bridge := map[string]any{
		"type":             "bridge",
		"bridge":           BridgeName,
		"isGateway":        true,
		"isDefaultGateway": true,
		"ipMasq":           false,
		"hairpinMode":      true,
		"forceAddress":     true,
		"ipam":             ipam,
	}
	if n.MTU > 0 {
		bridge["mtu"] = n.MTU
	}
	portmap := map[string]any{"type": "portmap", "capabilities": map[string]bool{
		"portMappings": true}}
	return json.MarshalIndent(map[string]any{
		"cniVersion": "1.0.0",
		"name":       NetworkName,
		"plugins":    []any{bridge, portmap},
	}, "", "  ")
}

// WriteConflist writes the configuration for n into dir, replacing it atomically.
func WriteConflist(dir string, n Network) error {
	data, err := Conflist(n)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cni: %w", err)
	}
	tmp := filepath.Join(dir, "."+ConflistName+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("cni: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, ConflistName)); err != nil {
		return fmt.Errorf("cni: %w", err)
	}
	return nil
}
