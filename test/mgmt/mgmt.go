// Package mgmt runs a management cluster for the operator on this machine: a
// `lightnode server --disable-agent` on loopback with SQLite, the CRDs installed with
// kubectl, and the operator binary against it. The demo and the operator's end-to-end
// tests use it. Both processes run detached with their pids in the state directory, so
// that a later call (the demo's "down") can stop what an earlier one started.
package mgmt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Bounds of start-up and shutdown.
const (
	readyTimeout = 3 * time.Minute
	stopTimeout  = time.Minute
	pollInterval = time.Second
)

// Config says what to run and where.
type Config struct {
	// Dir is the state directory: data, kubeconfigs, logs, pid files, catalog.
	Dir string
	// Lightnode is the lightnode binary: the management server, kubectl, and the binary
	// the operator installs on hosts.
	Lightnode string
	// Operator is the operator binary.
	Operator string
	// Version is the release the catalog files the binary under, e.g. v1.37.2.
	Version string
	// Port is the management API's port on 127.0.0.1; zero picks a free one.
	Port int
	// OperatorArgs are extra operator flags.
	OperatorArgs []string
}

// Validate reports a configuration that cannot start.
func (c *Config) Validate() error {
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("state directory is empty"))
	}
	for name, path := range map[string]string{"lightnode": c.Lightnode, "operator": c.Operator} {
		if st, err := os.Stat(path); err != nil || st.IsDir() {
			errs = append(errs, fmt.Errorf("%s binary %q is not a file", name, path))
		}
	}
	if c.Version == "" {
		errs = append(errs, errors.New("version is empty"))
	}
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d is out of range", c.Port))
	}
	return errors.Join(errs...)
}

// Cluster is a running management cluster and operator.
type Cluster struct {
	// Dir is the state directory.
	Dir string
	// Kubeconfig is the admin kubeconfig of the management cluster.
	Kubeconfig string
	// URL is the management API's address.
	URL string

	lightnode string
}

// Open returns the cluster whose state is in dir, started earlier by Start.
func Open(dir, lightnode string) *Cluster {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return &Cluster{Dir: dir, Kubeconfig: filepath.Join(dir, "management.kubeconfig"),
		lightnode: lightnode}
}

// Start starts the management server, installs the CRDs from crdDir and starts the
// operator. On failure it stops what it started.
func Start(ctx context.Context, cfg Config, crdDir string) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("management cluster: %w", err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	c := Open(cfg.Dir, cfg.Lightnode)
	err := c.start(ctx, cfg, crdDir)
	if err != nil {
		return nil, errors.Join(err, c.Stop())
	}
	return c, nil
}

func (c *Cluster) start(ctx context.Context, cfg Config, crdDir string) error {
	port := cfg.Port
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return err
		}
	}
	c.URL = "https://127.0.0.1:" + strconv.Itoa(port)

	if err := c.startServer(ctx, port); err != nil {
		return err
	}
	if out, err := c.Kubectl(ctx, "apply", "-k", crdDir); err != nil {
		return fmt.Errorf("install CRDs from %s: %w\n%s", crdDir, err, out)
	}
	if out, err := c.Kubectl(ctx, "wait", "--for", "condition=Established", "--timeout", "60s",
		"crd/lightclusters.lightcluster.dev", "crd/lightnodes.lightcluster.dev"); err != nil {
		return fmt.Errorf("wait for CRDs: %w\n%s", err, out)
	}
	return c.startOperator(cfg)
}

// startServer starts lightnode server and waits until its API answers /readyz.
func (c *Cluster) startServer(ctx context.Context, port int) error {
	args := []string{"server", "--disable-agent", "--disable", "coredns",
		"--data-dir", c.path("management"),
		"--bind-address", "127.0.0.1", "--https-listen-port", strconv.Itoa(port),
		"--write-kubeconfig", c.Kubeconfig}
	if err := c.spawn("management", c.lightnode, args, nil); err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for {
		if _, err := c.Kubectl(ctx, "get", "--raw", "/readyz"); err == nil {
			return nil
		}
		if !c.running("management") {
			return fmt.Errorf("management server exited; its log:\n%s", c.LogTail("management"))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("management server not ready within %s; its log:\n%s",
				readyTimeout, c.LogTail("management"))
		case <-time.After(pollInterval):
		}
	}
}

