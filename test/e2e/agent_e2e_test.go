//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightcluster/lightcluster/node-binary/images"
	"github.com/lightcluster/lightcluster/test/hosts"
)

// Bounds of the agent end-to-end test's waits.
const (
	nodeReadyTimeout = 5 * time.Minute
	podReadyTimeout  = 3 * time.Minute
	requestTimeout   = 2 * time.Minute
	pollInterval     = 2 * time.Second
	rejectTimeout    = 90 * time.Second
)

// testImage is the image the test imports on every node; it is never pulled.
const testImage = "lightcluster.dev/httpecho:e2e"

// agentCluster is one server and one agent on two test hosts.
type agentCluster struct {
	t              *testing.T
	set            *hosts.Set
	server, agent  hosts.Host
	serverURL      string
	agentTokenFull string
}

func TestAgentE2E(t *testing.T) {
	ctx := context.Background()
	bin := lightnodeBinary(t)
	archive := buildTestImage(t)

	set, err := hosts.Up(ctx, t, 2)
	if err != nil {
		t.Fatalf("start hosts: %v", err)
	}
	c := &agentCluster{t: t, set: set, server: set.Hosts[0], agent: set.Hosts[1]}
	c.serverURL = "https://" + c.server.IP + ":6443"
	t.Cleanup(c.printJournalsOnFailure)

	for _, h := range set.Hosts {
		c.install(ctx, h, bin, archive)
	}
	c.startServer(ctx)
	c.waitNodeReady(ctx, c.server.Name)
	c.agentTokenFull = strings.TrimSpace(c.mustExec(ctx, c.server,
		"cat", "/var/lib/lightnode/server/agent-token"))

	started := time.Now()
	c.startAgent(ctx)
	c.waitNodeReady(ctx, c.agent.Name)
	t.Logf("agent node %s Ready %s after its service started", c.agent.Name,
		time.Since(started).Round(time.Second))
	c.logMemory(ctx, c.agent, "lightnode-agent")

	t.Run("pods on both nodes reach each other and a Service", func(t *testing.T) {
		c.testPodNetwork(ctx, t)
	})
	t.Run("pods resolve the API server and a Service by name", func(t *testing.T) {
		c.testClusterDNS(ctx, t)
	})
	t.Run("restarting the agent keeps its pods running", func(t *testing.T) {
		c.testAgentRestart(ctx, t)
	})
	t.Run("the agent carries on after the server restarts", func(t *testing.T) {
		c.testServerRestart(ctx, t)
	})
	t.Run("an agent with a wrong token stops with token rejected", func(t *testing.T) {
		c.testWrongToken(ctx, t)
	})
	// Last: it uninstalls lightnode from the agent's host.
	t.Run("an agent in nftables mode serves a Service; uninstall removes its tables",
		func(t *testing.T) { c.testNFTablesMode(ctx, t) })
}

// lightnodeBinary returns the lightnode binary under test: LIGHTNODE_BIN, or the
// build's bin/lightnode.
func lightnodeBinary(t *testing.T) string {
	bin := os.Getenv("LIGHTNODE_BIN")
	if bin == "" {
		bin = filepath.Join("..", "..", "bin", "lightnode")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("lightnode binary: %v (build it first, or set LIGHTNODE_BIN)", err)
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// buildTestImage packs an image with httpecho, dnslookup and a small HTTP client, all
// built here.
func buildTestImage(t *testing.T) string {
	dir := t.TempDir()
	echo := goBuild(t, dir, "httpecho", "../images/httpecho")
	lookup := goBuild(t, dir, "dnslookup", "../images/dnslookup")
	clientDir := filepath.Join(dir, "httpgetsrc")
	if err := os.MkdirAll(clientDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(clientDir, "main.go"), []byte(httpGetSource),
		0o644); err != nil {
		t.Fatal(err)
	}
	get := goBuild(t, dir, "httpget", filepath.Join(clientDir, "main.go"))

	files := map[string]images.File{}
	for name, path := range map[string]string{"/httpecho": echo, "/httpget": get,
		"/dnslookup": lookup} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = images.File{Mode: 0o755, Data: data}
	}
	data, err := images.PackImage(testImage, files, []string{"/httpecho"})
	if err != nil {
		t.Fatalf("pack test image: %v", err)
	}
	archive := filepath.Join(dir, "httpecho.tar")
	if err := os.WriteFile(archive, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return archive
}

// httpGetSource is a client that prints the body of one GET, for use inside pods.
const httpGetSource = `package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(os.Stdout, resp.Body)
}
`

// goBuild builds a static linux program from pkg (a directory or a Go file, relative
// to this package) into dir.
func goBuild(t *testing.T, dir, name, pkg string) string {
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, msg)
	}
	return out
}

