package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/lightcluster/lightcluster/node-binary/agent"
	"github.com/lightcluster/lightcluster/node-binary/agent/containerd"
	"github.com/lightcluster/lightcluster/node-binary/config"
	"github.com/lightcluster/lightcluster/node-binary/server"
)

func newAgentCommand() *cobra.Command {
	var flags config.Agent
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Run a worker node that joins a server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.LoadAgent(cmd, args, config.OS())
			if err != nil {
				return err
			}
			if os.Getenv("GOGC") == "" {
				debug.SetGCPercent(serverGCPercent)
			}
			ctx, stop := signal.NotifyContext(contextOf(cmd), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			go releaseStartupPages(ctx)
			slog.Info("Starting lightnode agent", "dataDir", cfg.DataDir, "server", cfg.ServerURL,
				"node", cfg.NodeName)
			return agent.Run(ctx, cfg, agent.Options{Logger: slog.Default()})
		},
	}
	config.BindAgentFlags(cmd, &flags)
	return cmd
}

// newContainerdCommand runs containerd in this process; the agent starts lightnode
// under this subcommand as its container runtime.
func newContainerdCommand() *cobra.Command {
	return &cobra.Command{
		Use:                containerd.CommandName,
		Short:              "Run the embedded containerd (started by the agent)",
		Hidden:             true,
		DisableFlagParsing: true,
		Run: func(_ *cobra.Command, args []string) {
			go releaseStartupPages(context.Background())
			containerd.Main(args)
		},
	}
}

// runNode runs the server and, unless the configuration disables it, an agent that
// joins it through the loopback address with the server's own token. When either
// stops, both do. It also grants the nodes' flannel the access it needs.
func runNode(parent context.Context, cfg *config.Server, opts server.Options) error {
	ctx, cancel := context.WithCancel(contextOrBackground(parent))
	defer cancel()
	go releaseStartupPages(ctx)
	go func() { _ = agent.EnsureNodeNetworkRBAC(ctx, cfg.WriteKubeconfig) }()
	agentDone := make(chan error, 1)
	if cfg.DisableAgent {
		agentDone <- nil
	} else {
		go func() {
			agentDone <- runEmbeddedAgent(ctx, cfg)
			cancel()
		}()
	}
	err := runServer(ctx, cfg, opts)
	cancel()
	if agentErr := <-agentDone; err == nil {
		err = agentErr
	}
	return err
}

// runEmbeddedAgent runs the agent of a server.
func runEmbeddedAgent(ctx context.Context, cfg *config.Server) error {
	a := cfg.Agent
	a.ServerURL = fmt.Sprintf("https://127.0.0.1:%d", cfg.HTTPSListenPort)
	a.EffectiveToken = ""
	cluster := agent.ClusterFromServer(cfg)
	err := agent.Run(ctx, &a, agent.Options{
		Logger:    slog.Default().With("component", "agent"),
		Cluster:   &cluster,
		TokenFile: filepath.Join(cfg.DataDir, "server", "token"),
	})
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	return nil
}

func contextOf(cmd *cobra.Command) context.Context {
	return contextOrBackground(cmd.Context())
}

func contextOrBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
