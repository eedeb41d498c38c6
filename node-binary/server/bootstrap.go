package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/internal/token"
	"github.com/lightcluster/lightcluster/node-binary/join"
)

// ErrJoinSQLite reports a server that tries to join a server whose datastore is
// SQLite, which only one server can use.
var ErrJoinSQLite = errors.New("the server to join uses sqlite, which cannot be shared")

// bootstrap fetches the CA set and the datastore members from the server to join,
// unless this server already holds the CA set and its etcd data, in which case it
// restarts from them without asking anyone.
func (r *runner) bootstrap(ctx context.Context) error {
	if r.hasLocalState() {
		r.log.Info("Starting from local data; not contacting the server to join")
		return nil
	}
	tok, err := token.Parse(r.cfg.EffectiveToken)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	client, err := join.NewClient(r.cfg.ServerURL, tok)
	if err != nil {
		return err
	}
	if _, err := client.FetchCA(ctx); err != nil {
		return fmt.Errorf("join %s: %w", client.Server(), err)
	}
	boot, err := client.ServerBootstrap(ctx)
	if err != nil {
		return fmt.Errorf("join %s: %w", client.Server(), err)
	}
	if err := r.writeCAFiles(boot.CAFiles); err != nil {
		return err
	}
	return r.useDatastoreInfo(boot.Datastore)
}

func (r *runner) hasLocalState() bool {
	if _, err := pki.LoadCASet(r.dirs.TLSDir()); err != nil {
		return false
	}
	if !r.embeddedEtcd() {
		return true
	}
	_, err := os.Stat(filepath.Join(r.dirs.DBDir(), "etcd", "member", "wal"))
	return err == nil
}

// writeCAFiles stores the cluster's CA set, keeping files that already exist.
func (r *runner) writeCAFiles(files map[string][]byte) error {
	if _, err := pki.CASetFromFiles(files); err != nil {
		return fmt.Errorf("CA set from the server to join: %w", err)
	}
	for name, data := range files {
		path := r.dirs.TLS(name)
		if _, err := os.Stat(path); err == nil {
			continue
		}
		if err := writeFileAtomic(path, data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) useDatastoreInfo(info join.DatastoreInfo) error {
	switch info.Kind {
	case "sqlite":
		return fmt.Errorf("join %s: %w", r.cfg.ServerURL, ErrJoinSQLite)
	case "etcd":
		for _, m := range info.EtcdMembers {
			r.joinEtcdURLs = append(r.joinEtcdURLs, m.ClientURLs...)
		}
		if len(r.joinEtcdURLs) == 0 {
			return fmt.Errorf("join %s: no etcd members with client URLs", r.cfg.ServerURL)
		}
	}
	return nil
}
