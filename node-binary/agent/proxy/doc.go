// Package proxy runs the upstream kube-proxy inside the lightnode process, in
// iptables or nftables mode (node-binary/agent/netfilter chooses), configured through a
// KubeProxyConfiguration file that Render writes. Run drives kube-proxy's options with
// the caller's context instead of its command.
package proxy
