package config

import (
	"net/netip"
	"strings"
	"testing"
)

// validServer returns completed server settings that pass Validate.
func validServer(t *testing.T) *Server {
	t.Helper()
	return mustLoadServer(t, testSystem(nil, nil))
}

func TestServerValidateRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(s *Server)
		flag   string
	}{
		{"relative data dir", func(s *Server) { s.DataDir = "var/lib" }, "--data-dir"},
		{"upper-case node name", func(s *Server) { s.NodeName = "Node-1" }, "--node-name"},
		{"underscore node name", func(s *Server) { s.NodeName = "node_1" }, "--node-name"},
		{"bad node ip", func(s *Server) { s.NodeIP = []string{"10.0.0.300"} }, "--node-ip"},
		{"two ipv4 node ips", func(s *Server) { s.NodeIP = []string{"10.0.0.1", "10.0.0.2"} },
			"--node-ip"},
		{"bad advertise address", func(s *Server) { s.AdvertiseAddress = "host" },
			"--advertise-address"},
		{"bad bind address", func(s *Server) { s.BindAddress = "" }, "--bind-address"},
		{"port zero", func(s *Server) { s.HTTPSListenPort = 0 }, "--https-listen-port"},
		{"port too high", func(s *Server) { s.HTTPSListenPort = 65536 }, "--https-listen-port"},
		{"bad cluster cidr", func(s *Server) { s.ClusterCIDR = []string{"10.42.0.0/99"} },
			"--cluster-cidr"},
		{"host bits", func(s *Server) { s.ClusterCIDR = []string{"10.42.0.1/16"} },
			"--cluster-cidr"},
		{"no cluster cidr", func(s *Server) { s.ClusterCIDR = nil }, "--cluster-cidr"},
		{"two ipv4 cluster cidrs", func(s *Server) {
			s.ClusterCIDR = []string{"10.42.0.0/16", "10.44.0.0/16"}
		}, "--cluster-cidr"},
		{"family mismatch", func(s *Server) {
			s.ServiceCIDR = []string{"fd00:43::/112"}
			s.ClusterDNS = []string{"fd00:43::a"}
		}, "--service-cidr"},
		{"dual-stack count mismatch", func(s *Server) {
			s.ClusterCIDR = []string{"10.42.0.0/16", "fd00:42::/56"}
		}, "--service-cidr"},
		{"overlap", func(s *Server) { s.ServiceCIDR = []string{"10.42.128.0/24"} },
			"--service-cidr"},
		{"dns outside service cidr", func(s *Server) { s.ClusterDNS = []string{"10.44.0.10"} },
			"--cluster-dns"},
		{"bad cluster domain", func(s *Server) { s.ClusterDomain = "Cluster_Local" },
			"--cluster-domain"},
		{"bad flannel backend", func(s *Server) { s.FlannelBackend = "ipsec" },
			"--flannel-backend"},
		{"token and token file", func(s *Server) { s.Token, s.TokenFile = "t", "/f" },
			"--token"},
		{"agent token and file", func(s *Server) { s.AgentToken, s.AgentTokenFile = "t", "/f" },
			"--agent-token"},
		{"http server url", func(s *Server) { s.ServerURL, s.Token = "http://s:6443", "t" },
			"--server"},
		{"join without token", func(s *Server) { s.ServerURL = "https://s:6443" }, "--token"},
		{"label without value", func(s *Server) { s.NodeLabel = []string{"role"} },
			"--node-label"},
		{"label bad key", func(s *Server) { s.NodeLabel = []string{"-role=x"} }, "--node-label"},
		{"label twice", func(s *Server) { s.NodeLabel = []string{"a=1", "a=2"} },
			"--node-label"},
		{"taint without effect", func(s *Server) { s.NodeTaint = []string{"a=b"} },
			"--node-taint"},
		{"taint bad effect", func(s *Server) { s.NodeTaint = []string{"a=b:Never"} },
			"--node-taint"},
		{"bad tls san", func(s *Server) { s.TLSSAN = []string{"not a name"} }, "--tls-san"},
		{"bad kubeconfig mode", func(s *Server) { s.WriteKubeconfigMode = "0999" },
			"--write-kubeconfig-mode"},
		{"relative kubeconfig", func(s *Server) { s.WriteKubeconfig = "kc.yaml" },
			"--write-kubeconfig"},
		{"unknown component", func(s *Server) { s.Disable = []string{"corends"} },
			"--disable"},
		{"cluster init with datastore", func(s *Server) {
			s.ClusterInit, s.DatastoreEndpoint = true, "postgres://db:5432/k"
		}, "--cluster-init"},
		{"kubelet arg with dashes", func(s *Server) { s.KubeletArg = []string{"--v=2"} },
			"--kubelet-arg"},
		// A valid subdomain, but too long for the kubernetes.io/hostname label: the
		// kubelet then failed to register its Node forever.
		{"node name of 70 characters", func(s *Server) { s.NodeName = strings.Repeat("a", 70) },
			"--node-name"},
		{"apiserver arg with dashes", func(s *Server) {
			s.KubeAPIServerArg = []string{"--profiling=true"}
		}, "--kube-apiserver-arg"},
		{"controller manager arg without value", func(s *Server) {
			s.KubeControllerManagerArg = []string{"controllers"}
		}, "--kube-controller-manager-arg"},
		{"scheduler arg without key", func(s *Server) { s.KubeSchedulerArg = []string{"=1"} },
			"--kube-scheduler-arg"},
		{"dns upstream by name", func(s *Server) { s.DNSUpstream = []string{"dns.example"} },
			"--dns-upstream"},
		{"dns upstream with port zero", func(s *Server) { s.DNSUpstream = []string{"1.1.1.1:0"} },
			"--dns-upstream"},
		{"dns upstream with a zone", func(s *Server) {
			s.DNSUpstream = []string{"[fe80::1%eth0]:53"}
		}, "--dns-upstream"},
		{"dns upstream other file", func(s *Server) { s.DNSUpstream = []string{"/etc/hosts"} },
			"--dns-upstream"},
		{"token file not read", func(s *Server) {
			s.TokenFile, s.EffectiveToken = "/t", ""
		}, "--token-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validServer(t)
			tt.mutate(s)
			err := s.Validate()
			wantErrContaining(t, err, tt.flag+":")
		})
	}
}

