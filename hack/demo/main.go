// Command demo runs the demo: a management cluster on this machine with the CRDs and
// the operator, three test hosts, and config/samples applied to them (one server, two
// agents, SQLite). It waits until the cluster is Ready, shows its nodes and a pod on
// each agent, and leaves everything running until "demo down".
//
//	go run ./hack/demo up     # what make demo runs
//	go run ./hack/demo down   # what make demo-down runs
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/lightcluster/lightcluster/test/hosts"
	"github.com/lightcluster/lightcluster/test/mgmt"
)

// demo holds the settings of one run.
type demo struct {
	dir, bin, version string
	port              int
	timeout           time.Duration
}

func main() {
	d := demo{}
	flag.StringVar(&d.dir, "dir", ".cache/demo", "state directory")
	flag.StringVar(&d.bin, "bin", "bin", "directory of lightnode and lightcluster-operator")
	flag.StringVar(&d.version, "version", "", "release of the samples (required)")
	flag.IntVar(&d.port, "port", 16443, "management API port on 127.0.0.1")
	flag.DurationVar(&d.timeout, "timeout", 15*time.Minute, "how long to wait for Ready")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: demo [flags] up|down")
		flag.PrintDefaults()
	}
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch flag.Arg(0) {
	case "up":
		err = d.up(ctx)
	case "down":
		err = d.down()
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		if flag.Arg(0) == "up" {
			fmt.Fprintln(os.Stderr, "demo: make demo-down removes what was started")
		}
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "demo: "+format+"\n", args...)
}

func (d *demo) path(name string) string { return filepath.Join(d.dir, name) }

func (d *demo) management() *mgmt.Cluster {
	return mgmt.Open(d.dir, filepath.Join(d.bin, "lightnode"))
}

// up starts what is not running yet and waits for the cluster.
func (d *demo) up(ctx context.Context) error {
	if d.version == "" {
		return errors.New("flag --version is required")
	}
	if _, err := os.Stat(d.path("management.pid")); err == nil {
		return fmt.Errorf("a demo already runs in %s; make demo-down removes it", d.dir)
	}
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return err
	}

	logf("starting three test hosts (the first run builds their image)")
	set, err := hosts.New(ctx, hosts.Config{Prefix: "demo", Count: 3, Log: os.Stderr})
	if err != nil {
		return err
	}
	if err := os.WriteFile(d.path("inventory"), []byte(set.InventoryPath()+"\n"),
		0o600); err != nil {
		return errors.Join(err, set.Down())
	}

	logf("starting the management cluster on https://127.0.0.1:%d", d.port)
	m, err := mgmt.Start(ctx, mgmt.Config{Dir: d.dir,
		Lightnode: filepath.Join(d.bin, "lightnode"),
		Operator:  filepath.Join(d.bin, "lightcluster-operator"),
		Version:   d.version, Port: d.port}, "config/crd")
	if err != nil {
		return err
	}
	logf("operator started; its log is %s", d.path("operator.log"))

	if err := d.applySamples(ctx, m, set); err != nil {
		return err
	}
	if err := d.waitReady(ctx, m); err != nil {
		return err
	}
	return d.show(ctx, m)
}

