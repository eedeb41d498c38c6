package ssh

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightcluster/lightcluster/internal/sshtest"
)

func TestRunOutput(t *testing.T) {
	tests := []struct {
		name string
		cmd  Command
		want Result
	}{
		{name: "script", cmd: Command{Script: "echo out; echo err >&2"},
			want: Result{Stdout: "out\n", Stderr: "err\n"}},
		{name: "args are quoted", cmd: Command{Args: []string{"printf", "%s|", "a b", "it's"}},
			want: Result{Stdout: "a b|it's|"}},
		{name: "stdin", cmd: Command{Script: "cat", Stdin: strings.NewReader("fed\n")},
			want: Result{Stdout: "fed\n"}},
		{name: "root ignores sudo", cmd: Command{Script: "echo as root", Sudo: true},
			want: Result{Stdout: "as root\n"}},
	}
	// The simulated sudo would refuse every command, so success proves root skips it.
	h := newTestHost(t, sshtest.Options{SudoPassword: "unused"})
	h.cfg.User = "root"
	client := h.dial(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := client.Run(testContext(t), tt.cmd)
			if err != nil {
				t.Fatalf("Run() = %v", err)
			}
			if got != tt.want {
				t.Errorf("Run() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRunRejectsMalformedCommands(t *testing.T) {
	client := newTestHost(t, sshtest.Options{}).dial(t)
	tests := []struct {
		name string
		cmd  Command
	}{
		{name: "empty", cmd: Command{Name: "nothing"}},
		{name: "script and args", cmd: Command{Script: "true", Args: []string{"true"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := client.Run(testContext(t), tt.cmd); err == nil {
				t.Fatal("Run() = nil, want an error")
			}
		})
	}
}

func TestRunCommandError(t *testing.T) {
	h := newTestHost(t, sshtest.Options{})
	h.srv.FailCommands("lightnode install", 4, "lightnode: unit file exists\n")
	client := h.dial(t)
	tests := []struct {
		name       string
		cmd        Command
		wantStatus int
		wantStderr string
	}{
		{name: "script exits non-zero",
			cmd:        Command{Name: "install lightnode", Script: "echo boom >&2; exit 3"},
			wantStatus: 3, wantStderr: "boom"},
		{name: "server fails the command",
			cmd:        Command{Name: "start service", Script: "lightnode install server"},
			wantStatus: 4, wantStderr: "lightnode: unit file exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := client.Run(testContext(t), tt.cmd)
			var cmdErr *CommandError
			if !errors.As(err, &cmdErr) {
				t.Fatalf("Run() = %v, want a *CommandError", err)
			}
			want := CommandError{Name: tt.cmd.Name, ExitStatus: tt.wantStatus,
				Stderr: tt.wantStderr}
			if *cmdErr != want || res.ExitStatus != tt.wantStatus {
				t.Errorf("error = %+v, exit %d; want %+v", *cmdErr, res.ExitStatus, want)
			}
			for _, part := range []string{tt.cmd.Name, "exit status", tt.wantStderr} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
		})
	}
}

func TestRunTimeoutKillsCommand(t *testing.T) {
	h := newTestHost(t, sshtest.Options{})
	client := h.dial(t)
	marker := filepath.Join(h.dir, "marker")

	cmd := Command{
		Script:  "sleep 5; touch " + ShellQuote(marker),
		Timeout: 200 * time.Millisecond,
	}
	_, err := client.Run(testContext(t), cmd)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run() = %v, want context.DeadlineExceeded", err)
	}

	// The host handles a session's requests in order, so once a later command has
	// run, the kill signal has arrived; Close then waits for every command.
	if _, err := client.Run(testContext(t), Command{Script: "true"}); err != nil {
		t.Fatalf("Run() after the timeout = %v", err)
	}
	h.srv.Close()
	if fileExists(t, marker) {
		t.Error("command kept running after its timeout")
	}
}

func TestRunConnectionLost(t *testing.T) {
	h := newTestHost(t, sshtest.Options{})
	h.srv.DropAfterStdinBytes(1024)
	client := h.dial(t)

	stdin := bytes.NewReader(make([]byte, 1<<20))
	_, err := client.Run(testContext(t), Command{Script: "cat > /dev/null", Stdin: stdin})
	if !errors.Is(err, ErrConnectionLost) || !IsRetriable(err) {
		t.Fatalf("Run() = %v, want a retriable ErrConnectionLost", err)
	}
}
