package ssh

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lightcluster/lightcluster/internal/sshtest"
)

// payload returns n random bytes and their hex SHA-256 digest.
func payload(t *testing.T, n int) ([]byte, string) {
	t.Helper()
	data := make([]byte, n)
	if _, err := rand.Read(data); err != nil {
		t.Fatalf("random payload: %v", err)
	}
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:])
}

// assertFile checks a file's content and permissions.
func assertFile(t *testing.T, path string, want []byte, mode os.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s holds %d bytes, want the %d bytes uploaded", path, len(got), len(want))
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	if info.Mode().Perm() != mode {
		t.Errorf("%s has mode %v, want %v", path, info.Mode().Perm(), mode)
	}
}

func TestUpload(t *testing.T) {
	tests := []struct {
		name     string
		user     string
		password string
		sudo     bool
	}{
		{name: "as root", user: "root"},
		{name: "with sudo and no password", user: "deploy", sudo: true},
		{name: "with sudo and a password", user: "deploy", password: "pw", sudo: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHost(t, sshtest.Options{SudoPassword: tt.password})
			h.cfg.User, h.cfg.SudoPassword = tt.user, []byte(tt.password)
			client := h.dial(t)
			data, sum := payload(t, 300<<10)
			dest := filepath.Join(h.dir, "bin", "lightnode")

			err := client.Upload(testContext(t), bytes.NewReader(data), int64(len(data)),
				dest, 0o755, sum, tt.sudo)
			if err != nil {
				t.Fatalf("Upload() = %v", err)
			}
			assertFile(t, dest, data, 0o755)
			if names := dirNames(t, filepath.Dir(dest)); !slices.Equal(names,
				[]string{"lightnode"}) {
				t.Errorf("directory holds %v, want only lightnode", names)
			}
		})
	}
}

func TestUploadDigestMismatchKeepsOldFile(t *testing.T) {
	h := newTestHost(t, sshtest.Options{})
	client := h.dial(t)
	dest := filepath.Join(h.dir, "lightnode")
	old := []byte("old binary")
	if err := os.WriteFile(dest, old, 0o755); err != nil {
		t.Fatalf("write old file: %v", err)
	}
	data, _ := payload(t, 4096)
	_, otherSum := payload(t, 4096)

	err := client.Upload(testContext(t), bytes.NewReader(data), int64(len(data)), dest,
		0o755, otherSum, false)
	if !errors.Is(err, ErrDigestMismatch) {
		t.Fatalf("Upload() = %v, want ErrDigestMismatch", err)
	}
	assertFile(t, dest, old, 0o755)
	if names := dirNames(t, h.dir); !slices.Equal(names, []string{"lightnode"}) {
		t.Errorf("directory holds %v, want only the old lightnode", names)
	}
}

func TestUploadShortSourceIsNotInstalled(t *testing.T) {
	h := newTestHost(t, sshtest.Options{})
	client := h.dial(t)
	dest := filepath.Join(h.dir, "lightnode")
	data, sum := payload(t, 4096)

	// The digest matches the bytes sent, but fewer bytes arrive than announced.
	err := client.Upload(testContext(t), bytes.NewReader(data), int64(len(data))+1, dest,
		0o755, sum, false)
	if !errors.Is(err, ErrDigestMismatch) {
		t.Fatalf("Upload() = %v, want ErrDigestMismatch", err)
	}
	if names := dirNames(t, h.dir); len(names) != 0 {
		t.Errorf("directory holds %v, want nothing", names)
	}
}

func TestUploadConnectionDropped(t *testing.T) {
	tests := []struct {
		name     string
		password string
	}{
		{name: "without sudo"},
		{name: "with sudo password", password: "pw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHost(t, sshtest.Options{SudoPassword: tt.password})
			h.cfg.SudoPassword = []byte(tt.password)
			client := h.dial(t)
			dest := filepath.Join(h.dir, "lightnode")
			data, sum := payload(t, 1<<20)
			if tt.password != "" {
				// Check sudo before the drop is armed, so that the upload is cut.
				if _, err := client.Run(testContext(t), Command{Script: "true",
					Sudo: true}); err != nil {
					t.Fatalf("sudo check: %v", err)
				}
			}
			h.srv.DropAfterStdinBytes(64 << 10)

			err := client.Upload(testContext(t), bytes.NewReader(data), int64(len(data)),
				dest, 0o755, sum, tt.password != "")
			if !errors.Is(err, ErrConnectionLost) || !IsRetriable(err) {
				t.Fatalf("Upload() = %v, want a retriable ErrConnectionLost", err)
			}

			// Close waits until the host's side of the upload has finished.
			h.srv.Close()
			if names := dirNames(t, h.dir); len(names) != 0 {
				t.Errorf("directory holds %v after a dropped upload, want nothing", names)
			}
		})
	}
}

