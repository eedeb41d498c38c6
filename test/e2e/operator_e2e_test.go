//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lightcluster/lightcluster/test/hosts"
)

// workerLabel marks the agents of the operator test, so that workloads avoid the server.
const workerLabel = "e2e.lightcluster.dev/pool"

// TestOperatorSQLiteE2E drives the operator through a cluster's life on four hosts:
// one server (root), agents logged in as a sudo user without and with a password, and
// one agent added later (trust on first use) and removed again.
func TestOperatorSQLiteE2E(t *testing.T) {
	ctx := context.Background()
	archive := buildTestImage(t)
	set, err := hosts.Up(ctx, t, 4)
	if err != nil {
		t.Fatalf("start hosts: %v", err)
	}
	e := startOperator(t, set)
	server, agent1, agent2, agent3 := set.Hosts[0], set.Hosts[1], set.Hosts[2], set.Hosts[3]
	for _, h := range set.Hosts[1:] {
		e.putImage(ctx, h, archive)
	}
	lcpass, ok := agent2.User("lcpass")
	if !ok || lcpass.Password == "" {
		t.Fatal("host inventory has no lcpass user with a password")
	}

	e.apply(ctx, sshKeySecret("e2e-ssh", server.PrivateKey))
	e.apply(ctx, fmt.Sprintf(sudoSecret, lcpass.Password))
	e.apply(ctx, fmt.Sprintf(clusterManifest, "e2e", "sqlite"))
	e.apply(ctx, lightNode("e2e", "e2e-server-1", "server", server, "root", "", true))
	e.apply(ctx, lightNode("e2e", "e2e-agent-1", "agent", agent1, "lcuser", "sudo: {}", true))
	e.apply(ctx, lightNode("e2e", "e2e-agent-2", "agent", agent2, "lcpass", passwordSudo, true))
	e.waitCondition(ctx, clusterReadyTimeout, "lc/e2e", "Ready", "True")
	e.writeKubeconfig(ctx, "e2e")

	t.Run("nodes ready", func(t *testing.T) {
		e.waitNodesReady(ctx, "e2e-server-1", "e2e-agent-1", "e2e-agent-2")
	})
	t.Run("workload spreads over agents", func(t *testing.T) {
		e.checkWorkload(ctx, t, "e2e-agent-1", "e2e-agent-2")
	})
	t.Run("agent added joins", func(t *testing.T) {
		e.apply(ctx, lightNode("e2e", "e2e-agent-3", "agent", agent3, "root", "", false))
		e.waitCondition(ctx, nodeChangeTimeout, "ln/e2e-agent-3", "Ready", "True")
		e.waitNodesReady(ctx, "e2e-agent-3")
	})
	t.Run("changed host key refused until re-trusted", func(t *testing.T) {
		e.checkHostKeyChange(ctx, t, agent3, "e2e-agent-3")
	})
	t.Run("agent removed is drained and its host cleaned", func(t *testing.T) {
		node := e.nodeName(ctx, "e2e-agent-3")
		if out, err := e.m.Kubectl(ctx, "delete", "ln", "e2e-agent-3", "--wait=false"); err != nil {
			t.Fatalf("delete LightNode: %v\n%s", err, out)
		}
		e.waitGone(ctx, nodeChangeTimeout, "ln/e2e-agent-3")
		e.waitFor(ctx, nodeChangeTimeout, "Node "+node+" removed", func() (bool, string) {
			out, err := e.kubectl(ctx, "get", "node", node, "--ignore-not-found",
				"-o", "name")
			return err == nil && strings.TrimSpace(out) == "", out + errString(err)
		})
		e.checkClean(ctx, agent3)
	})
	t.Run("cluster deleted leaves hosts and Secrets clean", func(t *testing.T) {
		if out, err := e.m.Kubectl(ctx, "delete", "lc", "e2e", "--wait=false"); err != nil {
			t.Fatalf("delete LightCluster: %v\n%s", err, out)
		}
		e.waitGone(ctx, clusterReadyTimeout, "lc/e2e")
		for _, n := range []string{"e2e-server-1", "e2e-agent-1", "e2e-agent-2"} {
			e.waitGone(ctx, nodeChangeTimeout, "ln/"+n)
		}
		out, err := e.m.Kubectl(ctx, "get", "secrets", "-o", "name")
		if err != nil {
			t.Fatalf("list Secrets: %v\n%s", err, out)
		}
		for _, name := range strings.Fields(out) {
			if strings.HasPrefix(name, "secret/e2e-") && name != "secret/e2e-ssh" &&
				name != "secret/e2e-sudo" {
				t.Errorf("%s is left after the cluster was deleted", name)
			}
		}
		for _, h := range []hosts.Host{server, agent1, agent2} {
			e.checkClean(ctx, h)
		}
	})
}

