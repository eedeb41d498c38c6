package join

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/internal/token"
)

// Options configures the join handler.
type Options struct {
	// CAs is the cluster's CA set; it signs node certificates and is handed to joining
	// servers. Required.
	CAs *pki.CASet
	// ServerToken admits servers, and agents too. Required.
	ServerToken token.Token
	// AgentToken admits agents only. The zero value admits agents with ServerToken only.
	AgentToken token.Token
	// Datastore returns how to join the datastore, for the server bootstrap. Nil means
	// an empty DatastoreInfo.
	Datastore func(ctx context.Context) (DatastoreInfo, error)
	// Passwords keeps the node password hashes. Required to issue agent credentials.
	Passwords PasswordStore
	// Clock dates issued certificates; nil means the system clock.
	Clock pki.Clock
	// Logger receives what the handler did; nil means slog.Default.
	Logger *slog.Logger
	// Next serves every path that is not a join endpoint, normally the API server.
	// Nil answers those with 404.
	Next http.Handler
}

// handler serves the join endpoints.
type handler struct {
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux
}

// NewHandler returns the handler of the join endpoints described by the package
// comment, passing every other request to opts.Next. It fails when a required option
// is missing.
func NewHandler(opts Options) (http.Handler, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	h := &handler{opts: opts, log: opts.Logger}
	if h.log == nil {
		h.log = slog.Default()
	}

	h.mux = http.NewServeMux()
	h.mux.HandleFunc("GET "+CACertsPath, h.serveCACerts)
	h.mux.HandleFunc("GET "+ServerBootstrapPath, h.serveServerBootstrap)
	h.mux.HandleFunc("POST "+AgentCredentialsPath, h.serveAgentCredentials)
	return h, nil
}

// validate checks that the required options are set.
func (o Options) validate() error {
	var errs []error
	if o.CAs == nil || o.CAs.ServerCA == nil || o.CAs.ClientCA == nil {
		errs = append(errs, errors.New("join handler: a CA set with server and client CAs is required"))
	}
	if o.ServerToken.Secret() == "" {
		errs = append(errs, errors.New("join handler: a server token is required"))
	}
	if o.Passwords == nil {
		errs = append(errs, errors.New("join handler: a node password store is required"))
	}
	return errors.Join(errs...)
}

// ServeHTTP answers the join endpoints and hands every other path to Next.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if IsJoinPath(r.URL.Path) {
		h.mux.ServeHTTP(w, r)
		return
	}
	if h.opts.Next == nil {
		http.NotFound(w, r)
		return
	}
	h.opts.Next.ServeHTTP(w, r)
}

// serveCACerts writes the server CA bundle exactly as the token's CA hash covers it.
func (h *handler) serveCACerts(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/x-pem-file")
	_, _ = w.Write(h.opts.CAs.ServerCA.CertPEM())
}

// serveServerBootstrap hands the CA set and datastore information to a server.
func (h *handler) serveServerBootstrap(w http.ResponseWriter, r *http.Request) {
	if !h.authenticate(r, serverOnly) {
		rejectToken(w)
		return
	}

	var info DatastoreInfo
	if h.opts.Datastore != nil {
		var err error
		if info, err = h.opts.Datastore(r.Context()); err != nil {
			h.log.Warn("Cannot describe the datastore to a joining server", "err", err)
			writeError(w, http.StatusServiceUnavailable, "datastore information unavailable")
			return
		}
	}
	h.log.Info("Sent bootstrap data to a joining server", "remoteAddr", r.RemoteAddr)
	writeJSON(w, ServerBootstrap{CAFiles: h.opts.CAs.Files(), Datastore: info})
}
