package manifests

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// maxManifestSize bounds the size of one manifest file.
const maxManifestSize = 8 << 20

// manifestExtensions are the file name endings the Applier reads.
var manifestExtensions = []string{".yaml", ".yml", ".json"}

// manifestFile is one manifest file read from the directory.
type manifestFile struct {
	name     string
	data     []byte
	checksum string
}

// dirContent is what one read of the manifests directory found.
type dirContent struct {
	// files holds the files read, sorted by name.
	files []manifestFile
	// present holds the name of every manifest file there, read or not, so that a
	// file that could not be read is never taken for a removed one.
	present map[string]bool
	// problems holds the errors of files that could not be read.
	problems []error
}

// IsManifestName reports whether the Applier reads a file of that name: not hidden,
// ending in .yaml, .yml or .json.
func IsManifestName(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false
	}
	for _, ext := range manifestExtensions {
		if strings.HasSuffix(name, ext) && len(name) > len(ext) {
			return true
		}
	}
	return false
}

// readDir reads the manifest files directly in dir; symbolic links to regular files
// count, subdirectories do not. A missing dir holds no files. A file that cannot be
// read is listed as present and reported among the problems; the error is only for a
// directory that cannot be listed.
func readDir(dir string) (dirContent, error) {
	c := dirContent{present: map[string]bool{}}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read manifests directory: %w", err)
	}
	for _, e := range entries {
		if !IsManifestName(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		info, err := os.Stat(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			c.present[e.Name()] = true
			c.problems = append(c.problems, fmt.Errorf("manifest %s: %w", e.Name(), err))
			continue
		}
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		c.present[e.Name()] = true
		f, err := readManifest(path)
		if err != nil {
			c.problems = append(c.problems, err)
			continue
		}
		c.files = append(c.files, f)
	}
	sort.Slice(c.files, func(i, j int) bool { return c.files[i].name < c.files[j].name })
	return c, nil
}

// readManifest reads one file of at most maxManifestSize bytes.
func readManifest(path string) (manifestFile, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return manifestFile{}, fmt.Errorf("manifest %s: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	if err != nil {
		return manifestFile{}, fmt.Errorf("manifest %s: %w", name, err)
	}
	if len(data) > maxManifestSize {
		return manifestFile{}, fmt.Errorf("manifest %s: larger than %d bytes", name,
			maxManifestSize)
	}
	return manifestFile{name: name, data: data, checksum: checksum(data)}, nil
}

// checksum returns the hex SHA-256 digest of data.
func checksum(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
