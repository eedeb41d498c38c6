package kubectl

import (
	"os"
	"path/filepath"
	"testing"
)

func TestUseDefaultKubeconfig(t *testing.T) {
	existing := filepath.Join(t.TempDir(), "lightnode.yaml")
	if err := os.WriteFile(existing, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     string
		envSet  bool
		args    []string
		path    string
		want    string
		wantSet bool
	}{
		{name: "file exists", args: []string{"get", "ns"}, path: existing,
			want: existing, wantSet: true},
		{name: "file missing", args: []string{"get", "ns"}, path: existing + ".absent"},
		{name: "env wins", env: "/other", envSet: true, path: existing,
			want: "/other", wantSet: true},
		{name: "flag wins", args: []string{"--kubeconfig=/x", "get", "ns"}, path: existing},
		{name: "flag after -- is an argument", args: []string{"exec", "--", "--kubeconfig"},
			path: existing, want: existing, wantSet: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.envSet {
				t.Setenv("KUBECONFIG", tt.env)
			} else {
				t.Setenv("KUBECONFIG", "")
				os.Unsetenv("KUBECONFIG")
			}
			useDefaultKubeconfig(tt.args, tt.path)
			got, set := os.LookupEnv("KUBECONFIG")
			if set != tt.wantSet || got != tt.want {
				t.Errorf("KUBECONFIG = %q (set %v), want %q (set %v)", got, set, tt.want, tt.wantSet)
			}
		})
	}
}
