package datastore

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrCorrupt reports that the local database exists but cannot be read. Restarting
// does not help; the file must be repaired or restored from a backup.
var ErrCorrupt = errors.New("database is corrupt")

// Backend is how the API server reaches the datastore: the etcd protocol at
// Endpoints, over TLS when the file fields are set.
type Backend struct {
	// Endpoints are etcd client URLs (http, https or unix).
	Endpoints []string
	// CAFile verifies the datastore's serving certificate.
	CAFile string
	// CertFile and KeyFile are the client certificate the API server presents.
	CertFile, KeyFile string
}

// Config says which datastore to start.
type Config struct {
	// DBDir holds the local database: state.db for SQLite, etcd/ for embedded etcd.
	DBDir string
	// Endpoint is an external datastore DSN; empty means local SQLite. It may hold
	// credentials and never appears in errors.
	Endpoint string
	// EtcdClientTLS is the client certificate for an external https etcd.
	EtcdClientTLS Backend
	// Etcd, when set, runs embedded etcd instead of kine.
	Etcd *EtcdConfig
}

// Datastore is a started datastore.
type Datastore struct {
	// Backend is how the API server reaches it.
	Backend Backend
	done    chan struct{}
	err     error
}

// Done is closed when the datastore has stopped, after its context was cancelled or
// it failed; Err then says why.
func (d *Datastore) Done() <-chan struct{} { return d.done }

// Err returns what stopped the datastore, nil after a clean stop.
func (d *Datastore) Err() error { return d.err }

// Start starts the datastore cfg describes and returns once it accepts clients.
// Cancelling ctx stops it; Done tells when it has.
func Start(ctx context.Context, cfg Config) (*Datastore, error) {
	switch {
	case cfg.Etcd != nil:
		return startEtcd(ctx, cfg.DBDir, *cfg.Etcd)
	case isEtcdURL(cfg.Endpoint):
		return external(ctx, cfg), nil
	default:
		return startKine(ctx, cfg)
	}
}

func isEtcdURL(endpoint string) bool {
	return strings.HasPrefix(endpoint, "http://") || strings.HasPrefix(endpoint, "https://")
}

// external is an etcd cluster that lightnode does not run.
func external(ctx context.Context, cfg Config) *Datastore {
	b := Backend{Endpoints: strings.Split(cfg.Endpoint, ",")}
	if strings.HasPrefix(cfg.Endpoint, "https://") {
		b.CAFile, b.CertFile, b.KeyFile =
			cfg.EtcdClientTLS.CAFile, cfg.EtcdClientTLS.CertFile, cfg.EtcdClientTLS.KeyFile
	}
	d := &Datastore{Backend: b, done: make(chan struct{})}
	go func() {
		<-ctx.Done()
		close(d.done)
	}()
	return d
}

func (d *Datastore) stop(err error) {
	d.err = err
	close(d.done)
}

func wrapf(err error, format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, err)...)
}
