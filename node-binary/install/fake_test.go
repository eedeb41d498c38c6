package install

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeSystem is a machine in a directory: paths map below root, commands are recorded
// and answered by handlers, and kills are recorded.
type fakeSystem struct {
	t    *testing.T
	root string
	exe  string

	mu       sync.Mutex
	commands []Command
	killed   []int
	// handlers answer commands by program name; a program without one succeeds
	// silently, except the firewall tools, which are absent.
	handlers map[string]func(Command) ([]byte, error)
}

// newFakeSystem returns a machine with systemd and a lightnode binary to install.
func newFakeSystem(t *testing.T) *fakeSystem {
	t.Helper()
	f := &fakeSystem{
		t:        t,
		root:     t.TempDir(),
		exe:      filepath.Join(t.TempDir(), "lightnode-build"),
		handlers: map[string]func(Command) ([]byte, error){},
	}
	f.mkdir("/run/systemd/system")
	f.setBinary("lightnode build 1")
	f.write("/proc/self/mountinfo", "")
	for _, tool := range []string{"iptables-save", "ip6tables-save", "nft"} {
		f.handlers[tool] = func(Command) ([]byte, error) { return nil, exec.ErrNotFound }
	}
	return f
}

func (f *fakeSystem) Path(hostPath string) string { return filepath.Join(f.root, hostPath) }

func (f *fakeSystem) Run(_ context.Context, cmd Command) ([]byte, error) {
	f.mu.Lock()
	f.commands = append(f.commands, cmd)
	h := f.handlers[cmd.Name]
	f.mu.Unlock()
	if h == nil {
		return nil, nil
	}
	return h(cmd)
}

func (f *fakeSystem) Executable() (string, error) { return f.exe, nil }

func (f *fakeSystem) Kill(pid int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.killed = append(f.killed, pid)
	return nil
}

// ran returns the recorded commands as strings and forgets them.
func (f *fakeSystem) ran() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.commands))
	for i, c := range f.commands {
		out[i] = strings.Join(append([]string{c.Name}, c.Args...), " ")
	}
	f.commands = nil
	return out
}

// setBinary makes the running binary hold content.
func (f *fakeSystem) setBinary(content string) {
	f.t.Helper()
	if err := os.WriteFile(f.exe, []byte(content), 0o755); err != nil {
		f.t.Fatalf("write binary: %v", err)
	}
}

// write creates a file below root, with its directories.
func (f *fakeSystem) write(hostPath, content string) {
	f.t.Helper()
	f.mkdir(filepath.Dir(hostPath))
	if err := os.WriteFile(f.Path(hostPath), []byte(content), 0o644); err != nil {
		f.t.Fatalf("write %s: %v", hostPath, err)
	}
}

// mkdir creates a directory below root.
func (f *fakeSystem) mkdir(hostPath string) {
	f.t.Helper()
	if err := os.MkdirAll(f.Path(hostPath), 0o755); err != nil {
		f.t.Fatalf("mkdir %s: %v", hostPath, err)
	}
}

// read returns the content of a file below root.
func (f *fakeSystem) read(hostPath string) string {
	f.t.Helper()
	data, err := os.ReadFile(f.Path(hostPath))
	if err != nil {
		f.t.Fatalf("read %s: %v", hostPath, err)
	}
	return string(data)
}

// addProcess adds a process to the fake /proc.
func (f *fakeSystem) addProcess(pid, ppid int, exe, cmdline string) {
	f.t.Helper()
	dir := fmt.Sprintf("/proc/%d", pid)
	f.write(dir+"/stat", fmt.Sprintf("%d (some name) S %d 1 1 0", pid, ppid))
	f.write(dir+"/cmdline", strings.ReplaceAll(cmdline, " ", "\x00")+"\x00")
	if err := os.Symlink(exe, f.Path(dir+"/exe")); err != nil {
		f.t.Fatalf("link exe of %d: %v", pid, err)
	}
}

// mount adds a mount point to the fake mountinfo; umount of it removes it again.
func (f *fakeSystem) mount(point string) {
	f.t.Helper()
	info := f.read("/proc/self/mountinfo")
	escaped := strings.ReplaceAll(point, " ", `\040`)
	f.write("/proc/self/mountinfo", info+"36 35 98:0 / "+escaped+" rw - tmpfs tmpfs rw\n")
	f.handlers["umount"] = f.umount
}

// umount removes the mount point named last in cmd from the fake mountinfo.
func (f *fakeSystem) umount(cmd Command) ([]byte, error) {
	point := strings.ReplaceAll(cmd.Args[len(cmd.Args)-1], " ", `\040`)
	var kept []string
	for line := range strings.Lines(f.read("/proc/self/mountinfo")) {
		if strings.Fields(line)[4] != point {
			kept = append(kept, line)
		}
	}
	f.write("/proc/self/mountinfo", strings.Join(kept, ""))
	return nil, nil
}
