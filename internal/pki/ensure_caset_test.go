package pki

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEnsureCASetGeneratesEmptyDir(t *testing.T) {
	dir := t.TempDir()

	set, created, err := EnsureCASet(dir, fixedClock(epoch))
	if err != nil {
		t.Fatalf("EnsureCASet: %v", err)
	}
	if len(created) != len(CASetFileNames()) {
		t.Errorf("created %v, want every file of the set", created)
	}
	assertSameFiles(t, set.Files(), readDir(t, dir, CASetFileNames()))
	assertModes(t, dir)
	if _, err := LoadCASet(dir); err != nil {
		t.Errorf("LoadCASet after EnsureCASet: %v", err)
	}
}

// assertModes checks that keys are private and certificates readable, and that no
// temporary files remain.
func assertModes(t *testing.T, dir string) {
	t.Helper()
	for _, name := range CASetFileNames() {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("stat %s: %v", name, err)
			continue
		}
		want := fs.FileMode(0o644)
		if strings.HasSuffix(name, ".key") {
			want = 0o600
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s has mode %v, want %v", name, got, want)
		}
	}
	leftovers, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if err != nil || len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v (%v)", leftovers, err)
	}
}

func TestEnsureCASetKeepsExistingFiles(t *testing.T) {
	dir := t.TempDir()
	original := mustCASet(t).Files()
	writeFiles(t, dir, original)

	_, created, err := EnsureCASet(dir, fixedClock(epoch.AddDate(11, 0, 0)))
	if err != nil {
		t.Fatalf("EnsureCASet: %v", err)
	}
	if len(created) != 0 {
		t.Errorf("created %v from a complete set, even with every CA expired", created)
	}
	assertSameFiles(t, original, readDir(t, dir, CASetFileNames()))
}

func TestEnsureCASetFillsMissing(t *testing.T) {
	tests := []struct {
		name        string
		remove      []string
		wantCreated []string
	}{
		{
			name:        "one CA",
			remove:      []string{EtcdPeerCACertFile, EtcdPeerCAKeyFile},
			wantCreated: []string{EtcdPeerCAKeyFile, EtcdPeerCACertFile},
		},
		{
			name:        "service-account public key",
			remove:      []string{ServiceAccountPublicKeyFile},
			wantCreated: []string{ServiceAccountPublicKeyFile},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			original := mustCASet(t).Files()
			for _, name := range tt.remove {
				delete(original, name)
			}
			writeFiles(t, dir, original)

			set, created, err := EnsureCASet(dir, fixedClock(epoch))
			if err != nil {
				t.Fatalf("EnsureCASet: %v", err)
			}
			if !slices.Equal(created, tt.wantCreated) {
				t.Errorf("created %v, want %v", created, tt.wantCreated)
			}
			onDisk := readDir(t, dir, CASetFileNames())
			for name, data := range original {
				if string(onDisk[name]) != string(data) {
					t.Errorf("%s was rewritten", name)
				}
			}
			assertSameFiles(t, set.Files(), onDisk)
		})
	}
}

func TestEnsureCASetRefusesPartialPair(t *testing.T) {
	tests := []struct {
		name    string
		remove  string
		wantMsg string
	}{
		{name: "CA key", remove: ServerCAKeyFile, wantMsg: "server-ca.key: missing"},
		{name: "CA certificate", remove: EtcdServerCACertFile,
			wantMsg: "etcd/server-ca.crt: missing"},
		{name: "service-account key", remove: ServiceAccountKeyFile,
			wantMsg: "service.key: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := mustCASet(t).Files()
			delete(files, tt.remove)
			writeFiles(t, dir, files)

			_, _, err := EnsureCASet(dir, fixedClock(epoch))
			if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %v, want %q", err, tt.wantMsg)
			}
			if _, err := os.Stat(filepath.Join(dir, tt.remove)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s was written: %v", tt.remove, err)
			}
		})
	}
}

func TestEnsureCASetRefusesInvalidCA(t *testing.T) {
	dir := t.TempDir()
	files := mustCASet(t).Files()
	files[ClientCAKeyFile] = files[ServerCAKeyFile]
	writeFiles(t, dir, files)

	_, _, err := EnsureCASet(dir, fixedClock(epoch))
	if !errors.Is(err, ErrKeyMismatch) || !strings.Contains(err.Error(), "client-ca.key") {
		t.Errorf("error = %v, want a key mismatch naming client-ca.key", err)
	}
}
