// Command lightnode is the single binary of a lightcluster node: `lightnode server`
// runs a control-plane node, `lightnode agent` a worker, `lightnode kubectl` the
// embedded kubectl, `lightnode install` and `uninstall` manage the service, and the
// other subcommands manage tokens, certificates and the version. Invoked under the name
// kubectl (a symlink), it behaves as kubectl.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lightcluster/lightcluster/node-binary/install"
	"github.com/lightcluster/lightcluster/node-binary/kubectl"
)

func main() {
	if strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe") == "kubectl" {
		kubectl.Main(os.Args[1:])
	}
	if err := newRootCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "lightnode: "+err.Error())
		os.Exit(1)
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "lightnode",
		Short:         "A lightweight Kubernetes node in one binary",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newServerCommand(),
		newAgentCommand(),
		newContainerdCommand(),
		newKubectlCommand(),
		newVersionCommand(),
		newTokenCommand(),
		newCertificateCommand(),
		install.NewInstallCommand(),
		install.NewUninstallCommand(),
	)
	return root
}

func newKubectlCommand() *cobra.Command {
	return &cobra.Command{
		Use:                "kubectl",
		Short:              "Run kubectl against this node's cluster",
		DisableFlagParsing: true,
		Run: func(_ *cobra.Command, args []string) {
			kubectl.Main(args)
		},
	}
}
