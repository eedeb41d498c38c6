package install

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// systemd runs lightnode as a systemd unit.
type systemd struct{}

func (systemd) unitPath(role Role) string {
	return path.Join(systemdDir, serviceName(role)+".service")
}

// render writes the unit. Type=exec since lightnode does not notify readiness;
// KillMode=process leaves containers running across restarts of lightnode;
// Delegate=yes lets the kubelet and containerd manage their cgroups.
func (systemd) render(_ Options, role Role, execStart []string) ([]byte, fs.FileMode) {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	line("[Unit]")
	line(fmt.Sprintf("Description=Lightweight Kubernetes (lightnode %s)", role))
	line("Wants=network-online.target")
	line("After=network-online.target")
	line("")
	line("[Service]")
	line("Type=exec")
	line("ExecStartPre=-/sbin/modprobe br_netfilter")
	line("ExecStartPre=-/sbin/modprobe overlay")
	line("ExecStart=" + strings.Join(execStart, " "))
	line("KillMode=process")
	line("Delegate=yes")
	line("LimitNOFILE=1048576")
	line("LimitNPROC=infinity")
	line("LimitCORE=infinity")
	line("TasksMax=infinity")
	line("TimeoutStartSec=0")
	line("Restart=always")
	line("RestartSec=5s")
	line("")
	line("[Install]")
	line("WantedBy=multi-user.target")
	return []byte(b.String()), 0o644
}

func (systemd) start(ctx context.Context, o Options, role Role, unitChanged,
	restart bool) error {
	svc := serviceName(role)
	if unitChanged {
		if err := run(ctx, o, "systemctl", "daemon-reload"); err != nil {
			return err
		}
	}
	if !restart {
		return run(ctx, o, "systemctl", "enable", "--now", svc)
	}
	if err := run(ctx, o, "systemctl", "enable", svc); err != nil {
		return err
	}
	return run(ctx, o, "systemctl", "restart", svc)
}

func (systemd) active(ctx context.Context, o Options, role Role) bool {
	return succeeds(ctx, o, "systemctl", "is-active", "--quiet", serviceName(role))
}

func (systemd) stop(ctx context.Context, o Options, role Role) error {
	return run(ctx, o, "systemctl", "disable", "--now", serviceName(role))
}

func (systemd) unitsRemoved(ctx context.Context, o Options) error {
	return run(ctx, o, "systemctl", "daemon-reload")
}

func (systemd) logHint(role Role) string {
	return "journalctl -u " + serviceName(role) + " -f"
}
