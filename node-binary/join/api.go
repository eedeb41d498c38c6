package join

// Paths of the join endpoints.
const (
	// CACertsPath serves the server CA bundle without authentication.
	CACertsPath = "/cacerts"
	// ServerBootstrapPath serves the CA set and datastore information to servers.
	ServerBootstrapPath = "/v1-lightnode/server-bootstrap"
	// AgentCredentialsPath issues node certificates to agents.
	AgentCredentialsPath = "/v1-lightnode/agent-credentials"
)

// Headers that carry the node's identity to AgentCredentialsPath.
const (
	// NodeNameHeader carries the name the node registers under.
	NodeNameHeader = "Lightnode-Node-Name"
	// NodePasswordHeader carries the node password that binds the name to the machine.
	NodePasswordHeader = "Lightnode-Node-Password"
)

// IsJoinPath reports whether path is served by the join handler rather than by the
// API server behind it.
func IsJoinPath(path string) bool {
	switch path {
	case CACertsPath, ServerBootstrapPath, AgentCredentialsPath:
		return true
	}
	return false
}

// ServerBootstrap is what a joining server receives.
type ServerBootstrap struct {
	// CAFiles holds the files of the cluster's CA set keyed by their path relative to
	// <data-dir>/server/tls, as pki.CASet.Files returns them; JSON carries them base64.
	CAFiles map[string][]byte `json:"caFiles"`
	// Datastore says how to join the cluster's datastore.
	Datastore DatastoreInfo `json:"datastore"`
}

// DatastoreInfo is what a joining server needs to know about the datastore.
type DatastoreInfo struct {
	// Kind names the datastore: "sqlite", "etcd" (embedded) or "external".
	Kind string `json:"kind,omitempty"`
	// EtcdMembers lists the members of an embedded etcd cluster.
	EtcdMembers []EtcdMember `json:"etcdMembers,omitempty"`
}

// EtcdMember is one member of an embedded etcd cluster.
type EtcdMember struct {
	// Name is the member name.
	Name string `json:"name"`
	// PeerURLs are the URLs other members reach it at.
	PeerURLs []string `json:"peerURLs"`
	// ClientURLs are the URLs clients reach it at.
	ClientURLs []string `json:"clientURLs,omitempty"`
}

// AgentRequest is the body an agent posts to AgentCredentialsPath.
type AgentRequest struct {
	// Hostname is the machine's host name, added to the kubelet serving certificate
	// when it differs from the node name.
	Hostname string `json:"hostname,omitempty"`
	// IPs are the node's addresses, which the kubelet serving certificate carries.
	IPs []string `json:"ips,omitempty"`
}

// AgentCredentials is what an agent receives: PEM certificates and keys.
type AgentCredentials struct {
	// ServerCA verifies the API server and kubelet serving certificates.
	ServerCA []byte `json:"serverCA"`
	// ClientCA verifies client certificates; the kubelet trusts it for its API.
	ClientCA []byte `json:"clientCA"`
	// KubeletClientCert authenticates the kubelet as system:node:<name>.
	KubeletClientCert []byte `json:"kubeletClientCert"`
	// KubeletClientKey is the key of KubeletClientCert.
	KubeletClientKey []byte `json:"kubeletClientKey"`
	// KubeletServingCert is the kubelet's serving certificate.
	KubeletServingCert []byte `json:"kubeletServingCert"`
	// KubeletServingKey is the key of KubeletServingCert.
	KubeletServingKey []byte `json:"kubeletServingKey"`
	// KubeProxyCert authenticates kube-proxy as system:kube-proxy.
	KubeProxyCert []byte `json:"kubeProxyCert"`
	// KubeProxyKey is the key of KubeProxyCert.
	KubeProxyKey []byte `json:"kubeProxyKey"`
}
