//go:build e2e

package hosts

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sshTimeout bounds one ssh session of these tests.
const sshTimeout = 30 * time.Second

func TestHostsE2E(t *testing.T) {
	ctx := context.Background()
	s, err := Up(ctx, t, 2)
	if err != nil {
		t.Fatalf("Up: %v", err)
	}
	first, second := s.Hosts[0], s.Hosts[1]
	t.Logf("run %s on %s: %s at %s, %s at %s", s.Run, s.Subnet, first.Name, first.IP,
		second.Name, second.IP)

	t.Run("boots systemd and answers ssh", func(t *testing.T) {
		for _, h := range s.Hosts {
			state, _ := sshRun(t, h, "root", "", "systemctl is-system-running")
			state = strings.TrimSpace(state)
			if state == "degraded" {
				failed, _ := sshRun(t, h, "root", "", "systemctl --failed --no-legend")
				t.Logf("%s is degraded; failed units: %s", h.Name, failed)
			}
			if state != "running" && state != "degraded" {
				t.Errorf("%s: systemctl is-system-running = %q", h.Name, state)
			}
		}
	})

	t.Run("sudo", func(t *testing.T) {
		password := mustUser(t, first, "lcpass").Password
		tests := []struct {
			name, user, stdin, cmd string
			wantOK                 bool
		}{
			{"lcuser without password", "lcuser", "", "sudo -n true", true},
			{"lcpass without password", "lcpass", "", "sudo -n true", false},
			{"lcpass with password", "lcpass", password + "\n", "sudo -S -p '' true", true},
			{"lcpass with wrong password", "lcpass", "wrong\n", "sudo -S -p '' true", false},
			{"root", "root", "", "test $(id -u) = 0", true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := sshRun(t, first, tt.user, tt.stdin, tt.cmd)
				if (err == nil) != tt.wantOK {
					t.Fatalf("%s as %s: error %v, want success %v", tt.cmd, tt.user, err, tt.wantOK)
				}
			})
		}
	})

	t.Run("hosts differ", func(t *testing.T) {
		if first.MachineID == second.MachineID || first.HostPublicKey == second.HostPublicKey {
			t.Fatalf("hosts share machine id %s or host key", first.MachineID)
		}
		for _, h := range s.Hosts {
			got := execOut(t, s, h, "sh", "-c", "hostname; cat /etc/machine-id")
			if want := h.Name + "\n" + h.MachineID + "\n"; got != want {
				t.Errorf("%s: hostname and machine id = %q, want %q", h.Name, got, want)
			}
		}
	})

	t.Run("hosts reach each other", func(t *testing.T) {
		if _, err := s.Exec(ctx, first, "ping", "-c1", "-W5", second.IP); err != nil {
			t.Fatalf("ping %s from %s: %v", second.IP, first.Name, err)
		}
		if !reachesSSH(ctx, s, first, second) {
			t.Fatalf("%s does not reach sshd of %s", first.Name, second.Name)
		}
	})

	t.Run("file systems", func(t *testing.T) {
		checkFileSystems(t, s, first)
	})

	t.Run("stop and start keep identity", func(t *testing.T) {
		checkRestart(t, s, second, s.Stop)
	})

	t.Run("power cut and start keep identity", func(t *testing.T) {
		checkRestart(t, s, second, s.Kill)
	})

	t.Run("pause freezes sshd", func(t *testing.T) {
		if err := s.Pause(ctx, second); err != nil {
			t.Fatalf("Pause: %v", err)
		}
		t.Cleanup(func() { _ = s.Unpause(context.Background(), second) })
		if banner(second) {
			t.Fatalf("a paused host answered ssh")
		}
		if err := s.Unpause(ctx, second); err != nil {
			t.Fatalf("Unpause: %v", err)
		}
		if !banner(second) {
			t.Fatalf("an unpaused host does not answer ssh")
		}
	})

	t.Run("disconnect partitions", func(t *testing.T) {
		if err := s.Disconnect(ctx, second); err != nil {
			t.Fatalf("Disconnect: %v", err)
		}
		t.Cleanup(func() { _ = s.Connect(context.Background(), second) })
		if reachesSSH(ctx, s, first, second) {
			t.Fatalf("%s still reaches a disconnected %s", first.Name, second.Name)
		}
		if err := s.Connect(ctx, second); err != nil {
			t.Fatalf("Connect: %v", err)
		}
		if !reachesSSH(ctx, s, first, second) {
			t.Fatalf("%s does not reach %s after Connect", first.Name, second.Name)
		}
	})

	t.Run("down leaves nothing", func(t *testing.T) {
		if err := s.Down(); err != nil {
			t.Fatalf("Down: %v", err)
		}
		filter := "label=lightcluster.dev/testhost-run=" + s.Run
		for _, list := range [][]string{
			{"ps", "-aq", "--filter", filter},
			{"volume", "ls", "-q", "--filter", filter},
			{"network", "ls", "-q", "--filter", filter},
		} {
			out, err := runCommand(ctx, nil, nil, "docker", list...)
			if err != nil || strings.TrimSpace(out) != "" {
				t.Errorf("docker %s after Down: %q, %v", list[0], out, err)
			}
		}
		if _, err := os.Stat(s.Dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("state directory %s after Down: %v", s.Dir, err)
		}
	})
}

