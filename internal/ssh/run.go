package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// Command is one shell command to run on a host.
type Command struct {
	// Name is the step the command performs, such as "install lightnode"; errors
	// start with it.
	Name string
	// Script is a POSIX shell script run with sh -c. Set either Script or Args.
	Script string
	// Args is an argument vector; each argument is quoted for the shell.
	Args []string
	// Stdin, when set, is streamed to the command's standard input.
	Stdin io.Reader
	// Sudo runs the command as root through sudo unless the login user is root.
	Sudo bool
	// Timeout bounds the command; zero means the client's CommandTimeout.
	Timeout time.Duration
}

// Result is what a command wrote and how it exited.
type Result struct {
	// Stdout is the command's standard output.
	Stdout string
	// Stderr is the command's standard error.
	Stderr string
	// ExitStatus is the command's exit status.
	ExitStatus int
}

// Run runs cmd and waits for it. A non-zero exit status is returned as a *CommandError,
// wrapped with ErrSudoPassword or ErrSudoPasswordRequired when sudo refused to run it.
// When ctx ends or the timeout passes, the command is killed.
func (c *Client) Run(ctx context.Context, cmd Command) (Result, error) {
	script, err := cmd.script()
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", cmd.name(), err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout(cmd))
	defer cancel()

	line, stdin, err := c.invocation(ctx, script, cmd.Sudo, cmd.Stdin)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", cmd.name(), err)
	}

	res, err := c.exec(ctx, line, stdin)
	if err != nil {
		return res, fmt.Errorf("%s: %w", cmd.name(), err)
	}
	if res.ExitStatus != 0 {
		return res, c.failure(cmd, res)
	}
	return res, nil
}

// script returns the shell script for the command.
func (cmd Command) script() (string, error) {
	switch {
	case cmd.Script != "" && len(cmd.Args) > 0:
		return "", errors.New("command sets both script and args")
	case cmd.Script != "":
		return cmd.Script, nil
	case len(cmd.Args) > 0:
		return ShellJoin(cmd.Args), nil
	default:
		return "", errors.New("command is empty")
	}
}

// name returns the step name used in errors.
func (cmd Command) name() string {
	if cmd.Name == "" {
		return "run command"
	}
	return cmd.Name
}

// timeout returns the command's own timeout or the client's default.
func (c *Client) timeout(cmd Command) time.Duration {
	if cmd.Timeout > 0 {
		return cmd.Timeout
	}
	return c.cfg.CommandTimeout
}

// failure builds the error for a non-zero exit status.
func (c *Client) failure(cmd Command, res Result) error {
	cmdErr := newCommandError(cmd.name(), res.ExitStatus, res.Stderr)
	if !cmd.Sudo || c.isRoot() {
		return cmdErr
	}
	if sentinel := sudoRefusal(res); sentinel != nil {
		return fmt.Errorf("%w: %w", sentinel, cmdErr)
	}
	return cmdErr
}

// exec runs one command line in a new session and collects its output. When ctx ends
// first, the session is signalled and closed without waiting for the host.
func (c *Client) exec(ctx context.Context, line string, stdin io.Reader) (Result, error) {
	session, err := c.conn.NewSession()
	if err != nil {
		return Result{}, c.sessionError("open session", err)
	}
	defer func() { _ = session.Close() }()

	var stdout, stderr bytes.Buffer
	session.Stdin, session.Stdout, session.Stderr = stdin, &stdout, &stderr
	if err := session.Start(line); err != nil {
		return Result{}, c.sessionError("start command", err)
	}

	waited := make(chan error, 1)
	go func() { waited <- session.Wait() }()
	select {
	case err := <-waited:
		return c.collect(err, stdout.String(), stderr.String())
	case <-ctx.Done():
		_ = session.Signal(gossh.SIGKILL)
		_ = session.Close()
		return Result{}, fmt.Errorf("command killed: %w", context.Cause(ctx))
	}
}

// collect turns the session's end into a Result.
func (c *Client) collect(err error, stdout, stderr string) (Result, error) {
	res := Result{Stdout: stdout, Stderr: stderr}
	var exitErr *gossh.ExitError
	switch {
	case err == nil:
		return res, nil
	case errors.As(err, &exitErr):
		res.ExitStatus = exitErr.ExitStatus()
		return res, nil
	default:
		return res, c.sessionError("wait for command", err)
	}
}

// sessionError marks err with ErrConnectionLost when the connection no longer works.
func (c *Client) sessionError(step string, err error) error {
	if !c.alive() {
		return fmt.Errorf("%s: %w: %w", step, ErrConnectionLost, err)
	}
	return fmt.Errorf("%s: %w", step, err)
}
