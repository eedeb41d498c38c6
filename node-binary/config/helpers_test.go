package config

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spf13/cobra"
)

// testSystem returns a System with the given environment, files (keyed by absolute
// path) and hostname "node-1".
func testSystem(env map[string]string, files map[string]string) System {
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[strings.TrimPrefix(name, "/")] = &fstest.MapFile{Data: []byte(content)}
	}
	return System{
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		FS:        fsys,
		Hostname:  func() (string, error) { return "node-1", nil },
	}
}

// loadServer binds a server command, parses args and loads its settings.
func loadServer(t *testing.T, sys System, args ...string) (*Server, error) {
	t.Helper()
	cmd := &cobra.Command{Use: "server"}
	BindServerFlags(cmd, &Server{})
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatalf("parse flags %q: %v", args, err)
	}
	return LoadServer(cmd, cmd.Flags().Args(), sys)
}

// loadAgent binds an agent command, parses args and loads its settings.
func loadAgent(t *testing.T, sys System, args ...string) (*Agent, error) {
	t.Helper()
	cmd := &cobra.Command{Use: "agent"}
	BindAgentFlags(cmd, &Agent{})
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatalf("parse flags %q: %v", args, err)
	}
	return LoadAgent(cmd, cmd.Flags().Args(), sys)
}

// mustLoadServer loads server settings and fails the test on error.
func mustLoadServer(t *testing.T, sys System, args ...string) *Server {
	t.Helper()
	s, err := loadServer(t, sys, args...)
	if err != nil {
		t.Fatalf("LoadServer: %v", err)
	}
	return s
}

// wantErrContaining fails unless err is non-nil and contains every part.
func wantErrContaining(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", parts)
	}
	for _, part := range parts {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not contain %q", err, part)
		}
	}
}

// newAgentCommand returns a command with the agent flags bound.
func newAgentCommand(t *testing.T) *cobra.Command {
	t.Helper()
	cmd := &cobra.Command{Use: "agent"}
	BindAgentFlags(cmd, &Agent{})
	return cmd
}
