//go:build !unix

package bundle

import (
	"errors"
	"fmt"
)

// lockDir fails: lightnode nodes run on Linux only.
func lockDir(dir string) (func(), error) {
	return nil, fmt.Errorf("lock %s: %w", dir, errors.ErrUnsupported)
}
