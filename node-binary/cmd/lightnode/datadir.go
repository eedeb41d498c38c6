package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/lightcluster/lightcluster/node-binary/config"
)

// addDataDirFlag defines --data-dir for the subcommands that read a server's state,
// defaulting to LIGHTNODE_DATA_DIR or the standard data dir.
func addDataDirFlag(cmd *cobra.Command, dir *string) {
	def := config.DefaultDataDir
	if v := os.Getenv("LIGHTNODE_DATA_DIR"); v != "" {
		def = v
	}
	cmd.Flags().StringVarP(dir, "data-dir", "d", def, "directory holding the node's state")
}
