package version

import (
	"encoding/json"
	"fmt"
	"runtime"
)

// Binary is the name the binary reports itself under.
const Binary = "lightnode"

// Suffix marks the Kubernetes release as built by lightnode, as in v1.37.2+lightnode.
const Suffix = "+lightnode"

// Version and GitCommit are stamped at build time with -ldflags -X.
var (
	// Version is the Kubernetes release lightnode carries, such as v1.37.2.
	Version = "v0.0.0-dev"
	// GitCommit is the commit of the lightcluster source the binary was built from.
	GitCommit = "unknown"
)

// Info describes the running build.
type Info struct {
	// Version is the Kubernetes release, such as v1.37.2.
	Version string `json:"version"`
	// GitCommit is the source commit of the build.
	GitCommit string `json:"gitCommit"`
	// GoVersion is the Go toolchain that built the binary.
	GoVersion string `json:"goVersion"`
	// Binary is always "lightnode".
	Binary string `json:"binary"`
}

// Get returns the Info of the running build.
func Get() Info {
	return Info{Version: Version, GitCommit: GitCommit, GoVersion: runtime.Version(), Binary: Binary}
}

// String returns the one-line form, as in "lightnode v1.37.2+lightnode (go1.26.8, abc123)".
func (i Info) String() string {
	return fmt.Sprintf("%s %s%s (%s, %s)", i.Binary, i.Version, Suffix, i.GoVersion, i.GitCommit)
}

// JSON returns i as an indented JSON document followed by a newline.
func (i Info) JSON() ([]byte, error) {
	data, err := json.MarshalIndent(i, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode version: %w", err)
	}
	return append(data, '\n'), nil
}
