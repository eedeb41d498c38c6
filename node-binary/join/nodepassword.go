package join

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DefaultNodePasswordFile is where a node keeps its node password.
const DefaultNodePasswordFile = "/etc/lightnode/node/password"

// nodePasswordBytes is the entropy of a generated node password.
const nodePasswordBytes = 16

// EnsureNodePassword returns the node password kept in the file at path, creating the
// file with a new random password (mode 0600) when it does not exist. The password
// stays the same for the life of the file, so the node can join again after restarts.
func EnsureNodePassword(path string) (string, error) {
	if pw, err := readNodePassword(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return pw, err
	}

	buf := make([]byte, nodePasswordBytes)
	_, _ = rand.Read(buf)
	pw := hex.EncodeToString(buf)
	if err := createNodePassword(path, pw); errors.Is(err, fs.ErrExist) {
		// Another process created it first; its password wins.
		return readNodePassword(path)
	} else if err != nil {
		return "", err
	}
	return pw, nil
}

// readNodePassword reads the password in path; an empty file is an error.
func readNodePassword(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read node password: %w", err)
	}
	pw := strings.TrimSpace(string(data))
	if pw == "" || len(pw) > maxPasswordBytes {
		return "", fmt.Errorf("node password file %s: want 1 to %d characters",
			path, maxPasswordBytes)
	}
	return pw, nil
}

// createNodePassword writes pw to a new file at path, failing with fs.ErrExist when
// the file exists. It writes beside path and links, so no reader sees a partial file.
func createNodePassword(path, pw string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create node password directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".password-*")
	if err != nil {
		return fmt.Errorf("create node password: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()

	_, err = tmp.WriteString(pw + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if err = errors.Join(err, tmp.Close()); err != nil {
		return fmt.Errorf("write node password: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("create node password: %w", err)
	}
	return nil
}
