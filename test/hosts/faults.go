package hosts

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"
)

const (
	// stopGrace is how long a host may take to shut down cleanly before it is killed.
	stopGrace = 30 * time.Second
	// dockerTimeout bounds one docker call that does not wait for a boot.
	dockerTimeout = 2 * time.Minute
)

// Exec runs cmd as root on h through docker exec, whatever the state of sshd, and returns
// its standard output. A failure's error ends with the last lines of standard error.
func (s *Set) Exec(ctx context.Context, h Host, cmd ...string) (string, error) {
	return s.ExecInput(ctx, h, nil, cmd...)
}

// ExecInput is Exec with stdin fed to the command, for content that must stay out of
// the command line.
func (s *Set) ExecInput(ctx context.Context, h Host, stdin io.Reader,
	cmd ...string) (string, error) {
	args := []string{"exec"}
	if stdin != nil {
		args = append(args, "-i")
	}
	args = append(append(args, h.Name), cmd...)
	out, err := s.docker(ctx, stdin, args...)
	if err != nil {
		return out, fmt.Errorf("exec on %s: %w", h.Name, err)
	}
	return out, nil
}

// Stop shuts h down cleanly, as a person at the console would.
func (s *Set) Stop(ctx context.Context, h Host) error {
	grace := strconv.Itoa(int(stopGrace.Seconds()))
	return s.lifecycle(ctx, h, "stop", "stop", "--time", grace, h.Name)
}

// Kill cuts h's power: every process dies at once, nothing is flushed or unmounted.
func (s *Set) Kill(ctx context.Context, h Host) error {
	return s.lifecycle(ctx, h, "kill", "kill", h.Name)
}

// Pause freezes every process of h, the way a hung machine stops answering.
func (s *Set) Pause(ctx context.Context, h Host) error {
	return s.lifecycle(ctx, h, "pause", "pause", h.Name)
}

// Unpause lets a paused h run on from where it froze.
func (s *Set) Unpause(ctx context.Context, h Host) error {
	return s.lifecycle(ctx, h, "unpause", "unpause", h.Name)
}

// Disconnect pulls h's network cable: its peers and this machine no longer reach it, and
// h keeps its interface and address, seeing only the carrier go.
func (s *Set) Disconnect(ctx context.Context, h Host) error {
	return s.link(ctx, h, "down")
}

// Connect plugs a disconnected h's cable back in.
func (s *Set) Connect(ctx context.Context, h Host) error {
	return s.link(ctx, h, "up")
}

// link sets the engine side of h's network link down or up.
func (s *Set) link(ctx context.Context, h Host, state string) error {
	ctx, cancel := context.WithTimeout(ctx, dockerTimeout)
	defer cancel()
	script := filepath.Join(s.scripts, "link.sh")
	if _, err := runCommand(ctx, io.Discard, nil, script, h.Name, state); err != nil {
		return fmt.Errorf("set the link of %s %s: %w", h.Name, state, err)
	}
	return nil
}

// Start boots a stopped or killed h and waits until systemd is up and sshd answers. The
// host keeps its address, machine id, host keys and the contents of /var.
func (s *Set) Start(ctx context.Context, h Host) error {
	if err := s.lifecycle(ctx, h, "start", "start", h.Name); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, defaultBootTimeout+dockerTimeout)
	defer cancel()
	wait := filepath.Join(s.scripts, "wait.sh")
	timeout := strconv.Itoa(int(defaultBootTimeout.Seconds()))
	if _, err := runCommand(ctx, io.Discard, nil, wait, "--timeout", timeout, h.Name); err != nil {
		return fmt.Errorf("wait for %s: %w", h.Name, err)
	}
	return nil
}

// lifecycle runs one docker command against h and names the action in its error.
func (s *Set) lifecycle(ctx context.Context, h Host, action string, args ...string) error {
	if _, err := s.docker(ctx, nil, args...); err != nil {
		return fmt.Errorf("%s %s: %w", action, h.Name, err)
	}
	return nil
}

// docker runs the docker command line, bounded in time.
func (s *Set) docker(ctx context.Context, stdin io.Reader, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, dockerTimeout)
	defer cancel()
	return runCommand(ctx, io.Discard, stdin, "docker", args...)
}
