//go:build lightnode

package server_test

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/node-binary/datastore"
)

// refuseWait bounds how long lightnode server may take to refuse bad input: it fails
// in its checks before starting any component, or when the datastore first opens.
const refuseWait = 30 * time.Second

func TestBadInput(t *testing.T) {
	t.Run("port in use", func(t *testing.T) {
		n := newNode(t, "busy", "127.0.0.1")
		l := listen(t, n.url())
		defer l.Close()
		n.start()
		n.expectRefusal(strings.TrimPrefix(n.url(), "https://"))
		expectAbsent(t, n.kubeconfig)
	})

	t.Run("data dir below a regular file", func(t *testing.T) {
		n := newNode(t, "file-in-path", "127.0.0.1")
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, []byte("not a directory"), 0o600); err != nil {
			t.Fatal(err)
		}
		n.setDataDir(filepath.Join(file, "data"))
		n.start()
		n.expectRefusal(n.dataDir, "not a directory")
		expectAbsent(t, n.kubeconfig)
	})

	t.Run("data dir not writable", func(t *testing.T) {
		dir := readOnlyDir(t)
		n := newNode(t, "read-only", "127.0.0.1")
		n.setDataDir(dir)
		n.start()
		n.expectRefusal(dir, "not writable")
		expectEmpty(t, dir)
		expectAbsent(t, n.kubeconfig)
	})

	t.Run("data dir on a noexec mount", func(t *testing.T) {
		mnt := mountTmpfs(t, "noexec", syscall.MS_NOEXEC|syscall.MS_NOSUID|syscall.MS_NODEV)
		n := newNode(t, "noexec", "127.0.0.1")
		n.setDataDir(filepath.Join(mnt, "data"))
		n.start()
		n.expectRefusal(n.dataDir, "noexec")
		expectEmpty(t, n.dataDir)
		expectAbsent(t, n.kubeconfig)
	})

	t.Run("CA key missing", func(t *testing.T) {
		n := newNode(t, "no-ca-key", "127.0.0.1")
		tlsDir := filepath.Join(n.dataDir, "server", "tls")
		if _, _, err := pki.EnsureCASet(tlsDir, nil); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(tlsDir, pki.ServerCAKeyFile)); err != nil {
			t.Fatal(err)
		}
		before := readTree(t, n.dataDir)
		n.start()
		n.expectRefusal(tlsDir, pki.ServerCAKeyFile, "missing")
		expectTreeUnchanged(t, n.dataDir, before)
		expectAbsent(t, n.kubeconfig)
	})

	corrupt := []struct {
		name   string
		header string
	}{
		{name: "database is garbage"},
		{name: "database is garbage after the SQLite magic", header: sqliteMagic},
		{name: "database is garbage after a valid SQLite header", header: sqliteHeader()},
	}
	for _, tt := range corrupt {
		t.Run(tt.name, func(t *testing.T) {
			n := newNode(t, "corrupt-db", "127.0.0.1")
			db := filepath.Join(n.dataDir, "server", "db", datastore.SQLiteFile)
			writeGarbage(t, db, tt.header)
			before := readTree(t, filepath.Dir(db))
			n.start()
			n.expectRefusal(db, datastore.ErrCorrupt.Error())
			expectTreeUnchanged(t, filepath.Dir(db), before)
		})
	}
}

// sqliteMagic starts every SQLite database.
const sqliteMagic = "SQLite format 3\x00"

// sqliteHeader returns a valid 100-byte header of a two-page database with 4096-byte
// pages, after which SQLite expects the schema.
func sqliteHeader() string {
	h := make([]byte, 100)
	copy(h, sqliteMagic)
	binary.BigEndian.PutUint16(h[16:], 4096)
	h[18], h[19] = 1, 1              // file format: rollback journal
	h[21], h[22], h[23] = 64, 32, 32 // payload fractions
	binary.BigEndian.PutUint32(h[28:], 2)
	binary.BigEndian.PutUint32(h[44:], 4) // schema format
	binary.BigEndian.PutUint32(h[56:], 1) // UTF-8
	return string(h)
}

// setDataDir points the node at dir instead of its temporary data dir.
func (n *node) setDataDir(dir string) {
	n.dataDir = dir
	i := slices.Index(n.args, "--data-dir")
	n.args[i+1] = dir
}

// expectRefusal waits up to refuseWait for the process to exit with a non-zero status
// and fails the test unless it printed its error as one line that holds every want.
func (n *node) expectRefusal(want ...string) {
	n.t.Helper()
	select {
	case <-n.done:
	case <-time.After(refuseWait):
		n.t.Fatalf("%s still running after %s\n%s", n.name, refuseWait, n.output())
	}
	var exit *exec.ExitError
	if !errors.As(n.err, &exit) || exit.ExitCode() <= 0 {
		n.t.Fatalf("exit %v, want a non-zero status\n%s", n.err, n.output())
	}

	lines := strings.Split(strings.TrimRight(n.output(), "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "lightnode: ") {
		n.t.Fatalf("last line %q is not the one-line error\n%s", last, n.output())
	}
	for _, w := range want {
		if !strings.Contains(last, w) {
			n.t.Errorf("error %q does not name %q", last, w)
		}
	}
	n.t.Log(last)
}

// readOnlyDir returns an empty directory that lightnode cannot write to: a read-only
// tmpfs when running as root, whom permissions do not stop, else a mode 0500 directory.
func readOnlyDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() == 0 {
		return mountTmpfs(t, "read-only", syscall.MS_RDONLY)
	}
	dir := filepath.Join(t.TempDir(), "read-only")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	return dir
}

// mountTmpfs mounts a small tmpfs with flags and unmounts it when the test ends, after
// the processes the test starts later have been stopped. It skips the test unless it
// runs as root.
func mountTmpfs(t *testing.T, name string, flags uintptr) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a file system needs root")
	}
	dir := filepath.Join(t.TempDir(), name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", flags, "size=4m,mode=0700"); err != nil {
		t.Skipf("mount tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// writeGarbage writes header and then random bytes to path.
func writeGarbage(t *testing.T, path, header string) {
	t.Helper()
	data := make([]byte, 8192)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	copy(data, header)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// readTree returns the content of every file under dir by path, or an empty map when
// dir does not exist.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == dir {
			return nil
		}
		if err != nil || d.IsDir() {
			return err
		}
		files[path], err = os.ReadFile(path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// expectTreeUnchanged fails the test when a file under dir was added, removed or changed
// since before was taken.
func expectTreeUnchanged(t *testing.T, dir string, before map[string][]byte) {
	t.Helper()
	after := readTree(t, dir)
	for _, path := range slices.Sorted(maps.Keys(after)) {
		if old, ok := before[path]; !ok {
			t.Errorf("%s was written", path)
		} else if !bytes.Equal(old, after[path]) {
			t.Errorf("%s was changed", path)
		}
	}
	for path := range before {
		if _, ok := after[path]; !ok {
			t.Errorf("%s was removed", path)
		}
	}
}

// expectEmpty fails the test when dir exists and holds anything.
func expectEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s was left in %s", e.Name(), dir)
	}
}

func expectAbsent(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s exists (%v), want nothing written", path, err)
	}
}
