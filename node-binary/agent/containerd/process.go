package containerd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	client "github.com/containerd/containerd/v2/client"
)

// Bounds of the start-up of the child process.
const (
	readyTimeout  = 60 * time.Second
	readyInterval = 250 * time.Millisecond
)

// Process is a running containerd child process.
type Process struct {
	cmd  *exec.Cmd
	done chan error
	// Client is connected to the process's socket.
	Client *client.Client
}

// Start runs `self containerd --config configPath` with binDir first on its PATH (the
// runc shim and runc are found there), writing its output to logOut, and waits until
// its socket at address answers. The child is killed when this process dies; the
// shims, and so the containers, survive it.
func Start(ctx context.Context, self, configPath, address, binDir string,
	logOut io.Writer) (*Process, error) {
	cmd := exec.Command(self, CommandName, "--config", configPath)
	cmd.Env = childEnv(binDir)
	cmd.Stdout, cmd.Stderr = logOut, logOut
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start containerd: %w", err)
	}
	p := &Process{cmd: cmd, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()

	c, err := p.waitReady(ctx, address)
	if err != nil {
		p.Stop()
		return nil, err
	}
	p.Client = c
	return p, nil
}

// childGOGC trades some CPU for a smaller containerd heap, unless GOGC says otherwise.
const childGOGC = "GOGC=25"

// childEnv is this process's environment with binDir prepended to PATH, and childGOGC
// unless GOGC is set.
func childEnv(binDir string) []string {
	env := []string{}
	if os.Getenv("GOGC") == "" {
		env = append(env, childGOGC)
	}
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, kv := range os.Environ() {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PATH="+binDir+":"+path)
}

// waitReady polls the socket until containerd serves its version, the process exits
// or readyTimeout passes.
func (p *Process) waitReady(ctx context.Context, address string) (*client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for {
		if c, err := client.New(address, client.WithDefaultNamespace(Namespace),
			client.WithTimeout(time.Second)); err == nil {
			if _, err := c.Version(ctx); err == nil {
				return c, nil
			}
			c.Close()
		}
		select {
		case err := <-p.done:
			p.done <- err
			return nil, fmt.Errorf("containerd exited during start-up: %v", err)
		case <-ctx.Done():
			return nil, fmt.Errorf("containerd socket %s not ready: %w", address, ctx.Err())
		case <-time.After(readyInterval):
		}
	}
}

// Wait returns when the process exits, with the reason.
func (p *Process) Wait() error {
	err := <-p.done
	p.done <- err
	if err == nil {
		err = errors.New("exited")
	}
	return fmt.Errorf("containerd: %w", err)
}

// Stop ends the process with SIGTERM, then SIGKILL after a grace period; the shims
// and their containers keep running.
func (p *Process) Stop() {
	if p.Client != nil {
		p.Client.Close()
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		slog.Warn("Killed containerd after it ignored SIGTERM")
	}
}
