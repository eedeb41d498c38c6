package manifests

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
)

// manifestMode is the permission mode of the manifests lightnode writes: they may
// describe Secrets.
const manifestMode = 0o600

// WriteDefaults writes each default manifest into dir (created when missing) unless
// its component is disabled or the file there is the user's (see Owned). A default of
// a disabled component that lightnode wrote earlier is removed, so that the Applier
// deletes its objects; a user's file of that name is kept and stays applied.
func WriteDefaults(dir string, defaults []Default, disabled []string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("manifests directory: %w", err)
	}
	for _, d := range defaults {
		if err := writeDefault(dir, d, slices.Contains(disabled, d.Component), log); err != nil {
			return err
		}
	}
	return nil
}

// writeDefault writes, keeps or removes one default manifest.
func writeDefault(dir string, d Default, disabled bool, log *slog.Logger) error {
	path := filepath.Join(dir, d.File)
	existing, err := os.ReadFile(path)
	exists := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("default manifest: %w", err)
	}
	owned := !exists || Owned(existing)

	switch {
	case disabled && exists && owned:
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("remove manifest of disabled %s: %w", d.Component, err)
		}
		log.Info("Removed the default manifest of a disabled component",
			"component", d.Component, "file", path)
	case disabled && exists:
		log.Warn("Component disabled, but its manifest is the user's and stays applied",
			"component", d.Component, "file", path)
	case disabled:
	case !owned:
		log.Info("Keeping the user's manifest in place of the default", "file", path)
	case exists && bytes.Equal(existing, d.Data):
	default:
		if err := writeFileAtomic(path, d.Data); err != nil {
			return fmt.Errorf("write default manifest: %w", err)
		}
		log.Info("Wrote default manifest", "component", d.Component, "file", path)
	}
	return nil
}

// Owned reports whether a manifest's content is lightnode's: its first line is
// OwnedMarker.
func Owned(data []byte) bool {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	return string(bytes.TrimSuffix(first, []byte("\r"))) == OwnedMarker
}

// writeFileAtomic writes data to a hidden temporary file beside path, which the Applier
// ignores, and renames it into place.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(manifestMode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
