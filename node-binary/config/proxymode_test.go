package config

import (
	"bytes"
	"strings"
	"testing"
)

func TestLoadAgentProxyMode(t *testing.T) {
	join := []string{"--server", "https://s:6443", "--token", "t"}
	tests := []struct {
		name  string
		env   map[string]string
		files map[string]string
		args  []string
		want  string
	}{
		{name: "default", want: ProxyModeAuto},
		{name: "flag", args: []string{"--kube-proxy-arg", "proxy-mode=nftables"},
			want: ProxyModeNFTables},
		{name: "environment",
			env:  map[string]string{"LIGHTNODE_KUBE_PROXY_ARG": "proxy-mode=iptables"},
			want: ProxyModeIPTables},
		{name: "file", files: map[string]string{
			mainFile: "kube-proxy-arg:\n- proxy-mode=nftables\n"}, want: ProxyModeNFTables},
		{name: "drop-in appends, the last one wins", files: map[string]string{
			mainFile:              "kube-proxy-arg: [proxy-mode=iptables]\n",
			dropIns + "50-x.yaml": "kube-proxy-arg+: [proxy-mode=nftables]\n",
		}, want: ProxyModeNFTables},
		{name: "flag over file", files: map[string]string{
			mainFile: "kube-proxy-arg: [proxy-mode=nftables]\n"},
			args: []string{"--kube-proxy-arg", "proxy-mode=auto"}, want: ProxyModeAuto},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := loadAgent(t, testSystem(tt.env, tt.files), append(join, tt.args...)...)
			if err != nil {
				t.Fatalf("LoadAgent: %v", err)
			}
			if a.ProxyMode != tt.want {
				t.Errorf("ProxyMode = %q, want %q", a.ProxyMode, tt.want)
			}
		})
	}
}

func TestServerProxyMode(t *testing.T) {
	s := mustLoadServer(t, testSystem(nil, nil), "--kube-proxy-arg", "proxy-mode=nftables")
	if s.ProxyMode != ProxyModeNFTables {
		t.Errorf("ProxyMode = %q, want nftables", s.ProxyMode)
	}
}

func TestProxyArgRejected(t *testing.T) {
	tests := []struct {
		name, arg, want string
	}{
		{"ipvs", "proxy-mode=ipvs", `"ipvs", want one of auto, iptables, nftables`},
		{"empty mode", "proxy-mode=", "want one of auto"},
		{"other setting", "metrics-bind-address=0.0.0.0:10249", "only proxy-mode can be set"},
		{"leading dashes", "--proxy-mode=nftables", "without leading dashes"},
		{"no value", "proxy-mode", "write key=value"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" in validation", func(t *testing.T) {
			s := validServer(t)
			s.KubeProxyArg = []string{tt.arg}
			wantErrContaining(t, s.Validate(), "--kube-proxy-arg:", tt.want)
		})
		t.Run(tt.name+" in a file", func(t *testing.T) {
			file := "kube-proxy-arg: [" + tt.arg + "]\n"
			sys := testSystem(nil, map[string]string{mainFile: file})
			_, err := loadServer(t, sys)
			wantErrContaining(t, err, mainFile, `key "kube-proxy-arg"`, tt.want)
		})
	}
}

func TestProxyArgFlagRejected(t *testing.T) {
	cmd := newAgentCommand(t)
	err := cmd.ParseFlags([]string{"--kube-proxy-arg", "proxy-mode=userspace"})
	wantErrContaining(t, err, "kube-proxy-arg", "userspace")
}

func TestAgentUsageListsProxyModes(t *testing.T) {
	cmd := newAgentCommand(t)
	var out bytes.Buffer
	cmd.SetOut(&out)
	if err := cmd.Usage(); err != nil {
		t.Fatalf("Usage: %v", err)
	}
	text := out.String()
	networking := text[strings.Index(text, "Networking flags:"):]
	for _, want := range []string{"--kube-proxy-arg", "proxy-mode=auto|iptables|nftables",
		"$LIGHTNODE_KUBE_PROXY_ARG"} {
		if !strings.Contains(networking, want) {
			t.Errorf("Networking group lacks %q:\n%s", want, networking)
		}
	}
}
