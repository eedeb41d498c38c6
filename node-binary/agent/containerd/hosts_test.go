package containerd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteHosts(t *testing.T) {
	mirrorTLS := &TLSConfig{CAFile: "/etc/ca.pem", CertFile: "/etc/c.pem", KeyFile: "/etc/k.pem"}
	tests := []struct {
		name    string
		regs    Registries
		files   map[string]string // registry directory: whole hosts.toml
		absent  []string          // registry directories that must not exist
		wantErr bool
	}{
		{name: "no mirrors blocks every registry", files: map[string]string{
			"_default": "server = \"http://127.0.0.1:1\"\n"},
			absent: []string{"docker.io"}},
		{name: "docker.io mirror", regs: Registries{Mirrors: map[string]Mirror{
			"docker.io": {Endpoint: []string{"mirror.local:5000"}}}},
			files: map[string]string{
				"_default": "server = \"http://127.0.0.1:1\"\n",
				"docker.io": "server = \"https://registry-1.docker.io\"\n\n" +
					"[host.\"https://mirror.local:5000\"]\n" +
					"  capabilities = [\"pull\", \"resolve\"]\n",
			}},
		{name: "wildcard mirror keeps the unreachable fallback", regs: Registries{
			Mirrors: map[string]Mirror{"*": {Endpoint: []string{"http://m:80"}}}},
			files: map[string]string{"_default": "server = \"http://127.0.0.1:1\"\n\n" +
				"[host.\"http://m:80\"]\n  capabilities = [\"pull\", \"resolve\"]\n"}},
		{name: "TLS of a mirror endpoint", regs: Registries{
			Mirrors: map[string]Mirror{"docker.io": {Endpoint: []string{
				"https://mirror.local:5000/v2/hub", "https://plain.local"}}},
			Configs: map[string]RegistryConfig{
				"mirror.local:5000": {TLS: mirrorTLS},
				"plain.local":       {TLS: &TLSConfig{InsecureSkipVerify: true}},
				"unused.local":      {TLS: &TLSConfig{InsecureSkipVerify: true}},
			}},
			files: map[string]string{"docker.io": "server = \"https://registry-1.docker.io\"\n\n" +
				"[host.\"https://mirror.local:5000/v2/hub\"]\n" +
				"  capabilities = [\"pull\", \"resolve\"]\n" +
				"  ca = \"/etc/ca.pem\"\n" +
				"  client = [[\"/etc/c.pem\", \"/etc/k.pem\"]]\n\n" +
				"[host.\"https://plain.local\"]\n" +
				"  capabilities = [\"pull\", \"resolve\"]\n" +
				"  skip_verify = true\n"},
			absent: []string{"unused.local"}},
		{name: "TLS of the registry itself, docker.io as its server", regs: Registries{
			Mirrors: map[string]Mirror{"docker.io": {}, "r.example.com": {}},
			Configs: map[string]RegistryConfig{
				"docker.io":     {TLS: &TLSConfig{CAFile: "/etc/hub.pem"}},
				"r.example.com": {TLS: &TLSConfig{InsecureSkipVerify: true}},
			}},
			files: map[string]string{
				"docker.io": "server = \"https://registry-1.docker.io\"\n" +
					"ca = \"/etc/hub.pem\"\n",
				"r.example.com": "server = \"https://r.example.com\"\nskip_verify = true\n",
			}},
		{name: "path in name", regs: Registries{Mirrors: map[string]Mirror{"../x": {}}},
			wantErr: true},
		{name: "default directory as a name", wantErr: true,
			regs: Registries{Mirrors: map[string]Mirror{"_default": {}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "certs.d")
			err := WriteHosts(dir, tt.regs)
			if (err != nil) != tt.wantErr {
				t.Fatalf("WriteHosts() error = %v, wantErr %v", err, tt.wantErr)
			}
			for reg, want := range tt.files {
				data, err := os.ReadFile(filepath.Join(dir, reg, "hosts.toml"))
				if err != nil {
					t.Fatal(err)
				}
				if string(data) != want {
					t.Errorf("%s/hosts.toml =\n%s\nwant\n%s", reg, data, want)
				}
			}
			for _, reg := range tt.absent {
				if _, err := os.Stat(filepath.Join(dir, reg)); !os.IsNotExist(err) {
					t.Errorf("%s exists (err %v); a registry without a mirror entry must "+
						"fall to _default", reg, err)
				}
			}
		})
	}
}

func TestWriteHostsReplacesOldEntries(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs.d")
	open := Registries{Mirrors: map[string]Mirror{"quay.io": {}}}
	if err := WriteHosts(dir, open); err != nil {
		t.Fatal(err)
	}
	if err := WriteHosts(dir, Registries{}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != defaultHostDir {
		t.Errorf("hosts directory holds %v after the mirror was removed, want only %s",
			names, defaultHostDir)
	}
}
