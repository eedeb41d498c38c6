package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestLoadServerFromOS(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	if err := os.MkdirAll(file+".d", 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, file, "node-label: [a=1]\ntoken-file: "+filepath.Join(dir, "token")+"\n")
	writeFile(t, filepath.Join(file+".d", "10-more.yaml"), "node-label+: [b=2]\n")
	writeFile(t, filepath.Join(dir, "token"), "os-secret\n")

	// The process environment is left out so that stray LIGHTNODE_* variables cannot
	// change the outcome.
	sys := OS()
	sys.LookupEnv = nil
	s := mustLoadServer(t, sys, "--config", file, "--node-name", "os-node")
	if !slices.Equal(s.NodeLabel, []string{"a=1", "b=2"}) || s.EffectiveToken != "os-secret" {
		t.Errorf("NodeLabel, EffectiveToken = %q, %q", s.NodeLabel, s.EffectiveToken)
	}
}

func TestLoadWithEmptySystem(t *testing.T) {
	if _, err := loadServer(t, System{}, "--node-name", "n"); err != nil {
		t.Errorf("LoadServer with an empty System and --node-name: %v", err)
	}
	_, err := loadServer(t, System{})
	wantErrContaining(t, err, "--node-name", errNoHostname.Error())
}

func TestTaintStringRoundTrip(t *testing.T) {
	for _, in := range []string{"a=b:NoSchedule", "example.com/spot:PreferNoSchedule"} {
		t.Run(in, func(t *testing.T) {
			taint, err := ParseTaint(in)
			if err != nil {
				t.Fatalf("ParseTaint: %v", err)
			}
			if got := taint.String(); got != in {
				t.Errorf("String = %q, want %q", got, in)
			}
		})
	}
}

// writeFile writes content to name or fails the test.
func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
