//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightcluster/lightcluster/test/hosts"
	"github.com/lightcluster/lightcluster/test/mgmt"
)

// Bounds of the operator end-to-end tests' waits.
const (
	clusterReadyTimeout = 12 * time.Minute
	nodeChangeTimeout   = 6 * time.Minute
	// recheckInterval makes the operator look at Ready machines often, so that a
	// changed host key shows within the test's bounds.
	recheckInterval = "15s"
)

// operatorEnv is a management cluster with the operator, and the hosts it provisions.
type operatorEnv struct {
	t          *testing.T
	m          *mgmt.Cluster
	set        *hosts.Set
	kubeconfig string // of the cluster the operator made, once written
}

// startOperator starts a management cluster and the operator for t and stops both
// when t ends. On failure it prints the operator log, the LightNodes and each host's
// lightnode journal.
func startOperator(t *testing.T, set *hosts.Set) *operatorEnv {
	t.Helper()
	op := os.Getenv("OPERATOR_BIN")
	if op == "" {
		op = filepath.Join("..", "..", "bin", "lightcluster-operator")
	}
	op, err := filepath.Abs(op)
	if err != nil {
		t.Fatal(err)
	}
	version := os.Getenv("LIGHTNODE_VERSION")
	if version == "" {
		version = "v1.37.2"
	}
	crds, err := filepath.Abs(filepath.Join("..", "..", "config", "crd"))
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m, err := mgmt.Start(ctx, mgmt.Config{Dir: t.TempDir(), Lightnode: lightnodeBinary(t),
		Operator: op, Version: version,
		OperatorArgs: []string{"--recheck-interval", recheckInterval}}, crds)
	if err != nil {
		t.Fatalf("start management cluster: %v", err)
	}
	e := &operatorEnv{t: t, m: m, set: set}
	t.Cleanup(func() {
		e.dumpOnFailure()
		if err := m.Stop(); err != nil {
			t.Errorf("stop management cluster: %v", err)
		}
	})
	return e
}

// dumpOnFailure prints what explains a failure.
func (e *operatorEnv) dumpOnFailure() {
	if !e.t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e.t.Logf("operator log:\n%s", e.m.LogTail("operator"))
	out, _ := e.m.Kubectl(ctx, "get", "lc,ln", "-o", "yaml")
	e.t.Logf("LightClusters and LightNodes:\n%s", out)
	for _, h := range e.set.Hosts {
		out, _ := e.set.Exec(ctx, h, "journalctl", "-u", "lightnode-server", "-u",
			"lightnode-agent", "--no-pager", "-n", "150")
		e.t.Logf("lightnode journal on %s:\n%s", h.Name, out)
	}
}

// apply applies a manifest to the management cluster.
func (e *operatorEnv) apply(ctx context.Context, manifest string) {
	e.t.Helper()
	if out, err := e.m.KubectlInput(ctx, []byte(manifest), "apply", "-f", "-"); err != nil {
		e.t.Fatalf("apply to the management cluster: %v\n%s", err, out)
	}
}

// get returns the jsonpath of one object of the management cluster.
func (e *operatorEnv) get(ctx context.Context, object, jsonpath string) (string, error) {
	out, err := e.m.Kubectl(ctx, "get", object, "-o", "jsonpath="+jsonpath)
	return strings.TrimSpace(out), err
}

// condition returns the status and reason of a condition of object.
func (e *operatorEnv) condition(ctx context.Context, object, condition string) string {
	out, _ := e.get(ctx, object, fmt.Sprintf(
		`{.status.conditions[?(@.type=="%s")].status}/{.status.conditions[?(@.type=="%s")].reason}`,
		condition, condition))
	return out
}

// waitCondition waits until condition of object has the wanted "Status/Reason"
// (or only "Status"), logging the objects of the cluster as they change.
func (e *operatorEnv) waitCondition(ctx context.Context, timeout time.Duration, object,
	condition, want string) {
	e.t.Helper()
	last := ""
	e.waitFor(ctx, timeout, object+" "+condition+"="+want, func() (bool, string) {
		if !e.m.OperatorRunning() {
			e.t.Fatalf("the operator exited:\n%s", e.m.LogTail("operator"))
		}
		if table, state := e.m.Progress(ctx); state != last {
			e.t.Logf("management cluster:\n%s", table)
			last = state
		}
		got := e.condition(ctx, object, condition)
		return got == want || strings.HasPrefix(got, want+"/"), got
	})
}