func TestServerValidateAccepts(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(s *Server)
	}{
		{"defaults", func(s *Server) {}},
		{"dual stack", func(s *Server) {
			s.ClusterCIDR = []string{"10.42.0.0/16", "fd00:42::/56"}
			s.ServiceCIDR = []string{"10.43.0.0/16", "fd00:43::/112"}
			s.ClusterDNS = []string{"10.43.0.10", "fd00:43::a"}
			s.NodeIP = []string{"192.0.2.7", "2001:db8::7"}
		}},
		{"joining server", func(s *Server) { s.ServerURL, s.Token = "https://s:6443", "t" }},
		{"labels and taints", func(s *Server) {
			s.NodeLabel = []string{"example.com/role=edge", "empty="}
			s.NodeTaint = []string{"dedicated=db:NoSchedule", "spot:PreferNoSchedule"}
		}},
		{"ip and dns sans", func(s *Server) { s.TLSSAN = []string{"192.0.2.1", "api.example"} }},
		{"dns upstreams", func(s *Server) {
			s.DNSUpstream = []string{"192.0.2.53", "192.0.2.54:5353", "[2001:db8::53]:53",
				"2001:db8::54", "/etc/resolv.conf"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validServer(t)
			tt.mutate(s)
			if err := s.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestServerValidateParsedForms(t *testing.T) {
	s := mustLoadServer(t, testSystem(nil, nil),
		"--node-label", "a=1", "--node-taint", "k=v:NoExecute", "--advertise-address",
		"192.0.2.9", "--write-kubeconfig-mode", "0644", "--node-ip", "192.0.2.9")

	if got := s.ClusterCIDRs; len(got) != 1 || got[0] != netip.MustParsePrefix(DefaultClusterCIDR) {
		t.Errorf("ClusterCIDRs = %v", got)
	}
	if got := s.ClusterDNSIPs; len(got) != 1 || got[0] != netip.MustParseAddr("10.43.0.10") {
		t.Errorf("ClusterDNSIPs = %v", got)
	}
	if s.Labels["a"] != "1" {
		t.Errorf("Labels = %v", s.Labels)
	}
	if want := (Taint{Key: "k", Value: "v", Effect: TaintNoExecute}); len(s.Taints) != 1 ||
		s.Taints[0] != want {
		t.Errorf("Taints = %v, want [%v]", s.Taints, want)
	}
	if s.AdvertiseIP != netip.MustParseAddr("192.0.2.9") || s.KubeconfigMode != 0o644 {
		t.Errorf("AdvertiseIP, KubeconfigMode = %v, %o", s.AdvertiseIP, s.KubeconfigMode)
	}
	if len(s.NodeIPs) != 1 || s.BindIP != netip.MustParseAddr(DefaultBindAddress) {
		t.Errorf("NodeIPs, BindIP = %v, %v", s.NodeIPs, s.BindIP)
	}
}

func TestServerValidateReportsAll(t *testing.T) {
	s := validServer(t)
	s.HTTPSListenPort, s.FlannelBackend = 0, "x"
	err := s.Validate()
	wantErrContaining(t, err, "--https-listen-port:", "--flannel-backend:")
}

func TestAgentValidate(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no server", []string{"--token", "t"}, "--server:"},
		{"no token", []string{"--server", "https://s:6443"}, "--token:"},
		{"both tokens", []string{"--server", "https://s:6443", "--token", "t",
			"--token-file", "/t"}, "--token:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys := testSystem(nil, map[string]string{"/t": "tok"})
			_, err := loadAgent(t, sys, tt.args...)
			wantErrContaining(t, err, tt.want)
		})
	}
}

func TestAgentRejectsHTTPFlag(t *testing.T) {
	cmd := newAgentCommand(t)
	err := cmd.ParseFlags([]string{"--server", "http://s:6443"})
	if err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("ParseFlags err = %v, want one about https", err)
	}
}
