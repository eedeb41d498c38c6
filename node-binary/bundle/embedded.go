package bundle

import (
	"errors"
	"fmt"
)

// ErrNotEmbedded reports a lightnode built without its bundle (without the build tag
// "bundle"): such a binary cannot run containers, and rebuilding it with the tag is the
// only remedy.
var ErrNotEmbedded = errors.New(
	"lightnode was built without the bundle of runc, CNI plugins and images " +
		"(build it with hack/build-bundle.sh and the build tag bundle)")

// Embedded returns the bundle compiled into this binary, or ErrNotEmbedded.
func Embedded() (*Bundle, error) {
	fsys, err := embeddedFS()
	if err != nil {
		return nil, err
	}
	b, err := Load(fsys)
	if err != nil {
		return nil, fmt.Errorf("load embedded bundle: %w", err)
	}
	return b, nil
}

// Extract unpacks the bundle compiled into this binary below dataDir, as
// (*Bundle).Extract does, and returns the directory that holds its programs.
func Extract(dataDir string) (binDir string, err error) {
	b, err := Embedded()
	if err != nil {
		return "", err
	}
	return b.Extract(dataDir)
}
