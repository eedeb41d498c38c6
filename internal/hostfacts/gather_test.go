package hostfacts

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lightcluster/lightcluster/internal/ssh"
)

// The SSH client is the runner the operator uses.
var _ Runner = (*ssh.Client)(nil)

// fakeRunner returns a fixed result and records the command it was given.
type fakeRunner struct {
	res ssh.Result
	err error
	got ssh.Command
}

// Run records cmd and returns the fixed result.
func (f *fakeRunner) Run(_ context.Context, cmd ssh.Command) (ssh.Result, error) {
	f.got = cmd
	return f.res, f.err
}

// localRunner runs scripts with sh on this machine.
type localRunner struct{}

// Run runs cmd.Script with sh -c.
func (localRunner) Run(ctx context.Context, cmd ssh.Command) (ssh.Result, error) {
	var stdout, stderr bytes.Buffer
	c := exec.CommandContext(ctx, "sh", "-c", cmd.Script)
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	return ssh.Result{Stdout: stdout.String(), Stderr: stderr.String()}, err
}

func TestGatherParsesRunnerOutput(t *testing.T) {
	runner := &fakeRunner{res: ssh.Result{Stdout: ubuntuOutput}}
	facts, err := Gather(t.Context(), runner, "/var/lib/light node")
	if err != nil {
		t.Fatalf("Gather() = %v", err)
	}
	if facts.OSID != "ubuntu" || facts.Arch != "amd64" {
		t.Errorf("Gather() = %+v, want the parsed ubuntu facts", facts)
	}
	if !strings.Contains(runner.got.Script, "d='/var/lib/light node'") {
		t.Errorf("script does not quote the data dir:\n%s", runner.got.Script)
	}
	if runner.got.Sudo {
		t.Error("Gather asked for sudo; the facts need none")
	}
}

func TestGatherErrors(t *testing.T) {
	runErr := errors.New("connection lost")
	tests := []struct {
		name    string
		runner  *fakeRunner
		dataDir string
		wantErr error
	}{
		{name: "runner fails", runner: &fakeRunner{err: runErr}, dataDir: "/var/lib/x",
			wantErr: runErr},
		{name: "unparsable output", runner: &fakeRunner{res: ssh.Result{Stdout: "junk"}},
			dataDir: "/var/lib/x"},
		{name: "relative data dir", runner: &fakeRunner{}, dataDir: "var/lib/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Gather(t.Context(), tt.runner, tt.dataDir)
			if err == nil {
				t.Fatal("Gather() = nil, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Gather() = %v, want it to wrap %v", err, tt.wantErr)
			}
		})
	}
}

func TestGatherRunsScriptOnThisMachine(t *testing.T) {
	// The data dir does not exist: free space comes from its nearest existing parent.
	dataDir := filepath.Join(t.TempDir(), "not", "yet", "created")
	facts, err := Gather(t.Context(), localRunner{}, dataDir)
	if err != nil {
		t.Fatalf("Gather() = %v", err)
	}
	if facts.Arch == "" || facts.Kernel == "" || facts.Hostname == "" {
		t.Errorf("Gather() = %+v, want arch, kernel and hostname", facts)
	}
	if facts.CPUs < 1 || facts.MemoryBytes <= 0 || facts.DataDirFreeBytes <= 0 {
		t.Errorf("Gather() = %+v, want positive CPUs, memory and free space", facts)
	}
}
