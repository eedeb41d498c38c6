package hostfacts

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/lightcluster/lightcluster/internal/ssh"
)

// Runner runs a command on a host; *ssh.Client is one.
type Runner interface {
	// Run runs cmd and returns what it printed.
	Run(ctx context.Context, cmd ssh.Command) (ssh.Result, error)
}

// Gather runs the facts script on the host and parses its output. dataDir is the
// absolute path of the data directory; it need not exist yet.
func Gather(ctx context.Context, r Runner, dataDir string) (Facts, error) {
	if !path.IsAbs(dataDir) {
		return Facts{}, fmt.Errorf("gather host facts: data dir %q must be absolute", dataDir)
	}
	res, err := r.Run(ctx, ssh.Command{Name: "gather host facts", Script: Script(dataDir)})
	if err != nil {
		return Facts{}, err
	}
	facts, err := Parse(res.Stdout)
	if err != nil {
		return Facts{}, fmt.Errorf("gather host facts: %w", err)
	}
	return facts, nil
}

// Script returns the POSIX shell script Gather runs. It prints key=value lines, then
// os-release prefixed with "os-release:". Free space is measured on the nearest
// existing parent of dataDir.
func Script(dataDir string) string {
	lines := []string{
		"d=" + ssh.ShellQuote(path.Clean(dataDir)),
		`printf 'arch=%s\n' "$(uname -m)"`,
		`printf 'kernel=%s\n' "$(uname -r)"`,
		`printf 'hostname=%s\n' "$(uname -n)"`,
		`printf 'cpus=%s\n' "$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null)"`,
		"if [ -d /run/systemd/system ]; then init=systemd",
		"elif command -v rc-service >/dev/null 2>&1; then init=openrc",
		"else init=unknown; fi",
		`printf 'init=%s\n' "$init"`,
		`printf 'meminfo=%s\n' "$(grep '^MemTotal:' /proc/meminfo 2>/dev/null)"`,
		`while [ ! -e "$d" ]; do d=$(dirname "$d"); done`,
		`printf 'df=%s\n' "$(df -Pk "$d" 2>/dev/null | tail -n 1)"`,
		"for f in /etc/os-release /usr/lib/os-release; do",
		`  if [ -r "$f" ]; then sed 's/^/os-release:/' "$f"; break; fi`,
		"done",
	}
	return strings.Join(lines, "\n") + "\n"
}
