package agent

import "path/filepath"

// layout names the directories and files of an agent under <data-dir>/agent.
type layout struct {
	root string
}

func newLayout(dataDir string) layout {
	return layout{root: filepath.Join(dataDir, "agent")}
}

// path returns a path below the agent directory.
func (l layout) path(elem ...string) string {
	return filepath.Join(append([]string{l.root}, elem...)...)
}

// TLS returns the path of a certificate or key file.
func (l layout) TLS(name string) string { return l.path("tls", name) }

// Etc returns the path of a configuration file or directory.
func (l layout) Etc(elem ...string) string { return l.path(append([]string{"etc"}, elem...)...) }

// KubeletKubeconfig authenticates the kubelet and flannel as the node.
func (l layout) KubeletKubeconfig() string { return l.path("kubelet.kubeconfig") }

// ProxyKubeconfig authenticates kube-proxy.
func (l layout) ProxyKubeconfig() string { return l.path("kubeproxy.kubeconfig") }

// ImagesDir holds the image archives imported at start.
func (l layout) ImagesDir() string { return l.path("images") }

// ContainerdRoot holds containerd's persistent data.
func (l layout) ContainerdRoot() string { return l.path("containerd") }

// ContainerdLog receives containerd's output.
func (l layout) ContainerdLog() string { return l.path("containerd", "containerd.log") }

// CNIConfDir holds the CNI configuration.
func (l layout) CNIConfDir() string { return l.Etc("cni", "net.d") }

// Names of the files below the TLS directory.
const (
	serverCAFile       = "server-ca.crt"
	clientCAFile       = "client-ca.crt"
	kubeletClientCert  = "client-kubelet.crt"
	kubeletClientKey   = "client-kubelet.key"
	kubeletServingCert = "serving-kubelet.crt"
	kubeletServingKey  = "serving-kubelet.key"
	proxyClientCert    = "client-kube-proxy.crt"
	proxyClientKey     = "client-kube-proxy.key"
)

// Runtime paths, on the tmpfs /run: they go away with a reboot, as they should.
const (
	containerdState   = "/run/lightnode/containerd"
	containerdAddress = "/run/lightnode/containerd/containerd.sock"
)
