package proxy

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"
	"k8s.io/kubernetes/cmd/kube-proxy/app"
)

// Run runs kube-proxy with the configuration file at configFile until ctx is done or
// kube-proxy fails.
func Run(ctx context.Context, configFile string) error {
	opts, err := load(configFile)
	if err != nil {
		return err
	}
	if err := opts.Run(ctx); err != nil && ctx.Err() == nil {
		return fmt.Errorf("kube-proxy: %w", err)
	}
	return nil
}

// load reads and validates the configuration file at configFile as kube-proxy does.
func load(configFile string) (*app.Options, error) {
	opts := app.NewOptions()
	fs := pflag.NewFlagSet("kube-proxy", pflag.ContinueOnError)
	opts.AddFlags(fs)
	if err := fs.Parse([]string{"--config=" + configFile}); err != nil {
		return nil, fmt.Errorf("kube-proxy flags: %w", err)
	}
	if err := opts.Complete(fs); err != nil {
		return nil, fmt.Errorf("kube-proxy: %w", err)
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("kube-proxy config: %w", err)
	}
	return opts, nil
}