// checkFileSystems asserts what the kubelet and containerd need from a host's mounts.
func checkFileSystems(t *testing.T, s *Set, h Host) {
	t.Helper()
	mounts := execOut(t, s, h, "cat", "/proc/mounts")
	cgroups := 0
	for _, line := range strings.Split(mounts, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || (f[2] != "cgroup" && f[2] != "cgroup2") {
			continue
		}
		cgroups++
		if !strings.HasPrefix(f[3], "rw") {
			t.Errorf("cgroup hierarchy %s is mounted %s", f[1], f[3])
		}
	}
	if cgroups == 0 {
		t.Errorf("no cgroup hierarchy is mounted")
	}
	execOut(t, s, h, "sh", "-c", "mkdir /sys/fs/cgroup/pids/probe && rmdir /sys/fs/cgroup/pids/probe")

	fs := execOut(t, s, h, "sh", "-c",
		"mkdir -p /var/lib/lightnode && findmnt -no FSTYPE --target /var/lib/lightnode")
	if fs = strings.TrimSpace(fs); strings.Contains(fs, "overlay") {
		t.Errorf("/var/lib/lightnode is on %s", fs)
	}
	if prop := execOut(t, s, h, "findmnt", "-no", "PROPAGATION", "/"); !strings.Contains(
		prop, "shared") {
		t.Errorf("/ propagation is %q, want shared", prop)
	}
}

// checkRestart takes h down with halt, starts it and checks that it kept its identity.
func checkRestart(t *testing.T, s *Set, h Host, halt func(context.Context, Host) error) {
	t.Helper()
	ctx := context.Background()
	if err := halt(ctx, h); err != nil {
		t.Fatalf("halt %s: %v", h.Name, err)
	}
	if err := s.Start(ctx, h); err != nil {
		t.Fatalf("Start %s: %v", h.Name, err)
	}
	got := execOut(t, s, h, "sh", "-c",
		"cat /etc/machine-id; cut -d' ' -f1,2 /etc/ssh/ssh_host_ed25519_key.pub")
	if want := h.MachineID + "\n" + h.HostPublicKey + "\n"; got != want {
		t.Fatalf("after restart %s has %q, want %q", h.Name, got, want)
	}
	if _, err := sshRun(t, h, "lcuser", "", "sudo -n true"); err != nil {
		t.Fatalf("ssh to %s at %s after restart: %v", h.Name, h.IP, err)
	}
}

// sshRun runs cmd on h as user with the system ssh client, pinning h's host key. It
// retries while sshd refuses connections (ssh exit status 255), a few times.
func sshRun(t *testing.T, h Host, user, stdin, cmd string) (string, error) {
	t.Helper()
	knownHosts := filepath.Join(t.TempDir(), "known_hosts")
	line := fmt.Sprintf("%s %s\n", h.IP, h.HostPublicKey)
	if err := os.WriteFile(knownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-i", h.KeyPath, "-p", fmt.Sprint(h.SSHPort),
		"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
		"-o", "UserKnownHostsFile=" + knownHosts, "-o", "ConnectTimeout=10",
		"-o", "LogLevel=ERROR", user + "@" + h.IP, cmd}

	var err error
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), sshTimeout)
		c := exec.CommandContext(ctx, "ssh", args...)
		c.Stdin = strings.NewReader(stdin)
		var out []byte
		out, err = c.Output()
		cancel()
		var exit *exec.ExitError
		if err == nil || !errors.As(err, &exit) || exit.ExitCode() != 255 {
			return string(out), err
		}
		time.Sleep(time.Second)
	}
	return "", fmt.Errorf("ssh %s@%s: %w", user, h.IP, err)
}

// reachesSSH reports whether from reads sshd's banner from to.
func reachesSSH(ctx context.Context, s *Set, from, to Host) bool {
	script := fmt.Sprintf("exec 3<>/dev/tcp/%s/22 && head -c 4 <&3", to.IP)
	out, err := s.Exec(ctx, from, "timeout", "5", "bash", "-c", script)
	return err == nil && out == "SSH-"
}

// banner reports whether this machine reads sshd's banner from h within a few seconds.
func banner(h Host) bool {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(h.IP, fmt.Sprint(h.SSHPort)),
		5*time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "SSH-")
}

func execOut(t *testing.T, s *Set, h Host, cmd ...string) string {
	t.Helper()
	out, err := s.Exec(context.Background(), h, cmd...)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(cmd, " "), err)
	}
	return out
}

func mustUser(t *testing.T, h Host, name string) User {
	t.Helper()
	u, ok := h.User(name)
	if !ok || u.Password == "" {
		t.Fatalf("%s has no user %s with a password", h.Name, name)
	}
	return u
}