// install copies lightnode and the test image archive onto h.
func (c *agentCluster) install(ctx context.Context, h hosts.Host, bin, archive string) {
	c.docker(ctx, "cp", bin, h.Name+":/usr/local/bin/lightnode")
	c.mustExec(ctx, h, "mkdir", "-p", "/var/lib/lightnode/agent/images", "/etc/lightnode")
	c.docker(ctx, "cp", archive, h.Name+":/var/lib/lightnode/agent/images/httpecho.tar")
}

// unit renders a systemd service that runs lightnode with args, as lightnode install
// does: containers outlive restarts of the service.
func unit(args string) string {
	return "[Unit]\nDescription=lightnode\nAfter=network-online.target\n\n[Service]\n" +
		"Type=exec\nExecStart=/usr/local/bin/lightnode " + args + "\nKillMode=process\n" +
		"Delegate=yes\nLimitNOFILE=20000\nRestart=always\nRestartSec=5\n\n" +
		"[Install]\nWantedBy=multi-user.target\n"
}

// startServer runs lightnode server on the first host.
func (c *agentCluster) startServer(ctx context.Context) {
	c.writeFile(ctx, c.server, "/etc/systemd/system/lightnode-server.service",
		unit("server --node-ip "+c.server.IP))
	c.mustExec(ctx, c.server, "systemctl", "daemon-reload")
	c.mustExec(ctx, c.server, "systemctl", "start", "lightnode-server")
}

// startAgent runs lightnode agent on the second host, configured by config.yaml.
func (c *agentCluster) startAgent(ctx context.Context) {
	config := fmt.Sprintf("server: %s\ntoken: %s\nnode-ip: %s\nnode-label:\n- e2e=agent\n",
		c.serverURL, c.agentTokenFull, c.agent.IP)
	c.writeFile(ctx, c.agent, "/etc/lightnode/config.yaml", config)
	c.writeFile(ctx, c.agent, "/etc/systemd/system/lightnode-agent.service", unit("agent"))
	c.mustExec(ctx, c.agent, "systemctl", "daemon-reload")
	c.mustExec(ctx, c.agent, "systemctl", "start", "lightnode-agent")
}

// kubectl runs lightnode kubectl on the server.
func (c *agentCluster) kubectl(ctx context.Context, args ...string) (string, error) {
	cmd := append([]string{"/usr/local/bin/lightnode", "kubectl",
		"--kubeconfig", "/etc/lightnode/lightnode.yaml"}, args...)
	return c.set.Exec(ctx, c.server, cmd...)
}

// waitNodeReady waits until the Node named name reports Ready.
func (c *agentCluster) waitNodeReady(ctx context.Context, name string) {
	c.t.Helper()
	jsonpath := `{.status.conditions[?(@.type=="Ready")].status}`
	c.waitFor(ctx, nodeReadyTimeout, "node "+name+" Ready", func() (bool, string) {
		out, err := c.kubectl(ctx, "get", "node", name, "-o", "jsonpath="+jsonpath)
		return err == nil && strings.TrimSpace(out) == "True", out + errString(err)
	})
}

// waitFor polls check until it holds or timeout passes, then fails the test.
func (c *agentCluster) waitFor(ctx context.Context, timeout time.Duration, what string,
	check func() (bool, string)) {
	c.t.Helper()
	waitFor(ctx, c.t, timeout, what, check)
}

// testPodNetwork runs an echo pod on each node, then checks pod-to-pod traffic across
// nodes and a ClusterIP Service.
func (c *agentCluster) testPodNetwork(ctx context.Context, t *testing.T) {
	c.applyPod(ctx, "echo-agent", c.agent.Name)
	c.applyPod(ctx, "echo-server", c.server.Name)
	c.applyManifest(ctx, serviceManifest)
	agentIP := c.waitPodIP(ctx, "echo-agent")
	c.waitPodIP(ctx, "echo-server")

	got := c.waitHTTP(ctx, "echo-server", "http://"+agentIP+":8080/")
	if got != "echo-agent" {
		t.Errorf("pod on %s asked pod %s and got %q, want echo-agent", c.server.Name,
			agentIP, got)
	}
	svcIP, err := c.kubectl(ctx, "get", "service", "echo", "-o", "jsonpath={.spec.clusterIP}")
	if err != nil {
		t.Fatalf("service address: %v", err)
	}
	got = c.waitHTTP(ctx, "echo-server", "http://"+strings.TrimSpace(svcIP)+"/")
	if got != "echo-agent" {
		t.Errorf("service echo answered %q, want echo-agent", got)
	}
}

