package hosts

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// waitDelay bounds how long a cancelled command may keep its output pipes open.
const waitDelay = 10 * time.Second

// runCommand runs a program to completion and returns its standard output. Standard error
// goes to log and, trimmed to its last lines, into the error. Cancelling ctx kills the
// program's whole process group, so no docker call outlives it.
func runCommand(ctx context.Context, log io.Writer, stdin io.Reader, name string,
	args ...string) (string, error) {
	if log == nil {
		log = io.Discard
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = stdin
	cmd.Stdout = &stdout
	cmd.Stderr = io.MultiWriter(&stderr, log)
	cmd.WaitDelay = waitDelay
	killGroupOnCancel(cmd)

	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w%s", name, firstArg(args), err,
			tail(stderr.String()))
	}
	return stdout.String(), nil
}

// firstArg names the subcommand or script argument in errors without the rest.
func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// tail returns the last lines of a command's error output, prefixed for an error text.
func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return ": " + strings.Join(lines, "; ")
}
