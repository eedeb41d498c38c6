package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// System is what loading reads from the machine. Tests supply their own; OS returns
// the real one.
type System struct {
	// LookupEnv reads an environment variable; nil means an empty environment.
	LookupEnv func(key string) (string, bool)
	// FS is the file system rooted at "/": the config file /etc/lightnode/config.yaml
	// is read as etc/lightnode/config.yaml. Nil means no files exist.
	FS fs.FS
	// Hostname returns the machine's hostname; nil means it is unknown.
	Hostname func() (string, error)
}

// OS returns the System of the running process: its environment, the root file
// system and the kernel's hostname.
func OS() System {
	return System{LookupEnv: os.LookupEnv, FS: os.DirFS("/"), Hostname: os.Hostname}
}

// errNoHostname is returned by hostname when System has no Hostname function.
var errNoHostname = errors.New("hostname unknown")

// files returns the file system, an empty one when none is set.
func (s System) files() fs.FS {
	if s.FS == nil {
		return emptyFS{}
	}
	return s.FS
}

// hostname returns the machine's hostname.
func (s System) hostname() (string, error) {
	if s.Hostname == nil {
		return "", errNoHostname
	}
	return s.Hostname()
}

// fsPath turns an absolute or working-directory-relative path into a path of a file
// system rooted at "/".
func fsPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	p = strings.TrimPrefix(filepath.ToSlash(filepath.Clean(p)), "/")
	if p == "" {
		return "."
	}
	return p
}

// emptyFS is a file system without files.
type emptyFS struct{}

// Open reports that no file exists.
func (emptyFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// pathCause drops the path from a file system error, whose path is relative to the
// root, so that messages can name the absolute path instead.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
