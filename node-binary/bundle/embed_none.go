//go:build !bundle

package bundle

import "io/fs"

// embeddedFS reports that this binary was built without a bundle.
func embeddedFS() (fs.FS, error) {
	return nil, ErrNotEmbedded
}
