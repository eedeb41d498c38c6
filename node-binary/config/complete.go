package config

import (
	"fmt"
	"io/fs"
	"net/netip"
	"strings"
)

// clusterDNSOffset is the position of the cluster DNS address in a service network.
const clusterDNSOffset = 10

// Complete fills the settings derived from others or from the machine: the node name
// from the hostname, and EffectiveToken from Token or TokenFile.
func (a *Agent) Complete(sys System) error {
	if a.NodeName == "" {
		host, err := sys.hostname()
		if err != nil {
			return fmt.Errorf("--node-name: not set, and the hostname is unknown: %w", err)
		}
		a.NodeName = strings.ToLower(strings.TrimSuffix(host, "."))
	}

	token, err := readToken(sys.files(), a.Token, a.TokenFile, "token-file")
	if err != nil {
		return err
	}
	a.EffectiveToken = token
	return nil
}

// Complete fills what Agent.Complete does, plus EffectiveAgentToken and, when
// ClusterDNS is empty, the tenth address of each service network.
func (s *Server) Complete(sys System) error {
	if err := s.Agent.Complete(sys); err != nil {
		return err
	}

	token, err := readToken(sys.files(), s.AgentToken, s.AgentTokenFile, "agent-token-file")
	if err != nil {
		return err
	}
	s.EffectiveAgentToken = token

	if len(s.ClusterDNS) == 0 {
		s.ClusterDNS = defaultClusterDNS(s.ServiceCIDR)
	}
	return nil
}

// readToken returns token when set, otherwise the trimmed content of file. The file's
// content never appears in an error.
func readToken(fsys fs.FS, token, file, flag string) (string, error) {
	if token != "" || file == "" {
		return token, nil
	}
	data, err := fs.ReadFile(fsys, fsPath(file))
	if err != nil {
		return "", fmt.Errorf("--%s: read %s: %w", flag, file, pathCause(err))
	}
	token = strings.TrimSpace(string(data))
	if token == "" {
		return "", fmt.Errorf("--%s: %s is empty", flag, file)
	}
	return token, nil
}

// defaultClusterDNS returns the tenth address of each service network, or nothing when
// one does not parse, which Validate then reports.
func defaultClusterDNS(serviceCIDRs []string) []string {
	var dns []string
	for _, c := range serviceCIDRs {
		p, err := parseCIDR(c)
		if err != nil {
			return nil
		}
		dns = append(dns, nthAddr(p.Addr(), clusterDNSOffset).String())
	}
	return dns
}

// nthAddr returns the address n places after a.
func nthAddr(a netip.Addr, n int) netip.Addr {
	for range n {
		a = a.Next()
	}
	return a
}