// startOperator puts the lightnode binary into a catalog and starts the operator on it.
func (c *Cluster) startOperator(cfg Config) error {
	dir := filepath.Join(c.path("catalog"), cfg.Version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	dst := filepath.Join(dir, "lightnode-linux-"+runtime.GOARCH)
	if err := copyFile(cfg.Lightnode, dst); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	args := append([]string{"--node-binaries", c.path("catalog"),
		"--metrics-bind-address", "0", "--health-probe-bind-address", "0"}, cfg.OperatorArgs...)
	return c.spawn("operator", cfg.Operator, args, []string{"KUBECONFIG=" + c.Kubeconfig})
}

// Kubectl runs the management cluster's kubectl and returns its combined output.
func (c *Cluster) Kubectl(ctx context.Context, args ...string) (string, error) {
	return c.KubectlInput(ctx, nil, args...)
}

// KubectlInput is Kubectl with stdin.
func (c *Cluster) KubectlInput(ctx context.Context, stdin []byte, args ...string) (
	string, error) {
	return c.KubectlFor(ctx, c.Kubeconfig, stdin, args...)
}

// KubectlFor runs kubectl against the cluster of kubeconfig, such as one the operator
// made, with stdin when it is not nil.
func (c *Cluster) KubectlFor(ctx context.Context, kubeconfig string, stdin []byte,
	args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, c.lightnode,
		append([]string{"kubectl", "--kubeconfig", kubeconfig}, args...)...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// progressPath selects what changes when the operator makes progress; ages, which
// change every second, are left out.
const progressPath = `{range .items[*]}{.metadata.name} {.status.phase}` +
	`{range .status.conditions[*]} {.type}={.status}/{.reason}{end}{"\n"}{end}`

// Progress returns the LightClusters and LightNodes as a table, and a summary of their
// phases and conditions that changes only when one of them does.
func (c *Cluster) Progress(ctx context.Context) (table, summary string) {
	summary, _ = c.Kubectl(ctx, "get", "lc,ln", "-o", "jsonpath="+progressPath)
	table, _ = c.Kubectl(ctx, "get", "lc,ln", "-o", "wide")
	return table, summary
}

// OperatorRunning reports whether the operator process still runs.
func (c *Cluster) OperatorRunning() bool { return c.running("operator") }

// LogTail returns the last lines of a process's log: "operator" or "management".
func (c *Cluster) LogTail(name string) string {
	data, err := os.ReadFile(c.path(name + ".log"))
	if err != nil {
		return err.Error()
	}
	const keep = 200
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > keep {
		lines = lines[len(lines)-keep:]
	}
	return strings.Join(lines, "\n")
}

// Stop stops the operator, then the management server, each within a bound.
func (c *Cluster) Stop() error {
	return errors.Join(c.stop("operator"), c.stop("management"))
}

func (c *Cluster) path(name string) string { return filepath.Join(c.Dir, name) }

// spawn starts a detached process whose output goes to <name>.log and whose pid goes
// to <name>.pid.
func (c *Cluster) spawn(name, bin string, args, env []string) error {
	logFile, err := os.OpenFile(c.path(name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	pid := cmd.Process.Pid
	// The process outlives this one when asked to (the demo); reap it if it ends first.
	go func() { _ = cmd.Wait() }()
	return os.WriteFile(c.path(name+".pid"), []byte(strconv.Itoa(pid)+"\n"), 0o600)
}

// pid returns the pid recorded for name, or zero.
func (c *Cluster) pid(name string) int {
	data, err := os.ReadFile(c.path(name + ".pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return pid
}

func (c *Cluster) running(name string) bool {
	pid := c.pid(name)
	return pid > 0 && alive(pid)
}

// stop sends SIGTERM to the process called name and SIGKILL after stopTimeout.
func (c *Cluster) stop(name string) error {
	pid := c.pid(name)
	if pid == 0 {
		return nil
	}
	defer os.Remove(c.path(name + ".pid"))
	if !alive(pid) {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(stopTimeout)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if alive(pid) {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		return fmt.Errorf("%s (pid %d) did not stop within %s; killed", name, pid, stopTimeout)
	}
	return nil
}

// alive reports whether pid runs and is not a zombie.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, data, 0o755); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
