package join

import (
	"fmt"

	"github.com/lightcluster/lightcluster/internal/pki"
)

// Identities of the node certificates, as the API server's node authorizer and default
// RBAC policy expect them.
const (
	nodeUserPrefix = "system:node:"
	nodesGroup     = "system:nodes"
	kubeProxyUser  = "system:kube-proxy"
)

// issueAgentCredentials issues the kubelet client and serving certificates and the
// kube-proxy client certificate of the node req names.
func (h *handler) issueAgentCredentials(req nodeRequest) (*AgentCredentials, error) {
	cas := h.opts.CAs
	creds := &AgentCredentials{
		ServerCA: cas.ServerCA.CertPEM(),
		ClientCA: cas.ClientCA.CertPEM(),
	}

	kubeletClient := pki.LeafSpec{
		CommonName:   nodeUserPrefix + req.name,
		Organization: []string{nodesGroup},
		Client:       true,
	}
	kubeletServing := pki.LeafSpec{
		CommonName: req.name,
		DNSNames:   servingNames(req),
		IPs:        req.ips,
		Server:     true,
	}
	kubeProxy := pki.LeafSpec{CommonName: kubeProxyUser, Client: true}

	var err error
	issues := []struct {
		name      string
		ca        *pki.CA
		spec      pki.LeafSpec
		cert, key *[]byte
	}{
		{"kubelet client", cas.ClientCA, kubeletClient,
			&creds.KubeletClientCert, &creds.KubeletClientKey},
		{"kubelet serving", cas.ServerCA, kubeletServing,
			&creds.KubeletServingCert, &creds.KubeletServingKey},
		{"kube-proxy client", cas.ClientCA, kubeProxy,
			&creds.KubeProxyCert, &creds.KubeProxyKey},
	}
	for _, is := range issues {
		*is.cert, *is.key, err = pki.IssueLeaf(is.ca, is.spec, h.opts.Clock)
		if err != nil {
			return nil, fmt.Errorf("issue %s certificate for node %s: %w", is.name, req.name, err)
		}
	}
	return creds, nil
}

// servingNames returns the DNS names of the kubelet serving certificate: the node
// name, and the hostname when it differs.
func servingNames(req nodeRequest) []string {
	names := []string{req.name}
	if req.hostname != "" && req.hostname != req.name {
		names = append(names, req.hostname)
	}
	return names
}