// TestOperatorEtcdE2E makes a three-server cluster on embedded etcd and checks that the
// API still answers through another server when one machine is down.
func TestOperatorEtcdE2E(t *testing.T) {
	ctx := context.Background()
	set, err := hosts.Up(ctx, t, 3)
	if err != nil {
		t.Fatalf("start hosts: %v", err)
	}
	e := startOperator(t, set)
	e.apply(ctx, sshKeySecret("etcd-ssh", set.Hosts[0].PrivateKey))
	e.apply(ctx, fmt.Sprintf(clusterManifest, "etcd", "etcd"))
	names := []string{"etcd-server-1", "etcd-server-2", "etcd-server-3"}
	for i, h := range set.Hosts {
		e.apply(ctx, strings.ReplaceAll(lightNode("etcd", names[i], "server", h, "root", "",
			true), "e2e-ssh", "etcd-ssh"))
	}
	e.waitCondition(ctx, clusterReadyTimeout, "lc/etcd", "Ready", "True")
	e.writeKubeconfig(ctx, "etcd")
	e.waitNodesReady(ctx, names...)

	stopped, other := set.Hosts[0], set.Hosts[1]
	if err := set.Stop(ctx, stopped); err != nil {
		t.Fatalf("stop %s: %v", stopped.Name, err)
	}
	e.pointKubeconfigAt(other)
	e.waitFor(ctx, nodeChangeTimeout, "API through "+other.Name, func() (bool, string) {
		out, err := e.kubectl(ctx, "get", "--raw", "/api/v1/namespaces/default")
		return err == nil, out + errString(err)
	})
	out, err := e.kubectl(ctx, "create", "configmap", "written-with-one-server-down")
	if err != nil {
		t.Errorf("write through %s with %s stopped: %v\n%s", other.Name, stopped.Name, err, out)
	}
}

// nodeName returns the Kubernetes Node name the LightNode recorded.
func (e *operatorEnv) nodeName(ctx context.Context, lightNode string) string {
	e.t.Helper()
	name, err := e.get(ctx, "ln/"+lightNode, "{.status.nodeName}")
	if err != nil || name == "" {
		e.t.Fatalf("LightNode %s has no node name: %v", lightNode, err)
	}
	return name
}

// waitNodesReady waits until the Node of each named LightNode is Ready.
func (e *operatorEnv) waitNodesReady(ctx context.Context, lightNodes ...string) {
	e.t.Helper()
	for _, ln := range lightNodes {
		n := e.nodeName(ctx, ln)
		e.waitFor(ctx, nodeChangeTimeout, "Node "+n+" Ready", func() (bool, string) {
			out, err := e.kubectl(ctx, "get", "node", n, "-o",
				`jsonpath={.status.conditions[?(@.type=="Ready")].status}`)
			return err == nil && strings.TrimSpace(out) == "True", out + errString(err)
		})
	}
}

// checkWorkload runs two echo replicas that must land on different agents, then checks
// pod-to-pod traffic across them and a ClusterIP Service.
func (e *operatorEnv) checkWorkload(ctx context.Context, t *testing.T, agents ...string) {
	if out, err := e.kubectlInput(ctx, echoDeployment, "apply", "-f", "-"); err != nil {
		t.Fatalf("apply echo Deployment: %v\n%s", err, out)
	}
	if out, err := e.kubectl(ctx, "rollout", "status", "deployment/echo", "--timeout",
		podReadyTimeout.String()); err != nil {
		t.Fatalf("echo Deployment not ready: %v\n%s", err, out)
	}
	out, err := e.kubectl(ctx, "get", "pods", "-l", "app=echo", "-o",
		`jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.podIP}{"\n"}{end}`)
	if err != nil {
		t.Fatalf("list echo pods: %v\n%s", err, out)
	}
	type pod struct{ name, node, ip string }
	var pods []pod
	nodes := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(line); len(f) == 3 {
			pods = append(pods, pod{f[0], f[1], f[2]})
			nodes[f[1]] = true
		}
	}
	for _, ln := range agents {
		if a := e.nodeName(ctx, ln); !nodes[a] {
			t.Fatalf("no echo pod on %s; pods: %s", a, out)
		}
	}

	a, b := pods[0], pods[1]
	got := e.podGet(ctx, a.name, "http://"+b.ip+":8080/")
	if got != b.name {
		t.Errorf("%s on %s asked %s on %s and got %q", a.name, a.node, b.name, b.node, got)
	}
	svc, err := e.kubectl(ctx, "get", "service", "echo", "-o", "jsonpath={.spec.clusterIP}")
	if err != nil {
		t.Fatalf("Service address: %v", err)
	}
	got = e.podGet(ctx, a.name, "http://"+strings.TrimSpace(svc)+"/")
	if got != a.name && got != b.name {
		t.Errorf("Service echo answered %q, want one of %s, %s", got, a.name, b.name)
	}
}

