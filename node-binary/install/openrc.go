package install

import (
	"context"
	"io/fs"
	"path"
	"strings"
)

// openrc runs lightnode as an OpenRC service supervised by supervise-daemon.
type openrc struct{}

func (openrc) unitPath(role Role) string { return path.Join(openrcDir, serviceName(role)) }

func logFile(role Role) string { return "/var/log/" + serviceName(role) + ".log" }

func (openrc) render(_ Options, role Role, execStart []string) ([]byte, fs.FileMode) {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	line("#!/sbin/openrc-run")
	line("")
	line(`description="Lightweight Kubernetes (lightnode ` + string(role) + `)"`)
	line(`command="` + execStart[0] + `"`)
	line(`command_args="` + strings.Join(execStart[1:], " ") + `"`)
	line("supervisor=supervise-daemon")
	line("respawn_delay=5")
	line("respawn_max=0")
	line(`output_log="` + logFile(role) + `"`)
	line(`error_log="` + logFile(role) + `"`)
	line(`rc_ulimit="-n 1048576 -u unlimited"`)
	line("")
	line("depend() {")
	line("\tneed net")
	line("\tuse dns")
	line("\tafter firewall")
	line("}")
	line("")
	line("start_pre() {")
	line("\tmodprobe br_netfilter 2>/dev/null || true")
	line("\tmodprobe overlay 2>/dev/null || true")
	line("}")
	return []byte(b.String()), 0o755
}

// runlevelLink is the file that says the service starts in the default runlevel.
func runlevelLink(role Role) string {
	return path.Join("/etc/runlevels/default", serviceName(role))
}

func (m openrc) start(ctx context.Context, o Options, role Role, _, restart bool) error {
	svc := serviceName(role)
	if !exists(o.System, runlevelLink(role)) {
		if err := run(ctx, o, "rc-update", "add", svc, "default"); err != nil {
			return err
		}
	}
	if restart {
		return run(ctx, o, "rc-service", svc, "restart")
	}
	if m.active(ctx, o, role) {
		return nil
	}
	return run(ctx, o, "rc-service", svc, "start")
}

func (openrc) active(ctx context.Context, o Options, role Role) bool {
	return succeeds(ctx, o, "rc-service", serviceName(role), "status")
}

func (m openrc) stop(ctx context.Context, o Options, role Role) error {
	svc := serviceName(role)
	var err error
	if m.active(ctx, o, role) {
		err = run(ctx, o, "rc-service", svc, "stop")
	}
	if exists(o.System, runlevelLink(role)) {
		if delErr := run(ctx, o, "rc-update", "del", svc, "default"); err == nil {
			err = delErr
		}
	}
	return err
}

func (openrc) unitsRemoved(context.Context, Options) error { return nil }

func (openrc) logHint(role Role) string { return "tail -f " + logFile(role) }
