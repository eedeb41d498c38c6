package install

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// exists reports whether hostPath exists on sys, without following a final link.
func exists(sys System, hostPath string) bool {
	_, err := os.Lstat(sys.Path(hostPath))
	return err == nil
}

// readOptional returns the content of hostPath, or nil when it does not exist.
func readOptional(sys System, hostPath string) ([]byte, error) {
	data, err := os.ReadFile(sys.Path(hostPath))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", hostPath, err)
	}
	return data, nil
}

// writeIfChanged replaces hostPath with data atomically unless it already holds data
// with mode. It reports whether it wrote.
func writeIfChanged(sys System, hostPath string, data []byte, mode fs.FileMode) (bool, error) {
	real := sys.Path(hostPath)
	if old, err := os.ReadFile(real); err == nil && bytes.Equal(old, data) {
		if info, err := os.Stat(real); err == nil && info.Mode().Perm() == mode {
			return false, nil
		}
	}
	if err := writeAtomic(real, bytes.NewReader(data), mode); err != nil {
		return false, fmt.Errorf("write %s: %w", hostPath, err)
	}
	return true, nil
}

// writeAtomic writes r to a temporary file beside path and renames it over path, so
// that a reader or a running program never sees a partial file.
func writeAtomic(path string, r io.Reader, mode fs.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, r)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if err = errors.Join(err, tmp.Close()); err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return errors.Join(err, os.Remove(tmp.Name()))
	}
	return nil
}

// fileDigest returns the SHA-256 of the file at path, or nil when it does not exist.
func fileDigest(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// removePath deletes hostPath and everything below it, saying so when it existed.
func removePath(o Options, hostPath string) error {
	if !exists(o.System, hostPath) {
		return nil
	}
	if err := os.RemoveAll(o.System.Path(hostPath)); err != nil {
		return fmt.Errorf("remove %s: %w", hostPath, err)
	}
	o.say("Removed %s", hostPath)
	return nil
}
