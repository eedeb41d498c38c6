package config

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
)

const (
	mainFile = "/etc/lightnode/config.yaml"
	dropIns  = "/etc/lightnode/config.yaml.d/"
)

func TestLoadServerPrecedence(t *testing.T) {
	files := map[string]string{mainFile: "node-name: from-file\nnode-label: [src=file]\n"}
	env := map[string]string{
		"LIGHTNODE_NODE_NAME":  "from-env",
		"LIGHTNODE_NODE_LABEL": "src=env,extra=env",
	}
	flags := []string{"--node-name", "from-flag", "--node-label", "src=flag"}

	tests := []struct {
		name       string
		files      map[string]string
		env        map[string]string
		args       []string
		wantName   string
		wantLabels []string
	}{
		{name: "defaults", wantName: "node-1"},
		{name: "file", files: files, wantName: "from-file", wantLabels: []string{"src=file"}},
		{
			name: "env over file", files: files, env: env,
			wantName: "from-env", wantLabels: []string{"src=env", "extra=env"},
		},
		{
			name: "flag over env", files: files, env: env, args: flags,
			wantName: "from-flag", wantLabels: []string{"src=flag"},
		},
		{
			name: "unset flag keeps env", files: files, env: env, args: []string{"--debug"},
			wantName: "from-env", wantLabels: []string{"src=env", "extra=env"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustLoadServer(t, testSystem(tt.env, tt.files), tt.args...)
			if s.NodeName != tt.wantName {
				t.Errorf("NodeName = %q, want %q", s.NodeName, tt.wantName)
			}
			if !slices.Equal(s.NodeLabel, tt.wantLabels) {
				t.Errorf("NodeLabel = %q, want %q", s.NodeLabel, tt.wantLabels)
			}
		})
	}
}

func TestLoadServerRepeatedFlags(t *testing.T) {
	s := mustLoadServer(t, testSystem(nil, nil),
		"--node-label", "a=1", "--node-label", "b=2,c=3", "--tls-san", "api.example.com")
	if want := []string{"a=1", "b=2", "c=3"}; !slices.Equal(s.NodeLabel, want) {
		t.Errorf("NodeLabel = %q, want %q", s.NodeLabel, want)
	}
	if want := map[string]string{"a": "1", "b": "2", "c": "3"}; len(s.Labels) != len(want) ||
		s.Labels["c"] != "3" {
		t.Errorf("Labels = %v, want %v", s.Labels, want)
	}
	if !slices.Equal(s.TLSSAN, []string{"api.example.com"}) {
		t.Errorf("TLSSAN = %q", s.TLSSAN)
	}
}

func TestLoadServerListMerge(t *testing.T) {
	tests := []struct {
		name   string
		dropIn string
		want   []string
	}{
		{name: "replace", dropIn: "node-label: [c=3]\n", want: []string{"c=3"}},
		{name: "append", dropIn: "node-label+: [c=3]\n", want: []string{"a=1", "b=2", "c=3"}},
		{name: "append scalar", dropIn: "node-label+: c=3\n", want: []string{"a=1", "b=2", "c=3"}},
		{name: "replace with null", dropIn: "node-label:\n", want: nil},
		{name: "untouched", dropIn: "debug: true\n", want: []string{"a=1", "b=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys := testSystem(nil, map[string]string{
				mainFile:              "node-label:\n  - a=1\n  - b=2\n",
				dropIns + "10-x.yaml": tt.dropIn,
			})
			s := mustLoadServer(t, sys)
			if !slices.Equal(s.NodeLabel, tt.want) {
				t.Errorf("NodeLabel = %q, want %q", s.NodeLabel, tt.want)
			}
		})
	}
}

func TestLoadServerAppendToDefault(t *testing.T) {
	sys := testSystem(nil, map[string]string{
		mainFile: "cluster-cidr+: [fd00:42::/56]\nservice-cidr+: [fd00:43::/112]\n",
	})
	s := mustLoadServer(t, sys)
	if want := []string{DefaultClusterCIDR, "fd00:42::/56"}; !slices.Equal(s.ClusterCIDR, want) {
		t.Errorf("ClusterCIDR = %q, want %q", s.ClusterCIDR, want)
	}
	if want := []string{"10.43.0.10", "fd00:43::a"}; !slices.Equal(s.ClusterDNS, want) {
		t.Errorf("ClusterDNS = %q, want %q", s.ClusterDNS, want)
	}
}

