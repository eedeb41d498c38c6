package config

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestServerUsageGroupsFlags(t *testing.T) {
	root := &cobra.Command{Use: "lightnode"}
	root.PersistentFlags().Bool("verbose", false, "global flag")
	cmd := &cobra.Command{Use: "server", Run: func(*cobra.Command, []string) {}}
	root.AddCommand(cmd)
	BindServerFlags(cmd, &Server{})
	var out bytes.Buffer
	cmd.SetOut(&out)
	if err := cmd.Usage(); err != nil {
		t.Fatalf("Usage: %v", err)
	}
	text := out.String()

	// Each group heading appears, in order, and holds its own flags.
	last := -1
	for _, heading := range []string{"General flags:", "Node flags:", "Cluster flags:",
		"Listener flags:", "Kubeconfig flags:", "Components flags:", "Networking flags:",
		"Global flags:"} {
		at := strings.Index(text, heading)
		if at <= last {
			t.Fatalf("heading %q at %d, want after %d:\n%s", heading, at, last, text)
		}
		last = at
	}
	networking := text[strings.Index(text, "Networking flags:"):strings.Index(text, "Global")]
	for _, want := range []string{"--cluster-cidr", "--flannel-iface", "$LIGHTNODE_CLUSTER_CIDR",
		"(default 10.42.0.0/16)"} {
		if !strings.Contains(networking, want) {
			t.Errorf("Networking group lacks %q:\n%s", want, networking)
		}
	}
	if !strings.Contains(text, "[$LIGHTNODE_URL]") || !strings.Contains(text, "--verbose") {
		t.Errorf("usage lacks $LIGHTNODE_URL or the inherited --verbose:\n%s", text)
	}
}

func TestAgentUsageHasNoServerFlags(t *testing.T) {
	cmd := newAgentCommand(t)
	var out bytes.Buffer
	cmd.SetOut(&out)
	if err := cmd.Usage(); err != nil {
		t.Fatalf("Usage: %v", err)
	}
	text := out.String()
	if strings.Contains(text, "--cluster-cidr") || !strings.Contains(text, "--server") {
		t.Errorf("agent usage is wrong:\n%s", text)
	}
}
