package containerd

import (
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
		{name: "credentials per host", change: func(c *Config) {
			c.RegistryAuth = map[string]AuthConfig{
				"mirror.local:5000": {Username: "puller", Password: `p"w\`},
				"ghcr.io":           {IdentityToken: "tok"},
				"quay.io":           {Auth: "dTpw"},
			}
		}, want: []string{
			"[plugins.'io.containerd.cri.v1.images'.registry.configs.\"mirror.local:5000\".auth]\n" +
				`  username = "puller"` + "\n" + `  password = "p\"w\\"`,
			"[plugins.'io.containerd.cri.v1.images'.registry.configs.\"ghcr.io\".auth]\n" +
				`  identitytoken = "tok"`,
			"[plugins.'io.containerd.cri.v1.images'.registry.configs.\"quay.io\".auth]\n" +
				`  auth = "dTpw"`,
		}},
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
			if c.RegistryAuth == nil && strings.Contains(string(out), "registry.configs") {
				t.Errorf("config without credentials has a registry.configs section:\n%s", out)
			}
		})
	}
}

func TestTOMLString(t *testing.T) {
	tests := []struct{ in, want string }{
		{in: "/var/lib/x", want: `"/var/lib/x"`},
		{in: `a"b\c`, want: `"a\"b\\c"`},
		{in: "tab\tnl\n", want: `"tab\tnl\n"`},
		{in: "bell\a del\x7f", want: `"bell\u0007 del\u007F"`},
		{in: "ünï", want: `"ünï"`},
	}
	for _, tt := range tests {
		if got := tomlString(tt.in); got != tt.want {
			t.Errorf("tomlString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