func TestLoadServerDropInOrder(t *testing.T) {
	sys := testSystem(nil, map[string]string{
		mainFile:                 "node-name: main\nhttps-listen-port: 7000\n",
		dropIns + "20-last.yaml": "node-name: twenty\n",
		dropIns + "10-mid.yaml":  "node-name: ten\ncluster-domain: ten.local\n",
		dropIns + "30-x.yml":     "node-name: ignored-extension\n",
		dropIns + "README":       "not yaml at all: [",
	})
	s := mustLoadServer(t, sys)
	if s.NodeName != "twenty" {
		t.Errorf("NodeName = %q, want the last drop-in's %q", s.NodeName, "twenty")
	}
	if s.ClusterDomain != "ten.local" || s.HTTPSListenPort != 7000 {
		t.Errorf("ClusterDomain, HTTPSListenPort = %q, %d; want ten.local, 7000",
			s.ClusterDomain, s.HTTPSListenPort)
	}
}

func TestLoadServerDropInsWithoutMainFile(t *testing.T) {
	sys := testSystem(nil, map[string]string{dropIns + "10-a.yaml": "node-name: only-drop-in\n"})
	if s := mustLoadServer(t, sys); s.NodeName != "only-drop-in" {
		t.Errorf("NodeName = %q, want only-drop-in", s.NodeName)
	}
}

func TestLoadFileErrors(t *testing.T) {
	netFile := dropIns + "10-net.yaml"
	tests := []struct {
		name    string
		content string
		want    []string
	}{
		{
			name: "unknown key", content: "node-lable: [a=b]\n",
			want: []string{netFile + ":1", `key "node-lable"`, `did you mean "node-label"`},
		},
		{
			name: "unknown key far from any", content: "cluster-cidr: 10.42.0.0/16\nzzz: 1\n",
			want: []string{netFile + ":2", `key "zzz": unknown key`},
		},
		{
			name: "bad CIDR", content: "cluster-cidr: 10.42.0.0/99\n",
			want: []string{netFile + `:1: key "cluster-cidr": invalid CIDR "10.42.0.0/99"`},
		},
		{
			name: "bad CIDR in list", content: "cluster-cidr:\n  - 10.42.0.0/16\n  - nope\n",
			want: []string{netFile, `key "cluster-cidr"`, `invalid CIDR "nope"`},
		},
		{
			name: "bad port", content: "https-listen-port: abc\n",
			want: []string{netFile, `key "https-listen-port"`, `invalid port "abc"`},
		},
		{
			name: "list for scalar", content: "https-listen-port: [1, 2]\n",
			want: []string{netFile, `key "https-listen-port"`, "got a list"},
		},
		{
			name: "mapping for list", content: "node-label:\n  a: b\n",
			want: []string{netFile, `key "node-label"`, "got a mapping"},
		},
		{
			name: "null for scalar", content: "bind-address:\n",
			want: []string{netFile, `key "bind-address"`, "got nothing"},
		},
		{
			name: "append to scalar", content: "node-name+: x\n",
			want: []string{netFile, `key "node-name+"`, "lists only"},
		},
		{
			name: "key twice", content: "debug: true\ndebug: false\n",
			want: []string{netFile + ":2", `key "debug"`, "twice"},
		},
		{
			name: "config key", content: "config: /other.yaml\n",
			want: []string{netFile, `key "config"`},
		},
		{
			name: "bad bool", content: "debug: maybe\n",
			want: []string{netFile, `key "debug"`},
		},
		{
			name: "bad taint effect", content: "node-taint: [a=b:Sometimes]\n",
			want: []string{netFile, `key "node-taint"`, `"Sometimes"`},
		},
		{
			name: "not a mapping", content: "- a\n- b\n",
			want: []string{netFile, "want a mapping"},
		},
		{
			name: "malformed yaml", content: "node-name: [\n",
			want: []string{netFile},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys := testSystem(nil, map[string]string{mainFile: "", netFile: tt.content})
			_, err := loadServer(t, sys)
			wantErrContaining(t, err, tt.want...)
		})
	}
}

