package containerd

import (
	"context"
	"fmt"
	"os"

	"github.com/containerd/containerd/v2/cmd/containerd/command"
)

// CommandName is the lightnode subcommand that runs containerd.
const CommandName = "containerd"

// Main runs containerd with args (its own flags, such as --config) in this process
// and exits with its status. It is what `lightnode containerd` does.
func Main(args []string) {
	argv := append([]string{CommandName}, args...)
	if err := command.App().Run(context.Background(), argv); err != nil {
		fmt.Fprintln(os.Stderr, "containerd:", err)
		os.Exit(1)
	}
	os.Exit(0)
}
