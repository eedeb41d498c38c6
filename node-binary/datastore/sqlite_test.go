package datastore

import (
	"crypto/rand"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeSQLite creates a WAL-mode database with one table at path, as kine leaves it.
func writeSQLite(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: path}).String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{"PRAGMA journal_mode=WAL", "CREATE TABLE kine (id INTEGER)",
		"INSERT INTO kine VALUES (1)"} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
}

// overwrite replaces the bytes of path from offset on with random ones.
func overwrite(t *testing.T, path string, offset int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rand.Read(data[offset:]); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestCheckSQLite(t *testing.T) {
	tests := []struct {
		name    string
		dir     string
		prepare func(t *testing.T, path string)
		corrupt bool
	}{
		{name: "missing", prepare: func(*testing.T, string) {}},
		{name: "empty", prepare: func(t *testing.T, path string) {
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "valid", prepare: writeSQLite},
		{name: "valid, in a directory whose name needs escaping", dir: "a b#c?d%",
			prepare: writeSQLite},
		{name: "garbage", corrupt: true, prepare: func(t *testing.T, path string) {
			writeSQLite(t, path)
			overwrite(t, path, 0)
		}},
		{name: "garbage after the magic string", corrupt: true,
			prepare: func(t *testing.T, path string) {
				writeSQLite(t, path)
				overwrite(t, path, len("SQLite format 3\x00"))
			}},
		{name: "garbage after the header", corrupt: true,
			prepare: func(t *testing.T, path string) {
				writeSQLite(t, path)
				overwrite(t, path, 100)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), tt.dir)
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, SQLiteFile)
			tt.prepare(t, path)
			before := dirNames(t, dir)

			err := checkSQLite(path)

			if tt.corrupt != errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v, want corrupt %v", err, tt.corrupt)
			}
			if !tt.corrupt && err != nil {
				t.Fatal(err)
			}
			if err != nil && !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
			if after := dirNames(t, dir); !slices.Equal(after, before) {
				t.Errorf("directory holds %v after the check, want %v", after, before)
			}
		})
	}
}
