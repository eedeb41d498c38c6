package containerd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	base := Config{
		Root: "/var/lib/lightnode/agent/containerd", State: "/run/lightnode/containerd",
		Address: "/run/lightnode/containerd/containerd.sock", BinDir: "/data/abc/bin",
		CNIConfDir: "/etc/cni", HostsDir: "/etc/certs.d",
		SandboxImage: "lightcluster.dev/pause:3.10", Snapshotter: SnapshotterOverlay,
	}
	tests := []struct {
		name    string
		change  func(*Config)
		want    []string
		wantErr bool
	}{
		{name: "cgroupfs overlay", change: func(*Config) {}, want: []string{
			`snapshotter = "overlayfs"`, `SystemdCgroup = false`,
			`sandbox = "lightcluster.dev/pause:3.10"`, `bin_dirs = ["/data/abc/bin"]`,
			`BinaryName = "/data/abc/bin/runc"`, `config_path = "/etc/certs.d"`,
			`address = "/run/lightnode/containerd/containerd.sock"`,
		}},
		{name: "systemd native", change: func(c *Config) {
			c.SystemdCgroup, c.Snapshotter = true, SnapshotterNative
		}, want: []string{`SystemdCgroup = true`, `snapshotter = "native"`,
			`restrict_oom_score_adj = false`}},
		{name: "no CAP_SYS_RESOURCE", change: func(c *Config) { c.RestrictOOMScoreAdj = true },
			want: []string{`restrict_oom_score_adj = true`}},
		{name: "unknown snapshotter", change: func(c *Config) { c.Snapshotter = "zfs" },
			wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.change(&c)
			out, err := Render(c)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Render() error = %v, wantErr %v", err, tt.wantErr)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("config lacks %s:\n%s", w, out)
				}
			}
		})
	}
}

func TestWriteHosts(t *testing.T) {
	tests := []struct {
		name    string
		mirrors map[string][]string
		files   map[string][]string
		wantErr bool
	}{
		{name: "no mirrors blocks every registry", files: map[string][]string{
			"_default": {`server = "http://127.0.0.1:1"`}}},
		{name: "docker.io mirror", mirrors: map[string][]string{
			"docker.io": {"mirror.local:5000"}}, files: map[string][]string{
			"_default":  {`server = "http://127.0.0.1:1"`},
			"docker.io": {`server = "https://registry-1.docker.io"`, `[host."https://mirror.local:5000"]`},
		}},
		{name: "wildcard mirror", mirrors: map[string][]string{"*": {"http://m:80"}},
			files: map[string][]string{"_default": {`[host."http://m:80"]`}}},
		{name: "path in name", mirrors: map[string][]string{"../x": {"m"}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "certs.d")
			err := WriteHosts(dir, tt.mirrors)
			if (err != nil) != tt.wantErr {
				t.Fatalf("WriteHosts() error = %v, wantErr %v", err, tt.wantErr)
			}
			for reg, wants := range tt.files {
				data, err := os.ReadFile(filepath.Join(dir, reg, "hosts.toml"))
				if err != nil {
					t.Fatal(err)
				}
				for _, w := range wants {
					if !strings.Contains(string(data), w) {
						t.Errorf("%s/hosts.toml lacks %s:\n%s", reg, w, data)
					}
				}
			}
		})
	}
}

func TestLoadRegistries(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string
		want          map[string][]string
		wantErr       bool
	}{
		{name: "missing file", want: map[string][]string{}},
		{name: "mirrors", content: "mirrors:\n  docker.io:\n    endpoint: [\"https://m\"]\n",
			want: map[string][]string{"docker.io": {"https://m"}}},
		{name: "not yaml", content: "mirrors: [", wantErr: true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".yaml")
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r, err := LoadRegistries(path)
			if (err != nil) != tt.wantErr {
				t.Fatalf("case %d: error = %v, wantErr %v", i, err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			got := r.Endpoints()
			if len(got) != len(tt.want) {
				t.Fatalf("Endpoints() = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if strings.Join(got[k], ",") != strings.Join(v, ",") {
					t.Errorf("Endpoints()[%s] = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}
