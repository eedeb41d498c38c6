package netfilter

import (
	"context"
	"os/exec"
)

// Host runs the programs whose answers tell which front end works.
type Host interface {
	// LookPath finds an executable in PATH, as exec.LookPath does.
	LookPath(file string) (string, error)
	// Output runs the program at path with args and returns its combined output.
	Output(ctx context.Context, path string, args ...string) ([]byte, error)
}

// Local is the host this process runs on.
var Local Host = localHost{}

// localHost runs programs with os/exec.
type localHost struct{}

// LookPath finds file in PATH.
func (localHost) LookPath(file string) (string, error) { return exec.LookPath(file) }

// Output runs path and returns what it printed.
func (localHost) Output(ctx context.Context, path string, args ...string) ([]byte, error) {
	return exec.CommandContext(ctx, path, args...).CombinedOutput()
}