// testAgentRestart restarts the agent service and checks that its pod's container was
// not restarted and the node is Ready again.
func (c *agentCluster) testAgentRestart(ctx context.Context, t *testing.T) {
	before := c.containerID(ctx, "echo-agent")
	c.mustExec(ctx, c.agent, "systemctl", "restart", "lightnode-agent")
	c.waitFor(ctx, nodeReadyTimeout, "agent service active", func() (bool, string) {
		out, err := c.set.Exec(ctx, c.agent, "systemctl", "is-active", "lightnode-agent")
		return err == nil && strings.TrimSpace(out) == "active", out
	})
	c.waitFor(ctx, nodeReadyTimeout, "restarted agent's pod network", func() (bool, string) {
		out, err := c.set.Exec(ctx, c.agent, "sh", "-c", restartedNetworkReady)
		return err == nil && strings.Contains(out, "Pod network ready"), out + errString(err)
	})
	c.waitNodeReady(ctx, c.agent.Name)
	if after := c.containerID(ctx, "echo-agent"); after != before {
		t.Errorf("container of echo-agent changed across the restart: %s, then %s",
			before, after)
	}
	agentIP := c.waitPodIP(ctx, "echo-agent")
	if got := c.waitHTTP(ctx, "echo-server", "http://"+agentIP+":8080/"); got != "echo-agent" {
		t.Errorf("after the restart echo-agent answered %q", got)
	}
}

// restartedNetworkReady prints the "Pod network ready" lines that the current run of
// the agent service logged, so that a wait sees the restarted agent, not the old one.
const restartedNetworkReady = `id=$(systemctl show -p InvocationID --value lightnode-agent)
journalctl --no-pager _SYSTEMD_INVOCATION_ID="$id" | grep "Pod network ready" || true`

// testWrongToken runs an agent whose token has the cluster's CA hash but a wrong
// secret, and expects it to exit with "token rejected".
func (c *agentCluster) testWrongToken(ctx context.Context, t *testing.T) {
	hash, _, ok := strings.Cut(c.agentTokenFull, "::")
	if !ok {
		t.Fatalf("agent token is not in full form")
	}
	bad := hash + "::node:wrongsecret0123456789"
	ctx, cancel := context.WithTimeout(ctx, rejectTimeout)
	defer cancel()
	out, err := c.set.Exec(ctx, c.agent, "/usr/local/bin/lightnode", "agent",
		"--server", c.serverURL, "--token", bad,
		"--data-dir", "/var/lib/lightnode-wrong", "--node-name", "wrong-token")
	if ctx.Err() != nil {
		t.Fatalf("agent with a wrong token still runs after %s: %s", rejectTimeout, out)
	}
	if err == nil {
		t.Fatalf("agent with a wrong token exited 0: %s", out)
	}
	if !strings.Contains(err.Error()+out, "token rejected") {
		t.Errorf("agent with a wrong token failed without saying token rejected: %v %s",
			err, out)
	}
	if strings.Contains(err.Error()+out, "wrongsecret") {
		t.Errorf("the rejected token's secret appears in the output")
	}
}

// applyPod runs an echo pod pinned to node.
func (c *agentCluster) applyPod(ctx context.Context, name, node string) {
	c.applyManifest(ctx, fmt.Sprintf(podManifest, name, name, node, testImage))
}

// podManifest is an echo pod: name, app label, node, image.
const podManifest = `apiVersion: v1
kind: Pod
metadata:
  name: %s
  labels: {app: %s}
spec:
  nodeName: %s
  containers:
  - name: echo
    image: %s
    imagePullPolicy: Never
    ports: [{containerPort: 8080}]
`

// serviceManifest sends port 80 of Service echo to echo-agent.
const serviceManifest = `apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo-agent}
  ports: [{port: 80, targetPort: 8080}]
`

// applyManifest applies YAML through kubectl on the server.
func (c *agentCluster) applyManifest(ctx context.Context, manifest string) {
	c.t.Helper()
	out, err := c.set.ExecInput(ctx, c.server, strings.NewReader(manifest),
		"/usr/local/bin/lightnode", "kubectl", "--kubeconfig", "/etc/lightnode/lightnode.yaml",
		"apply", "-f", "-")
	if err != nil {
		c.t.Fatalf("kubectl apply: %v\n%s", err, out)
	}
}

