package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runPauseEnv makes the test binary run main instead of the tests, so that a test can
// start pause as a child process.
const runPauseEnv = "LIGHTNODE_TEST_RUN_PAUSE"

func TestMain(m *testing.M) {
	if os.Getenv(runPauseEnv) == "1" {
		// The Go runtime catches SIGINT from the start, so the parent cannot tell from
		// /proc when pause's own handlers are in place: say so on stdout.
		run(func() { _, _ = os.Stdout.WriteString("ready\n") })
		return
	}
	os.Exit(m.Run())
}

// waitFor polls cond every 10 ms, at most 1000 times, and reports whether it held.
func waitFor(cond func() bool) bool {
	for range 1000 {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// catchesSignal reports whether process pid has a handler installed for sig.
func catchesSignal(pid int, sig syscall.Signal) bool {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(status)) {
		if mask, ok := strings.CutPrefix(line, "SigCgt:"); ok {
			bits, err := strconv.ParseUint(strings.TrimSpace(mask), 16, 64)
			return err == nil && bits&(1<<(sig-1)) != 0
		}
	}
	return false
}

func TestExitsOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), runPauseEnv+"=1")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatalf("start pause: %v", err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() })

			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil || line != "ready\n" {
				t.Fatalf("pause did not report its handlers: %q, %v", line, err)
			}
			if !catchesSignal(cmd.Process.Pid, sig) {
				t.Fatalf("pause has no handler for %v", sig)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatalf("signal pause: %v", err)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("pause exited with %v, want status 0", err)
			}
		})
	}
}

func TestReapChildrenCollectsExitedChildren(t *testing.T) {
	child := exec.Command("true")
	if err := child.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	proc := "/proc/" + strconv.Itoa(child.Process.Pid)

	// An exited child stays in /proc as a zombie until its parent collects it.
	gone := waitFor(func() bool {
		reapChildren()
		_, err := os.Stat(proc)
		return errors.Is(err, os.ErrNotExist)
	})
	if !gone {
		t.Fatalf("child %s was never reaped", proc)
	}
}
