package config

import (
	"io/fs"
	"net/netip"
)

// Built-in defaults of the server subcommand.
const (
	// DefaultHTTPSListenPort is the port of the Kubernetes API and join endpoints.
	DefaultHTTPSListenPort = 6443
	// DefaultBindAddress is the address the server listens on.
	DefaultBindAddress = "0.0.0.0"
	// DefaultWriteKubeconfig is where the server writes its admin kubeconfig.
	DefaultWriteKubeconfig = "/etc/lightnode/lightnode.yaml"
	// DefaultWriteKubeconfigMode is the permission mode of the admin kubeconfig.
	DefaultWriteKubeconfigMode = "0600"
	// DefaultClusterCIDR is the pod network.
	DefaultClusterCIDR = "10.42.0.0/16"
	// DefaultServiceCIDR is the service network.
	DefaultServiceCIDR = "10.43.0.0/16"
	// DefaultClusterDomain is the DNS domain of the cluster.
	DefaultClusterDomain = "cluster.local"
	// DefaultFlannelBackend is the flannel backend used unless another is chosen.
	DefaultFlannelBackend = FlannelVXLAN
)

// The flannel backends a server accepts.
const (
	// FlannelVXLAN encapsulates pod traffic in VXLAN.
	FlannelVXLAN = "vxlan"
	// FlannelHostGW routes pod traffic directly; nodes must share a layer-2 network.
	FlannelHostGW = "host-gw"
	// FlannelWireGuard encrypts pod traffic with the kernel's WireGuard.
	FlannelWireGuard = "wireguard-native"
	// FlannelNone runs no flannel, for a CNI installed separately.
	FlannelNone = "none"
)

// FlannelBackends lists the values --flannel-backend accepts.
var FlannelBackends = []string{FlannelVXLAN, FlannelHostGW, FlannelWireGuard, FlannelNone}

// DNSUpstreamResolvConf is the --dns-upstream value that forwards to the resolvers of
// the node the cluster DNS runs on.
const DNSUpstreamResolvConf = "/etc/resolv.conf"

// Components lists the packaged components that --disable accepts.
var Components = []string{"coredns", "local-storage", "metrics-server", "servicelb"}

// Server holds the settings of `lightnode server`: a control-plane node, which also
// runs the agent unless DisableAgent is set. The agent settings are embedded and share
// the same keys.
type Server struct {
	Agent `json:",inline"`

	// Listener.

	// HTTPSListenPort is the port of the Kubernetes API and join endpoints.
	HTTPSListenPort int `json:"https-listen-port,omitempty"`
	// BindAddress is the address the server listens on.
	BindAddress string `json:"bind-address,omitempty"`
	// AdvertiseAddress is the address other nodes use to reach this server; empty
	// means the node IP.
	AdvertiseAddress string `json:"advertise-address,omitempty"`
	// TLSSAN lists extra IP addresses and DNS names for the serving certificate.
	TLSSAN []string `json:"tls-san,omitempty"`

	// Cluster.

	// AgentToken is a secret that lets agents, but not servers, join.
	AgentToken string `json:"agent-token,omitempty"`
	// AgentTokenFile is a file holding AgentToken.
	AgentTokenFile string `json:"agent-token-file,omitempty"`
	// ClusterInit starts a new cluster with embedded etcd.
	ClusterInit bool `json:"cluster-init,omitempty"`
	// DatastoreEndpoint is the DSN of an external datastore; it may hold credentials.
	DatastoreEndpoint string `json:"datastore-endpoint,omitempty"`

	// Kubeconfig.

	// WriteKubeconfig is where the admin kubeconfig is written.
	WriteKubeconfig string `json:"write-kubeconfig,omitempty"`
	// WriteKubeconfigMode is the octal permission mode of the admin kubeconfig.
	WriteKubeconfigMode string `json:"write-kubeconfig-mode,omitempty"`

	// Components.

	// DisableAgent runs the control plane only, without kubelet and workloads.
	DisableAgent bool `json:"disable-agent,omitempty"`
	// Disable lists packaged components not to deploy, from Components.
	Disable []string `json:"disable,omitempty"`
	// KubeAPIServerArg lists extra kube-apiserver flags written key=value; each
	// replaces lightnode's own value of that flag.
	KubeAPIServerArg []string `json:"kube-apiserver-arg,omitempty"`
	// KubeControllerManagerArg lists extra kube-controller-manager flags, as
	// KubeAPIServerArg does.
	KubeControllerManagerArg []string `json:"kube-controller-manager-arg,omitempty"`
	// KubeSchedulerArg lists extra kube-scheduler flags, as KubeAPIServerArg does.
	KubeSchedulerArg []string `json:"kube-scheduler-arg,omitempty"`

	// Networking.

	// ClusterCIDR lists the pod networks, one per IP family.
	ClusterCIDR []string `json:"cluster-cidr,omitempty"`
	// ServiceCIDR lists the service networks, in the families of ClusterCIDR.
	ServiceCIDR []string `json:"service-cidr,omitempty"`
	// ClusterDNS lists the cluster DNS service addresses; Complete sets the tenth
	// address of each service network when it is empty.
	ClusterDNS []string `json:"cluster-dns,omitempty"`
	// ClusterDomain is the DNS domain of the cluster.
	ClusterDomain string `json:"cluster-domain,omitempty"`
	// FlannelBackend is one of FlannelBackends.
	FlannelBackend string `json:"flannel-backend,omitempty"`
	// DNSUpstream lists where the cluster DNS forwards names outside the cluster: IP
	// addresses, IP:port, or DNSUpstreamResolvConf. Empty means nowhere.
	DNSUpstream []string `json:"dns-upstream,omitempty"`

	// Derived.

	// EffectiveAgentToken is AgentToken, or the trimmed content of AgentTokenFile.
	// Complete sets it.
	EffectiveAgentToken string `json:"-"`
	// BindIP holds BindAddress parsed. Validate sets it.
	BindIP netip.Addr `json:"-"`
	// AdvertiseIP holds AdvertiseAddress parsed, invalid when unset. Validate sets it.
	AdvertiseIP netip.Addr `json:"-"`
	// KubeconfigMode holds WriteKubeconfigMode parsed. Validate sets it.
	KubeconfigMode fs.FileMode `json:"-"`
	// ClusterCIDRs holds ClusterCIDR parsed. Validate sets it.
	ClusterCIDRs []netip.Prefix `json:"-"`
	// ServiceCIDRs holds ServiceCIDR parsed. Validate sets it.
	ServiceCIDRs []netip.Prefix `json:"-"`
	// ClusterDNSIPs holds ClusterDNS parsed. Validate sets it.
	ClusterDNSIPs []netip.Addr `json:"-"`
}