func TestLoadAgentRejectsServerKeys(t *testing.T) {
	sys := testSystem(nil, map[string]string{mainFile: "cluster-init: true\n"})
	_, err := loadAgent(t, sys, "--server", "https://s:6443", "--token", "t")
	wantErrContaining(t, err, mainFile, `key "cluster-init"`, "lightnode server")
}

func TestLoadConfigFilePresence(t *testing.T) {
	other := "/srv/lightnode.yaml"
	tests := []struct {
		name     string
		env      map[string]string
		files    map[string]string
		args     []string
		wantErr  bool
		wantName string
	}{
		{name: "default missing", wantName: "node-1"},
		{name: "flag missing", args: []string{"--config", other}, wantErr: true},
		{
			name: "env missing", env: map[string]string{"LIGHTNODE_CONFIG_FILE": other},
			wantErr: true,
		},
		{
			name: "flag present", args: []string{"--config", other},
			files:    map[string]string{other: "node-name: other", mainFile: "node-name: main"},
			wantName: "other",
		},
		{
			name: "flag over env", args: []string{"--config", other},
			env:      map[string]string{"LIGHTNODE_CONFIG_FILE": "/missing.yaml"},
			files:    map[string]string{other: "node-name: other"},
			wantName: "other",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := loadServer(t, testSystem(tt.env, tt.files), tt.args...)
			if tt.wantErr {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("err = %v, want one wrapping fs.ErrNotExist", err)
				}
				wantErrContaining(t, err, "/")
				return
			}
			if err != nil {
				t.Fatalf("LoadServer: %v", err)
			}
			if s.NodeName != tt.wantName {
				t.Errorf("NodeName = %q, want %q", s.NodeName, tt.wantName)
			}
		})
	}
}

func TestLoadConfigFileRecorded(t *testing.T) {
	s := mustLoadServer(t, testSystem(nil, nil))
	if s.ConfigFile != DefaultConfigFile {
		t.Errorf("ConfigFile = %q, want %q", s.ConfigFile, DefaultConfigFile)
	}
}

func TestLoadAgentEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{name: "url alias", env: map[string]string{"LIGHTNODE_URL": "https://a:6443"},
			want: "https://a:6443"},
		{name: "flag name", env: map[string]string{"LIGHTNODE_SERVER": "https://b:6443"},
			want: "https://b:6443"},
		{name: "alias first", env: map[string]string{
			"LIGHTNODE_URL": "https://a:6443", "LIGHTNODE_SERVER": "https://b:6443"},
			want: "https://a:6443"},
		{name: "empty counts as unset", env: map[string]string{
			"LIGHTNODE_URL": "", "LIGHTNODE_SERVER": "https://b:6443"},
			want: "https://b:6443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["LIGHTNODE_TOKEN"] = "secret"
			a, err := loadAgent(t, testSystem(tt.env, nil))
			if err != nil {
				t.Fatalf("LoadAgent: %v", err)
			}
			if a.ServerURL != tt.want || a.EffectiveToken != "secret" {
				t.Errorf("ServerURL, EffectiveToken = %q, %q; want %q, secret",
					a.ServerURL, a.EffectiveToken, tt.want)
			}
		})
	}
}

func TestLoadEnvErrorNamesVariable(t *testing.T) {
	env := map[string]string{"LIGHTNODE_SERVICE_CIDR": "10.43.0.0/16,bad"}
	_, err := loadServer(t, testSystem(env, nil))
	wantErrContaining(t, err, "LIGHTNODE_SERVICE_CIDR", `invalid CIDR "bad"`)
}

func TestLoadRejectsArguments(t *testing.T) {
	_, err := loadServer(t, testSystem(nil, nil), "stray-secret")
	wantErrContaining(t, err, "takes no arguments")
	if err != nil && strings.Contains(err.Error(), "stray-secret") {
		t.Errorf("error %q echoes the argument", err)
	}
}
