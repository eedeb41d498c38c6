package install

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
)

// ErrNoInitSystem reports a machine with neither systemd nor OpenRC, where lightnode
// cannot be installed as a service. Retrying cannot help.
var ErrNoInitSystem = errors.New("neither systemd nor OpenRC found")

// serviceManager is the init system that runs the lightnode service.
type serviceManager interface {
	// unitPath returns the file that defines the service of role.
	unitPath(role Role) string
	// render returns the content and mode of that file.
	render(o Options, role Role, execStart []string) ([]byte, fs.FileMode)
	// start enables the service and starts it, restarting it when restart is set;
	// unitChanged says the definition was rewritten.
	start(ctx context.Context, o Options, role Role, unitChanged, restart bool) error
	// active reports whether the service runs.
	active(ctx context.Context, o Options, role Role) bool
	// stop stops and disables the service.
	stop(ctx context.Context, o Options, role Role) error
	// unitsRemoved runs after the service definitions were deleted.
	unitsRemoved(ctx context.Context, o Options) error
	// logHint tells where the service logs.
	logHint(role Role) string
}

// detectServiceManager returns the init system of the machine: systemd when
// /run/systemd/system exists, OpenRC when openrc-run or rc-service exists.
func detectServiceManager(sys System) (serviceManager, error) {
	if exists(sys, "/run/systemd/system") {
		return systemd{}, nil
	}
	for _, p := range []string{"/sbin/openrc-run", "/sbin/rc-service", "/usr/sbin/rc-service"} {
		if exists(sys, p) {
			return openrc{}, nil
		}
	}
	return nil, ErrNoInitSystem
}

// run runs a command on the machine of o, with its output in the error.
func run(ctx context.Context, o Options, name string, args ...string) error {
	cmd := Command{Name: name, Args: args}
	out, err := o.System.Run(ctx, cmd)
	if err != nil {
		return fmt.Errorf("%s: %w: %s", cmd, err, firstLine(out))
	}
	return nil
}

// succeeds reports whether a command exits zero.
func succeeds(ctx context.Context, o Options, name string, args ...string) bool {
	_, err := o.System.Run(ctx, Command{Name: name, Args: args})
	return err == nil
}

// firstLine returns the first line of a command's output, for messages.
func firstLine(out []byte) string {
	for i, b := range out {
		if b == '\n' {
			return string(out[:i])
		}
	}
	return string(out)
}
