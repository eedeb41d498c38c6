package pki

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// epoch is the fixed time tests issue certificates at.
var epoch = time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)

// fixedClock returns a Clock that always reports t.
func fixedClock(t time.Time) Clock {
	return func() time.Time { return t }
}

// mustCA generates a CA or stops the test.
func mustCA(t *testing.T, name string) *CA {
	t.Helper()
	ca, err := NewCA(name, fixedClock(epoch))
	if err != nil {
		t.Fatalf("NewCA(%q): %v", name, err)
	}
	return ca
}

// mustCASet generates a CA set or stops the test.
func mustCASet(t *testing.T) *CASet {
	t.Helper()
	set, err := GenerateCASet(fixedClock(epoch))
	if err != nil {
		t.Fatalf("GenerateCASet: %v", err)
	}
	return set
}

// writeFiles writes files under dir, creating directories, or stops the test.
func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for path, data := range files {
		full := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// readDir returns the content of every named file under dir that exists.
func readDir(t *testing.T, dir string, names []string) map[string][]byte {
	t.Helper()
	files := make(map[string][]byte)
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			files[name] = data
		}
	}
	return files
}

// assertSameFiles fails the test for every file whose content differs between want and got.
func assertSameFiles(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("got %d files, want %d", len(got), len(want))
	}
	for name, data := range want {
		if !bytes.Equal(got[name], data) {
			t.Errorf("%s changed", name)
		}
	}
}
