// Package cni writes the CNI network configuration of a lightnode node: a bridge
// (cni0) whose pods take addresses from the node's pod subnet (host-local), with the
// bridge as their default gateway, and the portmap plugin for host ports. Traffic
// between nodes is flannel's business; the bridge only has to use flannel's MTU.
//
// The bridge is configured directly rather than through flannel's own CNI plugin,
// which lightnode does not carry: that plugin reads the same subnet and MTU from
// flannel's subnet file and hands them to the bridge plugin in the same way.
package cni
