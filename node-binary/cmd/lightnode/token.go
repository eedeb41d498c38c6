package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/internal/token"
)

func newTokenCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create and show join tokens",
	}
	cmd.AddCommand(newTokenGenerateCommand(), newTokenShowCommand())
	return cmd
}

func tokenRole(agent bool) token.Role {
	if agent {
		return token.RoleAgent
	}
	return token.RoleServer
}

func newTokenGenerateCommand() *cobra.Command {
	var dataDir string
	var agent bool
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Print a new random token, pinned to the server CA when one exists",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := token.Generate(tokenRole(agent))
			if err != nil {
				return err
			}
			ca := filepath.Join(dataDir, "server", "tls", pki.ServerCACertFile)
			if pem, err := os.ReadFile(ca); err == nil {
				t = t.Pin(pem)
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), t.Value())
			return err
		},
	}
	addDataDirFlag(cmd, &dataDir)
	cmd.Flags().BoolVar(&agent, "agent", false, "generate an agent token instead of a server token")
	return cmd
}

func newTokenShowCommand() *cobra.Command {
	var dataDir string
	var agent bool
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print the token this server admits nodes with",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			name := "token"
			if agent {
				name = "agent-token"
			}
			path := filepath.Join(dataDir, "server", name)
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("read token: %w", err)
			}
			t, err := token.Parse(string(data))
			if err != nil {
				return fmt.Errorf("token file %s: %w", path, err)
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), strings.TrimSpace(t.Value()))
			return err
		},
	}
	addDataDirFlag(cmd, &dataDir)
	cmd.Flags().BoolVar(&agent, "agent", false, "show the agent token instead of the server token")
	return cmd
}