// waitPodIP waits until pod runs and returns its IP.
func (c *agentCluster) waitPodIP(ctx context.Context, pod string) string {
	c.t.Helper()
	var ip string
	c.waitFor(ctx, podReadyTimeout, "pod "+pod+" running", func() (bool, string) {
		out, err := c.kubectl(ctx, "get", "pod", pod, "-o",
			"jsonpath={.status.phase} {.status.podIP}")
		phase, addr, _ := strings.Cut(strings.TrimSpace(out), " ")
		ip = addr
		return err == nil && phase == "Running" && addr != "", out + errString(err)
	})
	return ip
}

// waitHTTP asks url from inside pod until it answers, and returns the answer.
func (c *agentCluster) waitHTTP(ctx context.Context, pod, url string) string {
	c.t.Helper()
	var body string
	c.waitFor(ctx, requestTimeout, pod+" GET "+url, func() (bool, string) {
		out, err := c.kubectl(ctx, "exec", pod, "--", "/httpget", url)
		body = strings.TrimSpace(out)
		return err == nil && body != "", out + errString(err)
	})
	return body
}

// containerID returns the container ID of the pod's only container.
func (c *agentCluster) containerID(ctx context.Context, pod string) string {
	c.t.Helper()
	out, err := c.kubectl(ctx, "get", "pod", pod, "-o",
		"jsonpath={.status.containerStatuses[0].containerID}")
	if err != nil || strings.TrimSpace(out) == "" {
		c.t.Fatalf("container of %s: %v %s", pod, err, out)
	}
	return strings.TrimSpace(out)
}

// logMemory logs RSS, PSS and anonymous memory of the service's processes on h.
func (c *agentCluster) logMemory(ctx context.Context, h hosts.Host, service string) {
	script := `for p in $(cat /sys/fs/cgroup/systemd/system.slice/` + service +
		`.service/cgroup.procs /sys/fs/cgroup/system.slice/` + service +
		`.service/cgroup.procs 2>/dev/null); do
  printf '%s %s ' "$p" "$(tr '\0' ' ' </proc/$p/cmdline | cut -c1-40)"
  grep -E '^(Rss|Pss|Anonymous):' /proc/$p/smaps_rollup | tr -s ' \n' ' '; echo
done`
	out, err := c.set.Exec(ctx, h, "sh", "-c", script)
	c.t.Logf("memory of %s on %s (kB):\n%s%s", service, h.Name, out, errString(err))
}

// printJournalsOnFailure prints the services' journals and containerd's log.
func (c *agentCluster) printJournalsOnFailure() {
	if !c.t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, hu := range []struct {
		h    hosts.Host
		unit string
	}{{c.server, "lightnode-server"}, {c.agent, "lightnode-agent"}} {
		h, unit := hu.h, hu.unit
		out, _ := c.set.Exec(ctx, h, "journalctl", "-u", unit, "--no-pager", "-n", "300")
		c.t.Logf("journal of %s on %s:\n%s", unit, h.Name, out)
		out, _ = c.set.Exec(ctx, h, "tail", "-n", "80",
			"/var/lib/lightnode/agent/containerd/containerd.log")
		c.t.Logf("containerd log on %s:\n%s", h.Name, out)
	}
}

// writeFile writes content to path on h.
func (c *agentCluster) writeFile(ctx context.Context, h hosts.Host, path, content string) {
	c.t.Helper()
	_, err := c.set.ExecInput(ctx, h, strings.NewReader(content), "sh", "-c",
		`umask 077 && mkdir -p "$(dirname "$1")" && cat >"$1"`, "sh", path)
	if err != nil {
		c.t.Fatalf("write %s on %s: %v", path, h.Name, err)
	}
}

// mustExec runs cmd on h and fails the test when it fails.
func (c *agentCluster) mustExec(ctx context.Context, h hosts.Host, cmd ...string) string {
	c.t.Helper()
	out, err := c.set.Exec(ctx, h, cmd...)
	if err != nil {
		c.t.Fatalf("%s on %s: %v\n%s", strings.Join(cmd, " "), h.Name, err, out)
	}
	return out
}

// docker runs a docker command on this machine.
func (c *agentCluster) docker(ctx context.Context, args ...string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput(); err != nil {
		c.t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// errString returns err's text, or nothing for nil.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return " " + err.Error()
}
