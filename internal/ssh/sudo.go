package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Command line prefixes for sudo. Neither uses a terminal. With a password, -k makes
// sudo ignore cached credentials so that it always reads exactly one line of stdin.
const (
	sudoNoPasswordPrefix = "sudo -n -- "
	sudoPasswordPrefix   = "sudo -S -k -p '' -- "
	// sudoProbe succeeds only when the policy needs no password, whatever is cached.
	sudoProbe = "sudo -n -k -- true"
)

// sudoMode says how sudo runs commands on the host.
type sudoMode int

const (
	// sudoWithoutPassword: sudo runs commands without asking.
	sudoWithoutPassword sudoMode = iota
	// sudoWithPassword: sudo reads the password from stdin.
	sudoWithPassword
)

// isRoot reports whether the login user is root, who needs no sudo.
func (c *Client) isRoot() bool {
	return c.cfg.User == "root"
}

// invocation returns the command line for script and the stdin to send, adding sudo
// and the password line in front of the caller's stdin when needed.
func (c *Client) invocation(ctx context.Context, script string, sudo bool,
	stdin io.Reader) (string, io.Reader, error) {
	line := "sh -c " + ShellQuote(script)
	if !sudo || c.isRoot() {
		return line, stdin, nil
	}

	mode, err := c.sudo(ctx)
	if err != nil {
		return "", nil, err
	}
	if mode == sudoWithoutPassword {
		return sudoNoPasswordPrefix + line, stdin, nil
	}
	return sudoPasswordPrefix + line, c.withPassword(stdin), nil
}

// withPassword puts the sudo password line before stdin.
func (c *Client) withPassword(stdin io.Reader) io.Reader {
	password := bytes.NewReader(append(bytes.Clone(c.cfg.SudoPassword), '\n'))
	if stdin == nil {
		return password
	}
	return io.MultiReader(password, stdin)
}

// sudo returns how sudo runs commands, checking the host once per client when a
// password is configured.
func (c *Client) sudo(ctx context.Context) (sudoMode, error) {
	if len(c.cfg.SudoPassword) == 0 {
		return sudoWithoutPassword, nil
	}
	c.sudoMu.Lock()
	defer c.sudoMu.Unlock()
	if c.sudoChecked {
		return c.sudoMode, nil
	}

	mode, err := c.checkSudo(ctx)
	if err != nil {
		return 0, fmt.Errorf("check sudo: %w", err)
	}
	c.sudoMode, c.sudoChecked = mode, true
	return mode, nil
}

// checkSudo finds out whether sudo asks for a password and, if so, whether it accepts
// the configured one. A password must not be sent when sudo does not ask for it,
// because sudo would leave it on the command's stdin.
func (c *Client) checkSudo(ctx context.Context) (sudoMode, error) {
	res, err := c.exec(ctx, sudoProbe, nil)
	if err != nil {
		return 0, err
	}
	if res.ExitStatus == 0 {
		return sudoWithoutPassword, nil
	}
	if !errors.Is(sudoRefusal(res), ErrSudoPasswordRequired) {
		return 0, newCommandError("sudo", res.ExitStatus, res.Stderr)
	}

	res, err = c.exec(ctx, sudoPasswordPrefix+"true", c.withPassword(nil))
	if err != nil {
		return 0, err
	}
	if res.ExitStatus != 0 {
		cmdErr := newCommandError("sudo", res.ExitStatus, res.Stderr)
		if sentinel := sudoRefusal(res); sentinel != nil {
			return 0, fmt.Errorf("%w: %w", sentinel, cmdErr)
		}
		return 0, cmdErr
	}
	return sudoWithPassword, nil
}

// sudoRefusal recognises sudo's own messages for a rejected or missing password.
func sudoRefusal(res Result) error {
	if res.ExitStatus != 1 {
		return nil
	}
	switch {
	case strings.Contains(res.Stderr, "incorrect password"),
		strings.Contains(res.Stderr, "Sorry, try again"):
		return ErrSudoPassword
	case strings.Contains(res.Stderr, "a password is required"),
		strings.Contains(res.Stderr, "a terminal is required"):
		return ErrSudoPasswordRequired
	default:
		return nil
	}
}
