package config

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The areas that group the flags in usage text, in the order it lists them.
const (
	// GroupGeneral holds the flags every subcommand has.
	GroupGeneral = "General"
	// GroupNode holds the flags that shape the Kubernetes Node.
	GroupNode = "Node"
	// GroupCluster holds the flags about joining and storing the cluster.
	GroupCluster = "Cluster"
	// GroupListener holds the flags about the API listener and its certificate.
	GroupListener = "Listener"
	// GroupKubeconfig holds the flags about the admin kubeconfig.
	GroupKubeconfig = "Kubeconfig"
	// GroupComponents holds the flags that turn components off.
	GroupComponents = "Components"
	// GroupNetworking holds the flags about pod and service networks.
	GroupNetworking = "Networking"
)

var groupOrder = []string{
	GroupGeneral, GroupNode, GroupCluster, GroupListener,
	GroupKubeconfig, GroupComponents, GroupNetworking,
}

// groupAnnotation is the pflag annotation that records a flag's group.
const groupAnnotation = "lightnode/group"

// BindAgentFlags defines the flags of `lightnode agent` on cmd, writing into a, and
// installs usage text grouped by area. The values in a are the flags alone; LoadAgent
// merges them with the other sources.
func BindAgentFlags(cmd *cobra.Command, a *Agent) {
	bindAgent(cmd.Flags(), a)
	cmd.SetUsageFunc(groupedUsage)
}

// BindServerFlags defines the flags of `lightnode server` on cmd, writing into s, and
// installs usage text grouped by area. The values in s are the flags alone; LoadServer
// merges them with the other sources.
func BindServerFlags(cmd *cobra.Command, s *Server) {
	bindServer(cmd.Flags(), s)
	cmd.SetUsageFunc(groupedUsage)
}

// bindAgent defines the agent flags on fs.
func bindAgent(fs *pflag.FlagSet, a *Agent) {
	bindGeneral(fs, a)
	bindNode(fs, a)
	bindJoin(fs, a)
	define(fs, GroupNetworking, newStringValue(&a.FlannelIface, "", nil), "flannel-iface",
		"Network interface for flannel traffic (default: the default route's)")
	define(fs, GroupNetworking, newListValue(&a.KubeProxyArg, nil, checkProxyArg),
		"kube-proxy-arg", "Setting of kube-proxy key=value; only proxy-mode="+
			strings.Join(ProxyModes, "|")+", which flannel follows (repeatable; auto: "+
			"iptables if it works, else nftables)")
}

// bindServer defines the server flags, the agent ones included, on fs.
func bindServer(fs *pflag.FlagSet, s *Server) {
	bindAgent(fs, &s.Agent)
	bindListener(fs, s)
	bindCluster(fs, s)
	bindKubeconfig(fs, s)
	bindComponents(fs, s)
	bindNetworking(fs, s)
}

func bindGeneral(fs *pflag.FlagSet, a *Agent) {
	define(fs, GroupGeneral, newStringValue(&a.ConfigFile, DefaultConfigFile, nil), "config",
		"Config file; config.yaml.d/*.yaml beside it is read after it")
	define(fs, GroupGeneral, newStringValue(&a.DataDir, DefaultDataDir, nil), "data-dir",
		"Directory holding the node's state")
	fs.BoolVar(&a.Debug, "debug", false, withEnv("debug", "Log at debug level"))
	annotate(fs, "debug", GroupGeneral)
}

func bindNode(fs *pflag.FlagSet, a *Agent) {
	define(fs, GroupNode, newStringValue(&a.NodeName, "", checkNodeName), "node-name",
		"Kubernetes Node name (default: the lower-cased hostname)")
	define(fs, GroupNode, newListValue(&a.NodeIP, nil, checkIP), "node-ip",
		"IP address of the node, one per family (repeatable)")
	define(fs, GroupNode, newListValue(&a.NodeLabel, nil, checkLabel), "node-label",
		"Label key=value to register the node with (repeatable)")
	define(fs, GroupNode, newListValue(&a.NodeTaint, nil, checkTaint), "node-taint",
		"Taint key=value:Effect to register the node with (repeatable)")
	define(fs, GroupNode, newListValue(&a.KubeletArg, nil, nil), "kubelet-arg",
		"Extra kubelet flag key=value, passed as --key=value (repeatable)")
}

func bindJoin(fs *pflag.FlagSet, a *Agent) {
	define(fs, GroupCluster, newStringValue(&a.ServerURL, "", checkServerURL), "server",
		"https URL of a server to join")
	define(fs, GroupCluster, newStringValue(&a.Token, "", nil), "token",
		"Shared secret used to join the cluster")
	define(fs, GroupCluster, newStringValue(&a.TokenFile, "", nil), "token-file",
		"File holding the join token")
}

