package pki

import (
	"fmt"
	"path/filepath"
)

// LoadCASet loads the CA set stored under dir (normally <data-dir>/server/tls) and
// validates it like CASetFromFiles.
func LoadCASet(dir string) (*CASet, error) {
	files, err := readCASetFiles(dir)
	if err != nil {
		return nil, err
	}
	set, err := CASetFromFiles(files)
	if err != nil {
		return nil, fmt.Errorf("load CA set from %s: %w", dir, err)
	}
	return set, nil
}

// EnsureCASet loads the CA set stored under dir and generates only what is absent: a CA
// whose certificate and key are both missing, or a service-account key pair whose files
// are both missing (a missing public key alone is derived from the private key). Existing
// files are never rewritten, and a file missing from an existing pair is an error that
// names it. It returns the set and the paths it wrote, relative to dir.
func EnsureCASet(dir string, clock Clock) (*CASet, []string, error) {
	files, err := readCASetFiles(dir)
	if err != nil {
		return nil, nil, err
	}
	set, created, err := buildCASet(source{files: files, name: identity}, true, clock)
	if err != nil {
		return nil, nil, fmt.Errorf("load CA set from %s: %w", dir, err)
	}

	// Keys are written before their certificates, so a certificate on disk means its key is.
	generated := set.Files()
	for _, path := range created {
		err := writeFileAtomic(filepath.Join(dir, path), generated[path], fileMode(path))
		if err != nil {
			return nil, nil, err
		}
	}
	return set, created, nil
}

// readCASetFiles reads the files of a CA set that exist under dir.
func readCASetFiles(dir string) (map[string][]byte, error) {
	files := make(map[string][]byte)
	for _, path := range CASetFileNames() {
		data, ok, err := readOptional(filepath.Join(dir, path))
		if err != nil {
			return nil, err
		}
		if ok {
			files[path] = data
		}
	}
	return files, nil
}