// failingReader fails every read, to show that a source was not read.
type failingReader struct{ reads int }

// Read counts the call and fails.
func (r *failingReader) Read([]byte) (int, error) {
	r.reads++
	return 0, errors.New("source must not be read")
}

func TestUploadIfChanged(t *testing.T) {
	h := newTestHost(t, sshtest.Options{})
	client := h.dial(t)
	dest := filepath.Join(h.dir, "lightnode")
	data, sum := payload(t, 8192)

	uploaded, err := client.UploadIfChanged(testContext(t), bytes.NewReader(data),
		int64(len(data)), dest, 0o755, sum, false)
	if err != nil || !uploaded {
		t.Fatalf("first UploadIfChanged() = %v, %v; want true, nil", uploaded, err)
	}

	unread := &failingReader{}
	uploaded, err = client.UploadIfChanged(testContext(t), unread, int64(len(data)), dest,
		0o755, sum, false)
	if err != nil || uploaded || unread.reads != 0 {
		t.Fatalf("second UploadIfChanged() = %v, %v after %d reads; want false, nil, 0",
			uploaded, err, unread.reads)
	}

	newer, newerSum := payload(t, 8192)
	uploaded, err = client.UploadIfChanged(testContext(t), bytes.NewReader(newer),
		int64(len(newer)), dest, 0o755, newerSum, false)
	if err != nil || !uploaded {
		t.Fatalf("changed UploadIfChanged() = %v, %v; want true, nil", uploaded, err)
	}
	assertFile(t, dest, newer, 0o755)
}

func TestRemoteDigest(t *testing.T) {
	h := newTestHost(t, sshtest.Options{})
	client := h.dial(t)
	data, sum := payload(t, 1000)
	present := filepath.Join(h.dir, "present")
	if err := os.WriteFile(present, data, 0o644); err != nil {
		t.Fatalf("write: %v", err)
	}
	tests := []struct {
		name       string
		path       string
		wantDigest string
		wantExists bool
	}{
		{name: "present", path: present, wantDigest: sum, wantExists: true},
		{name: "absent", path: filepath.Join(h.dir, "absent")},
		{name: "directory", path: h.dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			digest, exists, err := client.RemoteDigest(testContext(t), tt.path, false)
			if err != nil {
				t.Fatalf("RemoteDigest() = %v", err)
			}
			if digest != tt.wantDigest || exists != tt.wantExists {
				t.Errorf("RemoteDigest() = %q, %v; want %q, %v", digest, exists,
					tt.wantDigest, tt.wantExists)
			}
		})
	}
}

func TestWriteFile(t *testing.T) {
	h := newTestHost(t, sshtest.Options{})
	client := h.dial(t)
	dest := filepath.Join(h.dir, "etc", "config.yaml")
	config := []byte("token: K10secret-token\n")

	if err := client.WriteFile(testContext(t), dest, config, 0o600, false); err != nil {
		t.Fatalf("WriteFile() = %v", err)
	}
	assertFile(t, dest, config, 0o600)
}

func TestUploadRejectsBadArguments(t *testing.T) {
	client := newTestHost(t, sshtest.Options{}).dial(t)
	_, sum := payload(t, 1)
	tests := []struct {
		name string
		dest string
		size int64
		sum  string
	}{
		{name: "relative path", dest: "bin/lightnode", sum: sum},
		{name: "unclean path", dest: "/opt/../bin/lightnode", sum: sum},
		{name: "root", dest: "/", sum: sum},
		{name: "short digest", dest: "/opt/lightnode", sum: "abc"},
		{name: "negative size", dest: "/opt/lightnode", size: -1, sum: sum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := client.Upload(testContext(t), io.LimitReader(nil, 0), tt.size, tt.dest,
				0o755, tt.sum, false)
			if err == nil {
				t.Fatal("Upload() = nil, want an error")
			}
		})
	}
}
