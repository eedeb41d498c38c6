package config

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
)

func TestCompleteNodeName(t *testing.T) {
	tests := []struct {
		name     string
		hostname string
		set      string
		want     string
	}{
		{name: "lower-cases hostname", hostname: "Worker-07.Example.COM", want: "worker-07.example.com"},
		{name: "drops trailing dot", hostname: "node-2.", want: "node-2"},
		{name: "keeps explicit name", hostname: "HOST", set: "given", want: "given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys := testSystem(nil, nil)
			sys.Hostname = func() (string, error) { return tt.hostname, nil }
			a := &Agent{NodeName: tt.set}
			if err := a.Complete(sys); err != nil {
				t.Fatalf("Complete: %v", err)
			}
			if a.NodeName != tt.want {
				t.Errorf("NodeName = %q, want %q", a.NodeName, tt.want)
			}
		})
	}
}

func TestCompleteHostnameErrors(t *testing.T) {
	sys := testSystem(nil, nil)
	sys.Hostname = func() (string, error) { return "", errors.New("uname failed") }
	err := (&Agent{}).Complete(sys)
	wantErrContaining(t, err, "--node-name", "uname failed")
}

func TestLoadInvalidHostnameNamesFlag(t *testing.T) {
	sys := testSystem(nil, nil)
	sys.Hostname = func() (string, error) { return "My_Host", nil }
	_, err := loadServer(t, sys)
	wantErrContaining(t, err, "--node-name:", `"my_host"`)
}

func TestCompleteTokenFile(t *testing.T) {
	const file = "/var/lib/lightnode/token"
	tests := []struct {
		name    string
		files   map[string]string
		agent   Agent
		want    string
		wantErr []string
	}{
		{
			name: "trims whitespace", files: map[string]string{file: "  K10abc::server:xyz\n\n"},
			agent: Agent{TokenFile: file}, want: "K10abc::server:xyz",
		},
		{name: "token wins", agent: Agent{Token: "direct"}, want: "direct"},
		{name: "missing file", agent: Agent{TokenFile: file},
			wantErr: []string{"--token-file", file}},
		{name: "empty file", files: map[string]string{file: " \n"},
			agent: Agent{TokenFile: file}, wantErr: []string{"--token-file", file, "empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.agent
			err := a.Complete(testSystem(nil, tt.files))
			if tt.wantErr != nil {
				wantErrContaining(t, err, tt.wantErr...)
				return
			}
			if err != nil {
				t.Fatalf("Complete: %v", err)
			}
			if a.EffectiveToken != tt.want {
				t.Errorf("EffectiveToken = %q, want %q", a.EffectiveToken, tt.want)
			}
		})
	}
}

func TestCompleteMissingTokenFileIsNotExist(t *testing.T) {
	a := &Agent{TokenFile: "/nowhere"}
	if err := a.Complete(testSystem(nil, nil)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Complete err = %v, want fs.ErrNotExist", err)
	}
}

func TestServerCompleteAgentTokenAndDNS(t *testing.T) {
	sys := testSystem(nil, map[string]string{"/agent-token": "agent-secret\n"})
	s := mustLoadServer(t, sys, "--agent-token-file", "/agent-token",
		"--service-cidr", "10.96.0.0/12")
	if s.EffectiveAgentToken != "agent-secret" {
		t.Errorf("EffectiveAgentToken = %q", s.EffectiveAgentToken)
	}
	if !slices.Equal(s.ClusterDNS, []string{"10.96.0.10"}) {
		t.Errorf("ClusterDNS = %q, want the tenth address of the service network", s.ClusterDNS)
	}
}

func TestLoadAgentTokenFile(t *testing.T) {
	sys := testSystem(map[string]string{"LIGHTNODE_TOKEN_FILE": "/tok"},
		map[string]string{"/tok": "from-file\n"})
	a, err := loadAgent(t, sys, "--server", "https://10.0.0.1:6443")
	if err != nil {
		t.Fatalf("LoadAgent: %v", err)
	}
	if a.EffectiveToken != "from-file" || strings.Contains(a.String(), "from-file") {
		t.Errorf("EffectiveToken = %q; String shows it: %v", a.EffectiveToken,
			strings.Contains(a.String(), "from-file"))
	}
}
