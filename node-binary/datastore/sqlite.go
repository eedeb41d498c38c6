package datastore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteProbeTimeout bounds the read of a local database's schema before kine opens it.
const sqliteProbeTimeout = 10 * time.Second

// checkSQLite refuses a local database that SQLite cannot read, which kine would retry
// opening for minutes before it gives up. It reads the schema, as every connection does
// first, without writing anything: the file is opened read-only and immutable, so no
// journal, WAL or lock file is made. A missing or empty file is a new database.
func checkSQLite(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite database %s: %w", path, err)
	}
	if st.Size() == 0 {
		return nil
	}

	dsn := &url.URL{Scheme: "file", Path: path, RawQuery: "mode=ro&immutable=1"}
	db, err := sql.Open("sqlite", dsn.String())
	if err != nil {
		return fmt.Errorf("open sqlite database %s: %w", path, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), sqliteProbeTimeout)
	defer cancel()
	var objects int
	err = db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&objects)
	if isCorrupt(err) {
		return fmt.Errorf("sqlite database %s: %w: %v", path, ErrCorrupt, err)
	}
	if err != nil {
		return fmt.Errorf("read sqlite database %s: %w", path, err)
	}
	return nil
}

// isCorrupt reports whether err is SQLite's verdict that a file is not a database or
// that its pages are malformed.
func isCorrupt(err error) bool {
	var serr *sqlite.Error
	if !errors.As(err, &serr) {
		return false
	}
	// Extended result codes carry the primary code in their low byte.
	switch serr.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}