// applySamples creates the SSH key Secret and applies config/samples with each
// LightNode pointed at a host, its host key pinned from the inventory.
func (d *demo) applySamples(ctx context.Context, m *mgmt.Cluster, set *hosts.Set) error {
	logf("applying config/samples to the hosts")
	secret, err := m.Kubectl(ctx, "create", "secret", "generic", "demo-ssh-key",
		"--from-file", "ssh-privatekey="+set.KeyPath, "--dry-run=client", "-o", "yaml")
	if err != nil {
		return fmt.Errorf("render Secret demo-ssh-key: %w\n%s", err, secret)
	}
	if out, err := m.KubectlInput(ctx, []byte(secret), "apply", "-f", "-"); err != nil {
		return fmt.Errorf("apply Secret demo-ssh-key: %w\n%s", err, out)
	}

	overlay := d.path("samples")
	if err := os.MkdirAll(overlay, 0o700); err != nil {
		return err
	}
	samples, err := filepath.Abs("config/samples")
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(mustAbs(overlay), samples)
	if err != nil {
		return err
	}
	var k strings.Builder
	fmt.Fprintf(&k, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
	fmt.Fprintf(&k, "resources:\n  - %s\npatches:\n", rel)
	for i, name := range []string{"demo-server-1", "demo-agent-1", "demo-agent-2"} {
		h := set.Hosts[i]
		fmt.Fprintf(&k, "  - target: {kind: LightNode, name: %s}\n    patch: |\n", name)
		fmt.Fprintf(&k, "      - {op: replace, path: /spec/ssh/address, value: %q}\n", h.IP)
		fmt.Fprintf(&k, "      - {op: add, path: /spec/ssh/hostKey, value: %q}\n",
			h.HostPublicKey)
	}
	if err := os.WriteFile(filepath.Join(overlay, "kustomization.yaml"), []byte(k.String()),
		0o600); err != nil {
		return err
	}
	out, err := m.Kubectl(ctx, "apply", "-k", overlay)
	if err != nil {
		return fmt.Errorf("apply samples: %w\n%s", err, out)
	}
	fmt.Print(out)
	return nil
}

// waitReady prints the objects each time they change until the cluster is Ready.
func (d *demo) waitReady(ctx context.Context, m *mgmt.Cluster) error {
	logf("waiting up to %s for the cluster to become Ready", d.timeout)
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	last := ""
	for {
		// Ages change every second; show the objects when a phase or condition does.
		if table, state := m.Progress(ctx); state != last {
			fmt.Printf("\n%s", table)
			last = state
		}
		ready, _ := m.Kubectl(ctx, "get", "lc", "demo", "-o",
			`jsonpath={.status.conditions[?(@.type=="Ready")].status}`)
		if ready == "True" {
			break
		}
		if !m.OperatorRunning() {
			return fmt.Errorf("the operator stopped; its log:\n%s", m.LogTail("operator"))
		}
		select {
		case <-ctx.Done():
			if parent.Err() != nil {
				return errors.New("interrupted; the hosts, management cluster and " +
					"operator keep running")
			}
			return fmt.Errorf("the cluster was not Ready within %s; see %s", d.timeout,
				d.path("operator.log"))
		case <-time.After(3 * time.Second):
		}
	}

	kubeconfig, err := m.Kubectl(ctx, "get", "secret", "demo-kubeconfig", "-o",
		"go-template={{.data.value | base64decode}}")
	if err != nil {
		return fmt.Errorf("read Secret demo-kubeconfig: %w", err)
	}
	return os.WriteFile(d.path("demo.kubeconfig"), []byte(kubeconfig), 0o600)
}

// show prints the new cluster's nodes and starts a pod on each agent.
func (d *demo) show(ctx context.Context, m *mgmt.Cluster) error {
	kubectl := func(stdin string, args ...string) (string, error) {
		var in []byte
		if stdin != "" {
			in = []byte(stdin)
		}
		return m.KubectlFor(ctx, d.path("demo.kubeconfig"), in, args...)
	}
	out, err := kubectl("", "get", "nodes", "-o", "wide")
	if err != nil {
		return fmt.Errorf("get nodes: %w\n%s", err, out)
	}
	fmt.Printf("\n%s", out)

	logf("starting a pod on each agent")
	for _, ln := range []string{"demo-agent-1", "demo-agent-2"} {
		node, err := m.Kubectl(ctx, "get", "ln", ln, "-o", "jsonpath={.status.nodeName}")
		if err != nil || node == "" {
			return fmt.Errorf("node name of LightNode %s: %v %s", ln, err, node)
		}
		pod := fmt.Sprintf(helloPod, ln, node)
		if out, err := kubectl(pod, "apply", "-f", "-"); err != nil {
			return fmt.Errorf("create a pod on %s: %w\n%s", node, err, out)
		}
	}
	if out, err := kubectl("", "wait", "--for", "condition=Ready", "--timeout", "180s",
		"pod/hello-demo-agent-1", "pod/hello-demo-agent-2"); err != nil {
		return fmt.Errorf("pods did not start: %w\n%s", err, out)
	}
	out, _ = kubectl("", "get", "pods", "-o", "wide")
	fmt.Printf("\n%s", out)

	fmt.Printf(usage, d.path("demo.kubeconfig"), m.Kubeconfig, d.path("operator.log"),
		d.path("management.log"))
	return nil
}

// helloPod runs the bundled pause image on one node; nothing is pulled.
const helloPod = `apiVersion: v1
kind: Pod
metadata:
  name: hello-%s
  namespace: default
spec:
  nodeName: %s
  containers:
    - name: hello
      image: lightcluster.dev/pause:3.10
      imagePullPolicy: Never
`

const usage = `
The demo cluster is Ready.
  export KUBECONFIG=%s
  bin/lightnode kubectl get nodes
The LightCluster and LightNodes live in the management cluster:
  bin/lightnode kubectl --kubeconfig %s get lc,ln
Logs: %s, %s
Remove everything the demo made: make demo-down
`

// down stops the operator and the management cluster and removes the hosts and state.
func (d *demo) down() error {
	var errs []error
	errs = append(errs, d.management().Stop())
	if data, err := os.ReadFile(d.path("inventory")); err == nil {
		set, err := hosts.Load(strings.TrimSpace(string(data)), "")
		if err == nil {
			err = set.Down()
		}
		errs = append(errs, err)
	}
	errs = append(errs, os.RemoveAll(d.dir))
	if err := errors.Join(errs...); err != nil {
		return err
	}
	logf("removed everything the demo made")
	return nil
}

func mustAbs(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		panic(err)
	}
	return abs
}
