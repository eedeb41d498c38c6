//go:build lightnode

package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// Bounds of the waits in these tests; they bound loops, nothing asserts on time.
const (
	readyWait = 3 * time.Minute
	stopWait  = 90 * time.Second
)

// lightnodeBin is the binary under test: LIGHTNODE_BIN, else bin/lightnode built by
// hack/build-lightnode.sh.
var lightnodeBin string

func TestMain(m *testing.M) {
	lightnodeBin = os.Getenv("LIGHTNODE_BIN")
	if lightnodeBin == "" {
		out, err := exec.Command("../../hack/build-lightnode.sh").Output()
		if err != nil {
			fmt.Fprintln(os.Stderr, "build lightnode:", err)
			os.Exit(1)
		}
		lightnodeBin = strings.TrimSpace(string(out))
	}
	os.Exit(m.Run())
}

// node is one lightnode server process under test.
type node struct {
	t          *testing.T
	name       string
	dataDir    string
	kubeconfig string
	ip         string
	port       int
	env        []string
	args       []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	logs *bytes.Buffer
	done chan struct{}
	err  error
}

func newNode(t *testing.T, name, ip string, extra ...string) *node {
	t.Helper()
	dir := t.TempDir()
	n := &node{
		t: t, name: name, dataDir: filepath.Join(dir, "data"), ip: ip, port: freePort(t, ip),
		kubeconfig: filepath.Join(dir, "kubeconfig.yaml"),
		env: []string{
			"LIGHTNODE_ETCD_CLIENT_PORT=" + strconv.Itoa(freePort(t, ip)),
			"LIGHTNODE_ETCD_PEER_PORT=" + strconv.Itoa(freePort(t, ip)),
		},
	}
	n.args = append([]string{"server", "--disable-agent",
		"--data-dir", n.dataDir, "--write-kubeconfig", n.kubeconfig,
		"--node-name", name, "--node-ip", ip, "--bind-address", ip,
		"--https-listen-port", strconv.Itoa(n.port)}, extra...)
	t.Cleanup(n.kill)
	return n
}

func freePort(t *testing.T, ip string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (n *node) url() string { return fmt.Sprintf("https://%s:%d", n.ip, n.port) }

// start starts the process without waiting for it to be ready.
func (n *node) start() {
	n.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	cmd := exec.Command(lightnodeBin, n.args...)
	cmd.Env = append(os.Environ(), n.env...)
	n.logs = &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = n.logs, n.logs
	if err := cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	n.cmd, n.done = cmd, make(chan struct{})
	go func(done chan struct{}) {
		err := cmd.Wait()
		n.mu.Lock()
		n.err = err
		n.mu.Unlock()
		close(done)
	}(n.done)
}

// startReady starts the process and waits until its API answers /readyz.
func (n *node) startReady() kubernetes.Interface {
	n.t.Helper()
	n.start()
	client := n.waitReady()
	n.t.Logf("%s ready", n.name)
	return client
}

func (n *node) waitReady() kubernetes.Interface {
	n.t.Helper()
	deadline := time.Now().Add(readyWait)
	for time.Now().Before(deadline) {
		select {
		case <-n.done:
			n.t.Fatalf("%s exited before ready: %v\n%s", n.name, n.err, n.output())
		default:
		}
		if client, ok := n.ready(); ok {
			return client
		}
		time.Sleep(500 * time.Millisecond)
	}
	n.t.Fatalf("%s not ready within %s\n%s", n.name, readyWait, n.output())
	return nil
}

func (n *node) ready(ctx ...context.Context) (kubernetes.Interface, bool) {
	if _, err := os.Stat(n.kubeconfig); err != nil {
		return nil, false
	}
	client := n.client()
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(c)
	return client, err == nil && string(body) == "ok"
}

func (n *node) client() kubernetes.Interface {
	n.t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", n.kubeconfig)
	if err != nil {
		n.t.Fatal(err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		n.t.Fatal(err)
	}
	return client
}

// stop sends SIGTERM and waits for a clean exit.
func (n *node) stop() {
	n.t.Helper()
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		n.t.Fatal(err)
	}
	select {
	case <-n.done:
	case <-time.After(stopWait):
		n.t.Fatalf("%s did not stop within %s\n%s", n.name, stopWait, n.output())
	}
	if n.err != nil {
		n.t.Fatalf("%s exited with %v after SIGTERM\n%s", n.name, n.err, n.output())
	}
}

// wait waits for the process to exit on its own and returns its error.
func (n *node) wait() error {
	n.t.Helper()
	select {
	case <-n.done:
	case <-time.After(readyWait):
		n.t.Fatalf("%s still running after %s\n%s", n.name, readyWait, n.output())
	}
	return n.err
}

func (n *node) kill() {
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-done:
		if n.t.Failed() {
			n.t.Logf("%s output:\n%s", n.name, tail(n.output(), 6000))
		}
		return
	default:
	}
	cmd.Process.Kill()
	<-done
	if n.t.Failed() {
		n.t.Logf("%s output:\n%s", n.name, tail(n.output(), 6000))
	}
}

func (n *node) output() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.logs == nil {
		return ""
	}
	return n.logs.String()
}

func tail(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return "..." + s[len(s)-max:]
}

// run runs lightnode with args and env and returns its combined output.
func run(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, lightnodeBin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func listen(t *testing.T, url string) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", strings.TrimPrefix(url, "https://"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}