// waitGone waits until object no longer exists in the management cluster.
func (e *operatorEnv) waitGone(ctx context.Context, timeout time.Duration, object string) {
	e.t.Helper()
	e.waitFor(ctx, timeout, object+" deleted", func() (bool, string) {
		out, err := e.m.Kubectl(ctx, "get", object, "--ignore-not-found", "-o", "name")
		return err == nil && strings.TrimSpace(out) == "", out + errString(err)
	})
}

// waitFor polls check until it reports done or timeout passes, then fails the test.
func (e *operatorEnv) waitFor(ctx context.Context, timeout time.Duration, what string,
	check func() (bool, string)) {
	e.t.Helper()
	waitFor(ctx, e.t, timeout, what, check)
}

// writeKubeconfig writes the admin kubeconfig of cluster from its Secret.
func (e *operatorEnv) writeKubeconfig(ctx context.Context, cluster string) {
	e.t.Helper()
	data, err := e.m.Kubectl(ctx, "get", "secret", cluster+"-kubeconfig", "-o",
		"go-template={{.data.value | base64decode}}")
	if err != nil {
		e.t.Fatalf("kubeconfig Secret of %s: %v\n%s", cluster, err, data)
	}
	e.kubeconfig = filepath.Join(e.t.TempDir(), cluster+".kubeconfig")
	if err := os.WriteFile(e.kubeconfig, []byte(data), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// kubectl runs kubectl on this machine against the cluster the operator made.
func (e *operatorEnv) kubectl(ctx context.Context, args ...string) (string, error) {
	return e.m.KubectlFor(ctx, e.kubeconfig, nil, args...)
}

// kubectlInput is kubectl with a manifest on stdin.
func (e *operatorEnv) kubectlInput(ctx context.Context, stdin string, args ...string) (
	string, error) {
	return e.m.KubectlFor(ctx, e.kubeconfig, []byte(stdin), args...)
}

// putImage copies the test image archive into h's images directory, which the agent
// imports when it starts.
func (e *operatorEnv) putImage(ctx context.Context, h hosts.Host, archive string) {
	e.t.Helper()
	const dir = "/var/lib/lightnode/agent/images"
	if out, err := e.set.Exec(ctx, h, "mkdir", "-p", dir); err != nil {
		e.t.Fatalf("mkdir on %s: %v\n%s", h.Name, err, out)
	}
	data, err := os.ReadFile(archive)
	if err != nil {
		e.t.Fatal(err)
	}
	if out, err := e.set.ExecInput(ctx, h, strings.NewReader(string(data)), "sh", "-c",
		"cat >"+dir+"/httpecho.tar"); err != nil {
		e.t.Fatalf("copy test image to %s: %v\n%s", h.Name, err, out)
	}
}

// checkClean fails when h still has a lightnode service, binary, configuration or data.
func (e *operatorEnv) checkClean(ctx context.Context, h hosts.Host) {
	e.t.Helper()
	out, err := e.set.Exec(ctx, h, "sh", "-c", cleanCheckScript)
	if err != nil {
		e.t.Fatalf("inspect %s: %v\n%s", h.Name, err, out)
	}
	if left := strings.TrimSpace(out); left != "" {
		e.t.Errorf("%s is not clean after uninstall; left:\n%s", h.Name, left)
	}
}

// cleanCheckScript prints whatever lightnode left on a machine: files, units,
// interfaces, firewall chains and mounts.
const cleanCheckScript = `for p in /etc/systemd/system/lightnode-server.service \
  /etc/systemd/system/lightnode-agent.service /usr/local/bin/lightnode /etc/lightnode \
  /var/lib/lightnode /run/lightnode /var/lib/kubelet /var/lib/cni/networks/cbr0 \
  /sys/class/net/cni0 /sys/class/net/flannel.1; do
  [ -e "$p" ] && echo "$p"
done
systemctl list-units --all --no-legend 'lightnode*'
iptables-save 2>/dev/null | grep -E '^:(KUBE-|FLANNEL|CNI-)' || true
grep -E 'lightnode|kubelet' /proc/self/mounts || true`

// sshKeySecret is the Secret of the run's private key.
func sshKeySecret(name string, key []byte) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: %s, namespace: default}
stringData:
  ssh-privatekey: |
%s`, name, indent(string(key), "    "))
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}
