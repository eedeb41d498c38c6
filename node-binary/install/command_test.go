package install

import (
	"slices"
	"testing"
)

func TestInstallCommandLeavesRoleFlagsToTheRole(t *testing.T) {
	cmd := NewInstallCommand()
	args := []string{"--install-dir", "/opt/bin", "server", "--token", "t", "--cluster-init"}
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatalf("parse: %v", err)
	}
	if got := cmd.Flags().Lookup("install-dir").Value.String(); got != "/opt/bin" {
		t.Errorf("install-dir %q, want /opt/bin", got)
	}
	want := []string{"server", "--token", "t", "--cluster-init"}
	if got := cmd.Flags().Args(); !slices.Equal(got, want) {
		t.Errorf("role arguments %q, want %q", got, want)
	}
}

func TestUninstallCommandTakesNoArguments(t *testing.T) {
	cmd := NewUninstallCommand()
	if err := cmd.Args(cmd, []string{"server"}); err == nil {
		t.Errorf("uninstall accepted an argument")
	}
}
