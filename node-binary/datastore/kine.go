package datastore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/k3s-io/kine/pkg/endpoint"
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
	etcd, err := endpoint.Listen(kctx, kineConfig(dsn, socket, &wg))
	if err != nil {
		cancel()
		return nil, fmt.Errorf("start kine on %s: %w", what, err)
	}

	d := &Datastore{Backend: Backend{Endpoints: etcd.Endpoints}, done: make(chan struct{})}
	go func() {
		<-ctx.Done()
		cancel()
		wg.Wait()
		d.stop(nil)
	}()
	return d, nil
}

func kineConfig(dsn, socket string, wg *sync.WaitGroup) endpoint.Config {
	return endpoint.Config{
		WaitGroup:           wg,
		Listener:            "unix://" + socket,
		Endpoint:            dsn,
		NotifyInterval:      5 * time.Second,
		EmulatedETCDVersion: "3.6.11",
		CompactInterval:     5 * time.Minute,
		CompactTimeout:      5 * time.Second,
		CompactMinRetain:    1000,
		CompactBatchSize:    1000,
		PollBatchSize:       500,
		PollInterval:        time.Second,
	}
}
