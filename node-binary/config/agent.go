package config

import "net/netip"

// Built-in defaults shared by the server and agent subcommands.
const (
	// DefaultDataDir is where lightnode keeps its state.
	DefaultDataDir = "/var/lib/lightnode"
	// DefaultConfigFile is the config file read when neither --config nor
	// LIGHTNODE_CONFIG_FILE names one.
	DefaultConfigFile = "/etc/lightnode/config.yaml"
)

// The kube-proxy modes that --kube-proxy-arg proxy-mode=MODE accepts.
const (
	// ProxyModeAuto takes iptables when it works on the host, and nftables otherwise.
	ProxyModeAuto = "auto"
	// ProxyModeIPTables programs Services with iptables.
	ProxyModeIPTables = "iptables"
	// ProxyModeNFTables programs Services, and flannel's rules, with nftables.
	ProxyModeNFTables = "nftables"
)

// ProxyModes lists the values of the proxy-mode kube-proxy argument.
var ProxyModes = []string{ProxyModeAuto, ProxyModeIPTables, ProxyModeNFTables}

// proxyModeArg is the one kube-proxy argument lightnode takes; it sets the rest of
// kube-proxy's configuration itself.
const proxyModeArg = "proxy-mode"

// Agent holds the settings of a node that runs workloads: `lightnode agent`, and the
// agent part of `lightnode server`. Each field's key is its flag name; the fields
// without a key are derived by Complete and Validate.
type Agent struct {
	// General.

	// ConfigFile is the config file that was read; it is a flag only, never a key.
	ConfigFile string `json:"-"`
	// DataDir is the directory holding the node's state.
	DataDir string `json:"data-dir,omitempty"`
	// Debug turns on debug logging.
	Debug bool `json:"debug,omitempty"`

	// Node.

	// NodeName is the Kubernetes Node name; Complete sets the lower-cased hostname when
	// it is empty.
	NodeName string `json:"node-name,omitempty"`
	// NodeIP lists the node's addresses, at most one per IP family.
	NodeIP []string `json:"node-ip,omitempty"`
	// NodeLabel lists labels written key=value to register the node with.
	NodeLabel []string `json:"node-label,omitempty"`
	// NodeTaint lists taints written key=value:Effect to register the node with.
	NodeTaint []string `json:"node-taint,omitempty"`
	// KubeletArg lists extra kubelet flags written key=value, passed as --key=value.
	KubeletArg []string `json:"kubelet-arg,omitempty"`

	// Joining.

	// ServerURL is the https URL of a server to join.
	ServerURL string `json:"server,omitempty"`
	// Token is the shared secret used to join the cluster.
	Token string `json:"token,omitempty"`
	// TokenFile is a file holding Token, as an alternative to setting it directly.
	TokenFile string `json:"token-file,omitempty"`

	// Networking.

	// FlannelIface is the network interface flannel uses; empty means the one of the
	// default route.
	FlannelIface string `json:"flannel-iface,omitempty"`
	// KubeProxyArg lists kube-proxy settings written key=value; only proxy-mode, one
	// of ProxyModes, is accepted. Flannel uses the same packet filter as kube-proxy.
	KubeProxyArg []string `json:"kube-proxy-arg,omitempty"`

	// Derived.

	// EffectiveToken is the join token in effect: Token, or the trimmed content of
	// TokenFile. Complete sets it.
	EffectiveToken string `json:"-"`
	// NodeIPs holds NodeIP parsed. Validate sets it.
	NodeIPs []netip.Addr `json:"-"`
	// Labels holds NodeLabel parsed. Validate sets it.
	Labels map[string]string `json:"-"`
	// Taints holds NodeTaint parsed. Validate sets it.
	Taints []Taint `json:"-"`
	// ProxyMode is the proxy-mode of KubeProxyArg, the last one given, or
	// ProxyModeAuto. Validate sets it.
	ProxyMode string `json:"-"`
}
