package proxy

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"text/template"
)

// Settings are the node-specific values of kube-proxy's configuration.
type Settings struct {
	// Kubeconfig authenticates kube-proxy.
	Kubeconfig string
	// NodeName is the node's Node name.
	NodeName string
	// ClusterCIDR is the pod network; traffic from outside it is masqueraded.
	ClusterCIDR netip.Prefix
	// Mode is the proxy mode, "iptables" or "nftables".
	Mode string
}

// configTemplate is kube-proxy's configuration. Conntrack limits are global to the
// kernel and are left alone (zero values), since a node may share its kernel with
// others, as in a container.
var configTemplate = template.Must(template.New("proxy").Funcs(template.FuncMap{
	"quote": strconv.Quote,
}).Parse(`apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: {{quote .Kubeconfig}}
hostnameOverride: {{quote .NodeName}}
clusterCIDR: {{quote .ClusterCIDR.String}}
mode: {{quote .Mode}}
healthzBindAddress: "127.0.0.1:10256"
metricsBindAddress: "127.0.0.1:10249"
conntrack:
  maxPerCore: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
`))

// Render returns the KubeProxyConfiguration file for s.
func Render(s Settings) ([]byte, error) {
	if s.Mode == "" {
		s.Mode = "iptables"
	}
	var buf bytes.Buffer
	if err := configTemplate.Execute(&buf, s); err != nil {
		return nil, fmt.Errorf("render kube-proxy config: %w", err)
	}
	return buf.Bytes(), nil
}
