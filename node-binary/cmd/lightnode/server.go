package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/lightcluster/lightcluster/node-binary/config"
	"github.com/lightcluster/lightcluster/node-binary/server"
)

// serverGCPercent trades some CPU for a smaller heap, unless GOGC says otherwise: the
// heap may grow a quarter beyond what is live before a collection (Go's default is the
// double). Most of a control plane's heap is built once at start and stays live.
const serverGCPercent = 25

// Variables read by lightnode server that are not settings of a node: they move the
// embedded etcd ports, which tests running several servers on one machine need.
const (
	envEtcdClientPort = "LIGHTNODE_ETCD_CLIENT_PORT"
	envEtcdPeerPort   = "LIGHTNODE_ETCD_PEER_PORT"
)

func newServerCommand() *cobra.Command {
	var flags config.Server
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run a control-plane node",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.LoadServer(cmd, args, config.OS())
			if err != nil {
				return err
			}
			opts, err := serverOptions()
			if err != nil {
				return err
			}
			return runNode(cmd.Context(), cfg, opts)
		},
	}
	config.BindServerFlags(cmd, &flags)
	return cmd
}

func serverOptions() (server.Options, error) {
	opts := server.Options{Logger: slog.Default()}
	var err error
	if opts.EtcdClientPort, err = portFromEnv(envEtcdClientPort); err != nil {
		return opts, err
	}
	opts.EtcdPeerPort, err = portFromEnv(envEtcdPeerPort)
	return opts, err
}

func portFromEnv(name string) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return 0, nil
	}
	port, err := strconv.Atoi(v)
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("%s=%q: want a port number", name, v)
	}
	return port, nil
}

// runServer runs the server until SIGTERM or SIGINT; a second signal exits at once.
func runServer(parent context.Context, cfg *config.Server, opts server.Options) error {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(signals)
	go func() {
		<-signals
		cancel()
		<-signals
		fmt.Fprintln(os.Stderr, "lightnode: second signal, exiting without cleanup")
		os.Exit(1)
	}()

	slog.Info("Starting lightnode server", "dataDir", cfg.DataDir,
		"port", cfg.HTTPSListenPort, "clusterInit", cfg.ClusterInit, "join", cfg.ServerURL)
	return server.Run(ctx, cfg, opts)
}
