//go:build bundle

package bundle

import (
	"embed"
	"io/fs"
)

// assets holds the bundle that the build packed into the assets directory.
//
//go:embed assets
var assets embed.FS

// embeddedFS returns the embedded bundle's files.
func embeddedFS() (fs.FS, error) {
	return fs.Sub(assets, "assets")
}
