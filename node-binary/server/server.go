package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/internal/token"
	"github.com/lightcluster/lightcluster/node-binary/config"
	"github.com/lightcluster/lightcluster/node-binary/datastore"
)

// Options are the settings of Run that do not come from the server configuration.
type Options struct {
	// Clock dates certificates; nil means the system clock.
	Clock pki.Clock
	// EtcdClientPort and EtcdPeerPort are the embedded etcd ports; zero means
	// datastore.DefaultEtcdClientPort and DefaultEtcdPeerPort.
	EtcdClientPort, EtcdPeerPort int
	// Logger receives start-up and shutdown messages; nil means slog.Default.
	Logger *slog.Logger
}

// runner holds what one Run prepares and starts.
type runner struct {
	cfg   *config.Server
	opts  Options
	log   *slog.Logger
	dirs  layout
	cas   *pki.CASet
	store *datastore.Datastore
	exits *exitGuard

	serverToken, agentToken token.Token
	joinEtcdURLs            []string
}

// Run runs the control plane of cfg until ctx is done, then stops it and returns nil.
// It returns an error naming the step or component that failed otherwise.
func Run(ctx context.Context, cfg *config.Server, opts Options) error {
	r := newRunner(cfg, opts)
	if err := r.prepare(ctx); err != nil {
		return err
	}
	return r.start(ctx)
}

func newRunner(cfg *config.Server, opts Options) *runner {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.EtcdClientPort == 0 {
		opts.EtcdClientPort = datastore.DefaultEtcdClientPort
	}
	if opts.EtcdPeerPort == 0 {
		opts.EtcdPeerPort = datastore.DefaultEtcdPeerPort
	}
	return &runner{cfg: cfg, opts: opts, log: opts.Logger, dirs: newLayout(cfg.DataDir)}
}

// prepare checks the machine and writes what the components read: certificates,
// tokens and kubeconfigs.
func (r *runner) prepare(ctx context.Context) error {
	if err := checkDataDir(r.cfg.DataDir); err != nil {
		return err
	}
	if err := checkPort(net.IP(r.cfg.BindIP.AsSlice()), r.cfg.HTTPSListenPort); err != nil {
		return err
	}
	if r.joining() {
		if err := r.bootstrap(ctx); err != nil {
			return err
		}
	}
	if err := r.ensureTLS(); err != nil {
		return err
	}
	if err := r.ensureTokens(); err != nil {
		return err
	}
	return r.writeKubeconfigs()
}

func (r *runner) ensureTokens() error {
	caPEM := r.cas.ServerCA.CertPEM()
	st, err := ensureToken(r.dirs.TokenFile(), r.cfg.EffectiveToken, token.RoleServer, caPEM)
	if err != nil {
		return err
	}
	at, err := ensureToken(r.dirs.AgentTokenFile(), r.cfg.EffectiveAgentToken,
		token.RoleAgent, caPEM)
	if err != nil {
		return err
	}
	r.serverToken, r.agentToken = st, at
	return nil
}

// joining reports whether this server joins a cluster through another server.
func (r *runner) joining() bool { return r.cfg.ServerURL != "" }

// multiServer reports whether other servers may share the datastore, so the
// controllers need leader election.
func (r *runner) multiServer() bool {
	return r.cfg.ClusterInit || r.joining() || r.cfg.DatastoreEndpoint != ""
}

// embeddedEtcd reports whether this server runs an etcd member.
func (r *runner) embeddedEtcd() bool {
	return r.cfg.ClusterInit || (r.joining() && r.cfg.DatastoreEndpoint == "")
}

func (r *runner) hostname() string {
	if h, err := os.Hostname(); err == nil {
		return strings.ToLower(h)
	}
	return r.cfg.NodeName
}

func prefixes(list []netip.Prefix) []string {
	out := make([]string, 0, len(list))
	for _, p := range list {
		out = append(out, p.String())
	}
	return out
}

// componentError names the component that stopped the server.
type componentError struct {
	component string
	err       error
}

func (e *componentError) Error() string {
	if e.err == nil {
		return e.component + " stopped unexpectedly"
	}
	return e.component + ": " + e.err.Error()
}

func (e *componentError) Unwrap() error { return e.err }

// ComponentOf returns the component named by an error of Run, or "".
func ComponentOf(err error) string {
	var ce *componentError
	if errors.As(err, &ce) {
		return ce.component
	}
	return ""
}
