// Package flannel runs flannel, the pod network of a lightnode cluster, inside the
// agent process: flannel's kube subnet manager takes the node's pod CIDR from its Node
// object, and the chosen backend (vxlan by default, host-gw, wireguard-native) carries
// pod traffic between nodes over the interface that holds the node IP. Rules masquerade
// traffic that leaves the cluster network and accept forwarded pod traffic; they are
// iptables rules, or with Config.NFTables the nftables tables flannel-ipv4 and
// flannel-ipv6, and those of the packet filter not in use are removed at start.
//
// Once flannel holds its lease, Run hands the node's pod subnet and the network MTU
// to a callback, which writes the CNI configuration the runtime uses.
package flannel
