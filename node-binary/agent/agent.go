package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/lightcluster/lightcluster/node-binary/config"
	"github.com/lightcluster/lightcluster/node-binary/join"
)

// Options are the settings of Run that do not come from the agent configuration.
type Options struct {
	// Logger receives start-up and shutdown messages; nil means slog.Default.
	Logger *slog.Logger
	// Cluster holds the cluster's network settings when the agent runs inside a
	// server, which then records them on its Node; nil makes the agent read them from
	// the cluster.
	Cluster *Cluster
	// TokenFile is read for the join token when the configuration has none, waiting
	// for the file to appear: a server writes its token there while it starts.
	TokenFile string
	// NodePasswordFile keeps the node password; empty means join.DefaultNodePasswordFile.
	NodePasswordFile string
	// Self is the lightnode binary that runs containerd; empty means /proc/self/exe.
	Self string
}

// runner holds what one Run prepares and starts.
type runner struct {
	cfg  *config.Agent
	opts Options
	log  *slog.Logger
	dirs layout

	token    string
	nodeName string
	hostname string
	nodeIPs  []netip.Addr
	cgroups  cgroupHost
	cluster  Cluster
	binDir   string
}

// Run runs the agent of cfg until ctx is done, then stops containerd and returns nil.
// It returns an error naming the step or component that failed otherwise; a refused
// token gives an error that wraps join.ErrTokenRejected.
func Run(ctx context.Context, cfg *config.Agent, opts Options) error {
	r := newRunner(cfg, opts)
	if err := r.prepare(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	return r.start(ctx)
}

func newRunner(cfg *config.Agent, opts Options) *runner {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.NodePasswordFile == "" {
		opts.NodePasswordFile = join.DefaultNodePasswordFile
	}
	if opts.Self == "" {
		opts.Self = "/proc/self/exe"
	}
	return &runner{cfg: cfg, opts: opts, log: opts.Logger, dirs: newLayout(cfg.DataDir)}
}

// prepare settles the node's identity, joins the cluster and unpacks the bundle.
func (r *runner) prepare(ctx context.Context) error {
	if os.Geteuid() != 0 {
		return errors.New("lightnode agent must run as root")
	}
	if err := r.identify(); err != nil {
		return err
	}
	if err := r.readToken(ctx); err != nil {
		return err
	}
	if err := r.ensureCredentials(ctx); err != nil {
		return err
	}
	r.log.Info("Joined the cluster", "server", r.cfg.ServerURL, "node", r.nodeName,
		"nodeIP", r.nodeIPs)

	r.cgroups = detectCgroups()
	if !r.cgroups.unified {
		r.log.Warn("This host uses cgroup v1; the kubelet runs, but cgroup v1 support is " +
			"deprecated upstream and will go away")
	}
	return r.extractBundle()
}

// identify validates the node name and settles the node IPs.
func (r *runner) identify() error {
	r.nodeName = r.cfg.NodeName
	if problems := validation.IsDNS1123Subdomain(r.nodeName); len(problems) > 0 {
		return fmt.Errorf("node name %q is not a lowercase DNS-1123 name: %s; set "+
			"--node-name", r.nodeName, problems[0])
	}
	r.hostname, _ = os.Hostname()
	r.nodeIPs = r.cfg.NodeIPs
	if len(r.nodeIPs) == 0 {
		ip, err := defaultNodeIP()
		if err != nil {
			return err
		}
		r.nodeIPs = []netip.Addr{ip}
	}
	return nil
}

// readToken takes the configured token, or waits for the token file of Options.
func (r *runner) readToken(ctx context.Context) error {
	r.token = r.cfg.EffectiveToken
	if r.token != "" {
		return nil
	}
	if r.opts.TokenFile == "" {
		return errors.New("join: a token is required (--token or --token-file)")
	}
	var lastLog time.Time
	for {
		data, err := os.ReadFile(r.opts.TokenFile)
		if err == nil && len(data) > 0 {
			r.token = string(bytes.TrimSpace(data))
			return nil
		}
		if time.Since(lastLog) >= waitLogEvery {
			r.log.Info("Waiting for the server token", "file", r.opts.TokenFile)
			lastLog = time.Now()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
