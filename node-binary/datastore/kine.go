package datastore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/k3s-io/kine/pkg/drivers"
)

// SQLiteFile is the SQLite database under Config.DBDir.
const SQLiteFile = "state.db"

// KineSocket is the unix socket under Config.DBDir where kine serves the etcd protocol
// while the server runs.
const KineSocket = "kine.sock"

// sqliteParams tune SQLite for one writer with many readers, as kine recommends.
const sqliteParams = "_journal_mode=WAL&_busy_timeout=30000&_synchronous=NORMAL" +
	"&_txlock=immediate&_stmt_cache_size=20&cache=shared"

// startKine serves the etcd protocol on a unix socket beside the database and
// translates it to SQL.
func startKine(ctx context.Context, cfg Config) (*Datastore, error) {
	if err := os.MkdirAll(cfg.DBDir, 0o700); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	dsn := cfg.Endpoint
	what := "external datastore"
	if dsn == "" {
		path := filepath.Join(cfg.DBDir, SQLiteFile)
		if err := checkSQLite(path); err != nil {
			return nil, err
		}
		dsn = "sqlite://" + path + "?" + sqliteParams
		what = "sqlite database " + path
	}

	kctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	socket := filepath.Join(cfg.DBDir, KineSocket)
	endpoint, err := serveKine(kctx, &wg, dsn, socket, defaultKineSettings)
	if err != nil {
		cancel()
		wg.Wait()
		return nil, fmt.Errorf("start kine on %s: %w", what, err)
	}

	d := &Datastore{Backend: Backend{Endpoints: []string{endpoint}}, done: make(chan struct{})}
	go func() {
		<-ctx.Done()
		cancel()
		wg.Wait()
		d.stop(nil)
	}()
	return d, nil
}

// defaultKineSettings poll and compact as kine's own defaults do, and report an
// etcd version the API server accepts.
var defaultKineSettings = kineSettings{
	driver: drivers.Config{
		CompactInterval:  5 * time.Minute,
		CompactTimeout:   5 * time.Second,
		CompactMinRetain: 1000,
		CompactBatchSize: 1000,
		PollBatchSize:    500,
		PollInterval:     time.Second,
	},
	notifyInterval:      5 * time.Second,
	emulatedETCDVersion: "3.6.11",
}
