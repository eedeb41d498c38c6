package config

import (
	"net/netip"
	"path/filepath"
	"strings"
)

// Validate checks the server settings, the agent ones included, and records their
// parsed forms. A server joins an existing cluster only when ServerURL is set. Every
// problem found is reported, each naming its flag.
func (s *Server) Validate() error {
	var p problems
	s.validateNode(&p)
	s.validateJoin(&p, false)
	s.validateListener(&p)
	s.validateCluster(&p)
	s.validateKubeconfig(&p)
	s.validateComponents(&p)
	s.validateNetworking(&p)
	return p.err()
}

func (s *Server) validateListener(p *problems) {
	if err := checkPort(s.HTTPSListenPort); err != nil {
		p.add("https-listen-port", err)
	}

	ip, err := parseIP(s.BindAddress)
	if err != nil {
		p.add("bind-address", err)
	}
	s.BindIP = ip

	s.AdvertiseIP = netip.Addr{}
	if s.AdvertiseAddress != "" {
		ip, err := parseIP(s.AdvertiseAddress)
		if err != nil {
			p.add("advertise-address", err)
		}
		s.AdvertiseIP = ip
	}

	for _, san := range s.TLSSAN {
		if err := checkTLSSAN(san); err != nil {
			p.add("tls-san", err)
		}
	}
}

func (s *Server) validateCluster(p *problems) {
	if s.AgentToken != "" && s.AgentTokenFile != "" {
		p.addf("agent-token", "cannot be combined with --agent-token-file")
	}
	if s.AgentToken != "" {
		s.EffectiveAgentToken = s.AgentToken
	}
	if s.ClusterInit && s.DatastoreEndpoint != "" {
		p.addf("cluster-init", "cannot be combined with --datastore-endpoint")
	}
}

func (s *Server) validateKubeconfig(p *problems) {
	if s.WriteKubeconfig != "" && !filepath.IsAbs(s.WriteKubeconfig) {
		p.addf("write-kubeconfig", "%q must be an absolute path", s.WriteKubeconfig)
	}
	mode, err := parseMode(s.WriteKubeconfigMode)
	if err != nil {
		p.add("write-kubeconfig-mode", err)
	}
	s.KubeconfigMode = mode
}

func (s *Server) validateComponents(p *problems) {
	known := oneOf(Components...)
	for _, c := range s.Disable {
		if err := known(c); err != nil {
			p.add("disable", err)
		}
	}
	checkComponentArgs(p, "kube-apiserver-arg", s.KubeAPIServerArg)
	checkComponentArgs(p, "kube-controller-manager-arg", s.KubeControllerManagerArg)
	checkComponentArgs(p, "kube-scheduler-arg", s.KubeSchedulerArg)
}

// checkComponentArgs reports each of args, the values of flag, that is not a flag
// name and value written key=value.
func checkComponentArgs(p *problems, flag string, args []string) {
	for _, arg := range args {
		key, _, ok := strings.Cut(arg, "=")
		if !ok || key == "" || strings.HasPrefix(key, "-") {
			p.addf(flag, "%q: write key=value without leading dashes", arg)
		}
	}
}
