//go:build bundle

package bundle

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmbeddedBundleRuns extracts the bundle the build embedded and runs each program's
// version command, which fails when a program is missing, damaged or not static enough
// to start on this host. runc must report its libseccomp, which filters the system
// calls of pods that ask for a seccomp profile.
func TestEmbeddedBundleRuns(t *testing.T) {
	binDir, err := Extract(t.TempDir())
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	tests := []struct{ program, args, env, want string }{
		{"runc", "--version", "", "runc version 1.5.3"},
		{"runc", "--version", "", "libseccomp: "},
		{"containerd-shim-runc-v2", "-v", "", "v2.4.2"},
	}
	for _, plugin := range []string{"bridge", "loopback", "host-local", "portmap"} {
		tests = append(tests, []struct{ program, args, env, want string }{
			{plugin, "", "CNI_COMMAND=", "CNI " + plugin + " plugin v1.10.0"},
			{plugin, "", "CNI_COMMAND=VERSION", `"supportedVersions":[`},
		}...)
	}
	for _, tt := range tests {
		t.Run(tt.program+" "+tt.args+tt.env, func(t *testing.T) {
			cmd := exec.Command(filepath.Join(binDir, tt.program), strings.Fields(tt.args)...)
			cmd.Env = append(os.Environ(), tt.env)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), tt.want) {
				t.Errorf("%v, output %q, want it to contain %q", err, out, tt.want)
			}
		})
	}
	for _, image := range []string{"pause.tar", "coredns.tar"} {
		if _, err := os.Stat(filepath.Join(ImagesDir(binDir), image)); err != nil {
			t.Errorf("image %s: %v", image, err)
		}
	}
}