// podGet asks url from inside pod until it answers, and returns the answer.
func (e *operatorEnv) podGet(ctx context.Context, pod, url string) string {
	e.t.Helper()
	var body string
	e.waitFor(ctx, requestTimeout, pod+" GET "+url, func() (bool, string) {
		out, err := e.kubectl(ctx, "exec", pod, "--", "/httpget", url)
		body = strings.TrimSpace(out)
		return err == nil && body != "", out + errString(err)
	})
	return body
}

// checkHostKeyChange gives h new SSH host keys and checks that the operator stops at
// HostKeyMismatch until the LightNode is annotated to re-trust, and then records the
// new key.
func (e *operatorEnv) checkHostKeyChange(ctx context.Context, t *testing.T, h hosts.Host,
	node string) {
	before, _ := e.get(ctx, "ln/"+node, "{.status.hostKey}")
	if before == "" {
		t.Fatalf("LightNode %s recorded no host key on first use", node)
	}
	if out, err := e.set.Exec(ctx, h, "sh", "-c",
		"rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null && systemctl restart ssh"); err != nil {
		t.Fatalf("new host keys on %s: %v\n%s", h.Name, err, out)
	}
	e.waitCondition(ctx, nodeChangeTimeout, "ln/"+node, "Reachable", "False/HostKeyMismatch")

	if out, err := e.m.Kubectl(ctx, "annotate", "ln", node,
		"lightcluster.dev/retrust-host-key=true"); err != nil {
		t.Fatalf("annotate: %v\n%s", err, out)
	}
	e.waitCondition(ctx, nodeChangeTimeout, "ln/"+node, "Reachable", "True")
	after, _ := e.get(ctx, "ln/"+node, "{.status.hostKey}")
	if after == before || after == "" {
		t.Errorf("recorded host key after re-trust = %q, want a new one (was %q)", after, before)
	}
}

// pointKubeconfigAt rewrites the kubeconfig's server address to h.
func (e *operatorEnv) pointKubeconfigAt(h hosts.Host) {
	e.t.Helper()
	data, err := os.ReadFile(e.kubeconfig)
	if err != nil {
		e.t.Fatal(err)
	}
	var server string
	for _, line := range strings.Split(string(data), "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), "server: "); ok {
			server = s
		}
	}
	u, err := url.Parse(server)
	if err != nil || u.Host == "" {
		e.t.Fatalf("kubeconfig server %q: %v", server, err)
	}
	moved := strings.ReplaceAll(string(data), server, "https://"+h.IP+":"+u.Port())
	e.kubeconfig = filepath.Join(e.t.TempDir(), "via-"+h.Name+".kubeconfig")
	if err := os.WriteFile(e.kubeconfig, []byte(moved), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// lightNode renders a LightNode for h; extra is YAML under spec.ssh (indented by the
// caller's template); pinKey pins the host key from the inventory.
func lightNode(cluster, name, role string, h hosts.Host, user, sudo string, pinKey bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: lightcluster.dev/v1alpha1\nkind: LightNode\n")
	fmt.Fprintf(&b, "metadata: {name: %s, namespace: default}\nspec:\n", name)
	fmt.Fprintf(&b, "  clusterName: %s\n  role: %s\n", cluster, role)
	if role == "agent" {
		fmt.Fprintf(&b, "  labels: {%s: workers}\n", workerLabel)
	}
	fmt.Fprintf(&b, "  ssh:\n    address: %q\n    user: %s\n", h.IP, user)
	fmt.Fprintf(&b, "    privateKeySecretRef: {name: e2e-ssh}\n")
	if pinKey {
		fmt.Fprintf(&b, "    hostKey: %q\n", h.HostPublicKey)
	}
	if sudo != "" {
		fmt.Fprintf(&b, "    %s\n", sudo)
	}
	return b.String()
}

// passwordSudo is the sudo setting of lcpass, whose password is in Secret e2e-sudo.
const passwordSudo = "sudo: {passwordSecretRef: {name: e2e-sudo, key: password}}"

// sudoSecret holds lcpass's sudo password.
const sudoSecret = `apiVersion: v1
kind: Secret
metadata: {name: e2e-sudo, namespace: default}
stringData: {password: %q}
`

// clusterManifest is a LightCluster: name, datastore type.
const clusterManifest = `apiVersion: lightcluster.dev/v1alpha1
kind: LightCluster
metadata: {name: %s, namespace: default}
spec:
  version: v1.37.2
  datastore: {type: %s}
`

// echoDeployment runs two echo pods on different agents behind Service echo.
const echoDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 2
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      nodeSelector: {` + workerLabel + `: workers}
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: echo}}
            topologyKey: kubernetes.io/hostname
      containers:
      - name: echo
        image: ` + testImage + `
        imagePullPolicy: Never
        ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080}]
`