func bindListener(fs *pflag.FlagSet, s *Server) {
	define(fs, GroupListener, newPortValue(&s.HTTPSListenPort, DefaultHTTPSListenPort),
		"https-listen-port", "Port of the Kubernetes API and join endpoints")
	define(fs, GroupListener, newStringValue(&s.BindAddress, DefaultBindAddress, checkIP),
		"bind-address", "Address to listen on")
	define(fs, GroupListener, newStringValue(&s.AdvertiseAddress, "", checkIP),
		"advertise-address", "Address other nodes reach this server at (default: node IP)")
	define(fs, GroupListener, newListValue(&s.TLSSAN, nil, checkTLSSAN), "tls-san",
		"Extra IP address or DNS name for the serving certificate (repeatable)")
}

func bindCluster(fs *pflag.FlagSet, s *Server) {
	define(fs, GroupCluster, newStringValue(&s.AgentToken, "", nil), "agent-token",
		"Shared secret that lets agents, but not servers, join")
	define(fs, GroupCluster, newStringValue(&s.AgentTokenFile, "", nil), "agent-token-file",
		"File holding the agent token")
	fs.BoolVar(&s.ClusterInit, "cluster-init", false,
		withEnv("cluster-init", "Start a new cluster with embedded etcd"))
	annotate(fs, "cluster-init", GroupCluster)
	define(fs, GroupCluster, newStringValue(&s.DatastoreEndpoint, "", nil),
		"datastore-endpoint", "DSN of an external datastore (default: embedded SQLite)")
}

func bindKubeconfig(fs *pflag.FlagSet, s *Server) {
	define(fs, GroupKubeconfig, newStringValue(&s.WriteKubeconfig, DefaultWriteKubeconfig, nil),
		"write-kubeconfig", "Where to write the admin kubeconfig")
	mode := newStringValue(&s.WriteKubeconfigMode, DefaultWriteKubeconfigMode, checkMode)
	define(fs, GroupKubeconfig, mode, "write-kubeconfig-mode",
		"Octal permission mode of the admin kubeconfig")
}

func bindComponents(fs *pflag.FlagSet, s *Server) {
	fs.BoolVar(&s.DisableAgent, "disable-agent", false,
		withEnv("disable-agent", "Run the control plane only, without kubelet and workloads"))
	annotate(fs, "disable-agent", GroupComponents)
	define(fs, GroupComponents, newListValue(&s.Disable, nil, oneOf(Components...)), "disable",
		"Packaged component not to deploy: "+strings.Join(Components, ", ")+" (repeatable)")
	for _, c := range []struct {
		list *[]string
		name string
	}{
		{&s.KubeAPIServerArg, "kube-apiserver"},
		{&s.KubeControllerManagerArg, "kube-controller-manager"},
		{&s.KubeSchedulerArg, "kube-scheduler"},
	} {
		define(fs, GroupComponents, newListValue(c.list, nil, nil), c.name+"-arg",
			"Extra "+c.name+" flag key=value, replacing lightnode's value (repeatable)")
	}
}

func bindNetworking(fs *pflag.FlagSet, s *Server) {
	cidrs := newListValue(&s.ClusterCIDR, []string{DefaultClusterCIDR}, checkCIDR)
	define(fs, GroupNetworking, cidrs, "cluster-cidr", "Pod network, one per IP family")
	cidrs = newListValue(&s.ServiceCIDR, []string{DefaultServiceCIDR}, checkCIDR)
	define(fs, GroupNetworking, cidrs, "service-cidr", "Service network, one per IP family")
	define(fs, GroupNetworking, newListValue(&s.ClusterDNS, nil, checkIP), "cluster-dns",
		"Cluster DNS service address (default: tenth address of --service-cidr, 10.43.0.10)")
	define(fs, GroupNetworking,
		newStringValue(&s.ClusterDomain, DefaultClusterDomain, checkDNSSubdomain),
		"cluster-domain", "DNS domain of the cluster")
	backend := newStringValue(&s.FlannelBackend, DefaultFlannelBackend, oneOf(FlannelBackends...))
	define(fs, GroupNetworking, backend, "flannel-backend",
		"Flannel backend: "+strings.Join(FlannelBackends, ", "))
	define(fs, GroupNetworking, newListValue(&s.DNSUpstream, nil, checkDNSUpstream),
		"dns-upstream", "Resolver the cluster DNS forwards other names to: IP, IP:port or "+
			DNSUpstreamResolvConf+" for the node's (repeatable; default: none)")
}

// define adds a flag with value v to fs in the given usage group.
func define(fs *pflag.FlagSet, group string, v pflag.Value, name, usage string) {
	fs.Var(v, name, withEnv(name, usage))
	annotate(fs, name, group)
}

// annotate records the usage group of the flag called name.
func annotate(fs *pflag.FlagSet, name, group string) {
	if err := fs.SetAnnotation(name, groupAnnotation, []string{group}); err != nil {
		panic("config: annotate undefined flag " + name)
	}
}

// withEnv appends the environment variable of a flag to its usage text.
func withEnv(name, usage string) string {
	return usage + " [$" + envNames(name)[0] + "]"
}
