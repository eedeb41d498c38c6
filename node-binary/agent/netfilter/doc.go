// Package netfilter finds out which front end of the kernel's packet filter works on a
// host, iptables or nftables, and chooses the one kube-proxy and flannel program their
// Service and pod-network rules with.
//
// A front end works when its program is installed and the kernel answers it: iptables
// lists the nat table's POSTROUTING chain (either backend, legacy or nft, will do, as
// kube-proxy needs no more), and nft, at version 1.0.1 or later, checks that it could
// add a table. The probes only read or dry-run; they change nothing on the host.
package netfilter
