package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// BinaryPrefix starts the file name of every binary in a version directory; the
// architecture follows it.
const BinaryPrefix = "lightnode-linux-"

var (
	// ErrVersionNotInCatalog means the catalog has no directory for the version.
	// Retrying cannot succeed until the binary is added to the catalog.
	ErrVersionNotInCatalog = errors.New("version not in catalog")
	// ErrArchNotInCatalog means the version directory has no binary for the
	// architecture. Retrying cannot succeed until the binary is added.
	ErrArchNotInCatalog = errors.New("architecture not in catalog")
)

// Binary is one lightnode executable of the catalog.
type Binary struct {
	// Path is the file's absolute path on the operator's file system.
	Path string
	// SHA256 is the lowercase hex SHA-256 digest of the file.
	SHA256 string
	// Size is the file's size in bytes.
	Size int64
}

// Open opens the binary for reading.
func (b Binary) Open() (io.ReadCloser, error) {
	f, err := os.Open(b.Path)
	if err != nil {
		return nil, fmt.Errorf("open catalog binary: %w", err)
	}
	return f, nil
}

// Catalog looks binaries up by version and architecture. Its methods may be called
// concurrently.
type Catalog struct {
	dir string

	mu    sync.Mutex
	cache map[string]cached
}

// cached is a digest together with the file state it was computed for.
type cached struct {
	binary  Binary
	modTime time.Time
}

// New returns the catalog rooted at dir. The directory is read lazily, so a missing
// directory shows up as ErrVersionNotInCatalog on lookup.
func New(dir string) *Catalog {
	return &Catalog{dir: dir, cache: map[string]cached{}}
}

// Dir returns the catalog's root directory.
func (c *Catalog) Dir() string {
	return c.dir
}

// Lookup returns the binary for version (such as v1.37.2) and arch (such as amd64),
// wrapping ErrVersionNotInCatalog or ErrArchNotInCatalog when it is absent.
func (c *Catalog) Lookup(version, arch string) (Binary, error) {
	if !validName(version) {
		return Binary{}, fmt.Errorf("look up %q: %w", version, ErrVersionNotInCatalog)
	}
	if !validName(arch) {
		return Binary{}, fmt.Errorf("look up %s for %q: %w", version, arch, ErrArchNotInCatalog)
	}

	versionDir := filepath.Join(c.dir, version)
	if info, err := os.Stat(versionDir); err != nil || !info.IsDir() {
		return Binary{}, fmt.Errorf("look up %s in %s: %w", version, c.dir, ErrVersionNotInCatalog)
	}

	path := filepath.Join(versionDir, BinaryPrefix+arch)
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !info.Mode().IsRegular()) {
		return Binary{}, fmt.Errorf("look up %s for %s: %w", version, arch, ErrArchNotInCatalog)
	}
	if err != nil {
		return Binary{}, fmt.Errorf("look up %s for %s: %w", version, arch, err)
	}
	return c.digest(path, info)
}

// digest returns the cached binary for path, computing the digest when the file
// is new or changed since.
func (c *Catalog) digest(path string, info fs.FileInfo) (Binary, error) {
	c.mu.Lock()
	entry, ok := c.cache[path]
	c.mu.Unlock()
	if ok && entry.binary.Size == info.Size() && entry.modTime.Equal(info.ModTime()) {
		return entry.binary, nil
	}

	sum, size, err := hashFile(path)
	if err != nil {
		return Binary{}, err
	}
	bin := Binary{Path: path, SHA256: sum, Size: size}

	c.mu.Lock()
	c.cache[path] = cached{binary: bin, modTime: info.ModTime()}
	c.mu.Unlock()
	return bin, nil
}

// hashFile returns the hex SHA-256 digest and size of the file at path.
func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", path, err)
	}
	defer func() { _ = f.Close() }()

	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// validName reports whether s can name a directory or file suffix without leaving
// the catalog.
func validName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, `/\`+"\x00")
}
