package install

import (
	"fmt"

	"github.com/spf13/cobra"
)

// NewInstallCommand returns `lightnode install server|agent [lightnode flags]`. Its own
// flags come before the role; everything after the role is a flag of `lightnode server`
// or `lightnode agent`, recorded in the config file.
func NewInstallCommand() *cobra.Command {
	var o Options
	cmd := &cobra.Command{
		Use:   "install server|agent [flags of the role]",
		Short: "Install lightnode as a service and start it",
		Long: "Install copies this binary to the install directory, records the given " +
			"flags in the config file, writes and enables the lightnode-server or " +
			"lightnode-agent service, and waits until it is up. Running it again is safe.",
		Example: "  lightnode install server --cluster-init\n" +
			"  lightnode install agent --server https://10.0.0.1:6443 --token-file /root/token",
		Args:         cobra.MinimumNArgs(1),
		ValidArgs:    []string{string(RoleServer), string(RoleAgent)},
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Role, o.Args = Role(args[0]), args[1:]
			if o.Role != RoleServer && o.Role != RoleAgent {
				return fmt.Errorf("unknown role %q: want server or agent", args[0])
			}
			o.Out = cmd.OutOrStdout()
			return Install(cmd.Context(), o)
		},
	}
	// Flags after the role belong to the role, not to install.
	cmd.Flags().SetInterspersed(false)
	bindCommon(cmd, &o)
	cmd.Flags().DurationVar(&o.WaitTimeout, "wait-timeout", DefaultWaitTimeout,
		"How long to wait for the service to come up; negative skips the wait")
	return cmd
}

// NewUninstallCommand returns `lightnode uninstall`.
func NewUninstallCommand() *cobra.Command {
	var o Options
	cmd := &cobra.Command{
		Use:   "uninstall",
		Short: "Stop lightnode and remove it and everything it created",
		Long: "Uninstall leaves the embedded etcd cluster, stops the service and its " +
			"containers, and removes the binary, config, data directory, network " +
			"interfaces and firewall rules. Running it again, or where nothing is " +
			"installed, is safe.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Out = cmd.OutOrStdout()
			return Uninstall(cmd.Context(), o)
		},
	}
	bindCommon(cmd, &o)
	cmd.Flags().StringVar(&o.DataDir, "data-dir", "",
		"Data directory to remove (default: the config file's data-dir, else /var/lib/lightnode)")
	return cmd
}

// bindCommon defines the flags install and uninstall share.
func bindCommon(cmd *cobra.Command, o *Options) {
	cmd.Flags().StringVar(&o.InstallDir, "install-dir", DefaultInstallDir,
		"Directory of the lightnode binary")
	cmd.Flags().StringVar(&o.ConfigFile, "config", "",
		"Config file (default /etc/lightnode/config.yaml)")
}
