package certs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lightcluster/lightcluster/internal/pki"
)

// BackupPrefix starts the name of each directory Rotate moves certificates into, under
// the TLS directory. Check skips these directories.
const BackupPrefix = "rotated-"

// backupTimeFormat dates a backup directory in UTC, so that names sort by time.
const backupTimeFormat = "20060102T150405Z"

// ErrUnknownService reports a service name that is not one of Services.
var ErrUnknownService = errors.New("unknown service")

// Rotation is what Rotate moved.
type Rotation struct {
	// BackupDir is the directory the files were moved into; empty when there was
	// nothing to move.
	BackupDir string
	// Moved lists the moved files in the order they were moved, relative to both the
	// TLS directory and BackupDir.
	Moved []string
}

// Rotate moves the leaf certificates and keys of services (every one of Services when
// services is empty) out of dir (normally <data-dir>/server/tls) into a new directory
// <dir>/rotated-<UTC time of clock>, so that the next start of lightnode server issues
// new ones from the same CAs. The CAs and the service-account key stay where they are.
// Files already absent are skipped; when none is left to move, Rotate creates nothing.
// The server must be stopped: it reads these files only when it starts.
//
// A failure part way leaves some pairs moved, which is safe: the server issues every
// pair that lacks a file. The returned Rotation lists what was moved either way.
func Rotate(dir string, services []string, clock pki.Clock) (Rotation, error) {
	selected, err := selectLeaves(services)
	if err != nil {
		return Rotation{}, err
	}
	if _, err := os.Stat(dir); err != nil {
		return Rotation{}, fmt.Errorf("rotate certificates: %w", err)
	}
	files, err := presentFiles(dir, selected)
	if err != nil || len(files) == 0 {
		return Rotation{}, err
	}

	backup := filepath.Join(dir, BackupPrefix+clock.Now().UTC().Format(backupTimeFormat))
	if err := os.Mkdir(backup, 0o700); err != nil {
		return Rotation{}, fmt.Errorf("create backup directory: %w", err)
	}
	rot := Rotation{BackupDir: backup}
	for _, name := range files {
		if err := moveFile(dir, backup, name); err != nil {
			return rot, err
		}
		rot.Moved = append(rot.Moved, name)
	}
	return rot, nil
}

// CheckServices returns an error wrapping ErrUnknownService that names the first of
// names that is not one of Services.
func CheckServices(names []string) error {
	for _, name := range names {
		if !slices.Contains(Services(), name) {
			return fmt.Errorf("%w %q, want one of %s", ErrUnknownService, name,
				strings.Join(Services(), ", "))
		}
	}
	return nil
}

// selectLeaves returns the leaves of the named services, all of them when names is
// empty.
func selectLeaves(names []string) ([]leaf, error) {
	if err := CheckServices(names); err != nil {
		return nil, err
	}
	var out []leaf
	for _, l := range leaves(Spec{}) {
		if len(names) == 0 || slices.Contains(names, l.service) {
			out = append(out, l)
		}
	}
	return out, nil
}

// presentFiles returns the files of leaves that exist under dir, each certificate
// before its key: the server writes keys first, so a certificate on disk always has its
// key beside it, and moving in the other order keeps that true.
func presentFiles(dir string, leaves []leaf) ([]string, error) {
	var out []string
	for _, l := range leaves {
		for _, name := range []string{l.cert, l.key} {
			_, err := os.Lstat(filepath.Join(dir, name))
			switch {
			case errors.Is(err, fs.ErrNotExist):
				continue
			case err != nil:
				return nil, fmt.Errorf("rotate certificates: %w", err)
			}
			out = append(out, name)
		}
	}
	return out, nil
}

// moveFile renames dir/name to backup/name, creating the directories name needs.
func moveFile(dir, backup, name string) error {
	dst := filepath.Join(backup, name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("create backup directory: %w", err)
	}
	if err := os.Rename(filepath.Join(dir, name), dst); err != nil {
		return fmt.Errorf("rotate certificates: %w", err)
	}
	return nil
}
