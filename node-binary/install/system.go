package install

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// Command is a program to run with its arguments and standard input.
type Command struct {
	// Name is the program, looked up in PATH.
	Name string
	// Args are its arguments.
	Args []string
	// Stdin is fed to its standard input; nil means none.
	Stdin []byte
}

// String returns the command line, for messages and tests.
func (c Command) String() string {
	return fmt.Sprint(append([]string{c.Name}, c.Args...))
}

// System is the machine install and uninstall act on.
type System interface {
	// Path maps an absolute path of the machine to the path to open; on the real
	// machine it is the path itself.
	Path(hostPath string) string
	// Run runs cmd and returns its combined output. A program that is not installed is
	// an error wrapping exec.ErrNotFound.
	Run(ctx context.Context, cmd Command) ([]byte, error)
	// Executable returns the path of the running lightnode binary.
	Executable() (string, error)
	// Kill stops the process pid with SIGKILL.
	Kill(pid int) error
}

// Host is the System of the machine the process runs on.
type Host struct{}

// Path returns hostPath unchanged.
func (Host) Path(hostPath string) string { return hostPath }

// Run runs cmd on the machine.
func (Host) Run(ctx context.Context, cmd Command) ([]byte, error) {
	c := exec.CommandContext(ctx, cmd.Name, cmd.Args...)
	if cmd.Stdin != nil {
		c.Stdin = bytes.NewReader(cmd.Stdin)
	}
	out, err := c.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("run %s: %w", cmd.Name, err)
	}
	return out, nil
}

// Executable returns the running binary with symbolic links resolved.
func (Host) Executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the running binary: %w", err)
	}
	return filepath.EvalSymlinks(exe)
}

// Kill sends SIGKILL to pid.
func (Host) Kill(pid int) error {
	return syscall.Kill(pid, syscall.SIGKILL)
}
