//go:build e2e

package e2e

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/lightcluster/lightcluster/test/hosts"
	"github.com/lightcluster/lightcluster/test/mgmt"
)

// The release the Helm test installs, and the objects it makes.
const (
	helmRelease    = "lightcluster-operator"
	helmNamespace  = "lightcluster-system"
	helmSelector   = "app.kubernetes.io/instance=" + helmRelease
	helmCluster    = "helm"
	helmServerNode = "helm-server-1"
	// helmNoteField is the optional spec field the upgraded chart's LightCluster CRD adds.
	helmNoteField = "e2eNote"
	// helmImagesDir is where the management node's agent imports image archives from.
	helmImagesDir = "/var/lib/lightnode/agent/images"
)

// Bounds of the Helm test's commands and waits.
const (
	helmCommandTimeout = 5 * time.Minute
	helmSchemaTimeout  = time.Minute
)

// helmEnv is a management cluster on a test host that runs the operator as a pod,
// installed with the chart.
type helmEnv struct {
	*operatorEnv
	mgmtHost hosts.Host
	helmBin  string
	helmHome string
	values   []string // --set flags of every install and upgrade
}

// TestHelmInClusterE2E installs the operator with its chart into a management cluster
// that runs pods (lightnode server and its agent on the first host, the operator image
// imported from the images directory), has the operator pod make a cluster on the second
// host over SSH, upgrades the release to a chart whose LightCluster CRD gained a field,
// and uninstalls it, which must keep the CRDs and the user's objects.
func TestHelmInClusterE2E(t *testing.T) {
	ctx := context.Background()
	bin := lightnodeBinary(t)
	archive := helmImageArchive(t)
	repo, tag := helmArchiveImage(t, archive)
	chart, err := filepath.Abs(filepath.Join("..", "..", "charts", "lightcluster-operator"))
	if err != nil {
		t.Fatal(err)
	}

	set, err := hosts.Up(ctx, t, 2)
	if err != nil {
		t.Fatalf("start hosts: %v", err)
	}
	h := &helmEnv{operatorEnv: &operatorEnv{t: t, set: set}, mgmtHost: set.Hosts[0],
		helmBin: helmBinary(t), helmHome: t.TempDir(),
		values: []string{"--set", "image.repository=" + repo, "--set", "image.tag=" + tag,
			"--set", "image.pullPolicy=Never"}}
	t.Cleanup(h.dumpOnFailure)
	h.startManagement(ctx, bin, archive)

	// Install: the operator pod must come up and pass its check of the CRDs.
	started := time.Now()
	h.mustHelm(ctx, append([]string{"install", helmRelease, chart, "--namespace",
		helmNamespace, "--create-namespace"}, h.values...)...)
	h.waitOperatorReady(ctx)
	t.Logf("operator pod Ready %s after helm install", time.Since(started).Round(time.Second))

	// A cluster made by the operator pod, which reaches the host over the pod network.
	target := set.Hosts[1]
	h.apply(ctx, sshKeySecret("e2e-ssh", target.PrivateKey))
	h.apply(ctx, fmt.Sprintf(clusterManifest, helmCluster, "sqlite"))
	h.apply(ctx, lightNode(helmCluster, helmServerNode, "server", target, "root", "", true))
	h.waitReady(ctx, "lc/"+helmCluster)
	h.writeKubeconfig(ctx, helmCluster)
	h.waitNodesReady(ctx, helmServerNode)
	t.Logf("LightCluster %s Ready %s after helm install", helmCluster,
		time.Since(started).Round(time.Second))

	// Upgrade to a chart whose CRD has a new optional field.
	h.checkNoteRefused(ctx)
	upgraded := helmChartWithNoteField(t, chart)
	h.mustHelm(ctx, append([]string{"upgrade", helmRelease, upgraded, "--namespace",
		helmNamespace}, h.values...)...)
	h.waitOperatorReady(ctx)
	h.checkNoteStored(ctx)

	// Uninstall keeps the CRDs, and with them the user's objects.
	h.mustHelm(ctx, "uninstall", helmRelease, "--namespace", helmNamespace)
	h.checkUninstalled(ctx)
}

// helmImageArchive returns the operator image archive: OPERATOR_IMAGE_ARCHIVE, or the one
// make docker-save writes into bin/.
func helmImageArchive(t *testing.T) string {
	t.Helper()
	archive := os.Getenv("OPERATOR_IMAGE_ARCHIVE")
	if archive == "" {
		version := os.Getenv("LIGHTNODE_VERSION")
		if version == "" {
			version = "v1.37.2"
		}
		archive = filepath.Join("..", "..", "bin", "lightcluster-operator-"+version+".tar")
	}
	abs, err := filepath.Abs(archive)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("operator image archive: %v (run make docker-save, or set "+
			"OPERATOR_IMAGE_ARCHIVE)", err)
	}
	return abs
}

// helmArchiveImage returns the repository and tag of the one image a docker archive holds,
// as its manifest.json names it.
func helmArchiveImage(t *testing.T, archive string) (repo, tag string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatalf("%s has no manifest.json; is it a docker archive?", archive)
		}
		if err != nil {
			t.Fatalf("read %s: %v", archive, err)
		}
		if hdr.Name != "manifest.json" {
			continue
		}
		var manifest []struct{ RepoTags []string }
		if err := json.NewDecoder(tr).Decode(&manifest); err != nil {
			t.Fatalf("manifest.json of %s: %v", archive, err)
		}
		if len(manifest) != 1 || len(manifest[0].RepoTags) != 1 {
			t.Fatalf("%s holds %d images, want one with one tag", archive, len(manifest))
		}
		ref := manifest[0].RepoTags[0]
		i := strings.LastIndex(ref, ":")
		if i < 0 || strings.Contains(ref[i:], "/") {
			t.Fatalf("image %s in %s has no tag", ref, archive)
		}
		return ref[:i], ref[i+1:]
	}
}

// helmBinary returns the module's own Helm, the one `go tool helm` runs, built once.
func helmBinary(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "tool", "-n", "helm").CombinedOutput()
	path := strings.TrimSpace(string(out))
	if err != nil || path == "" {
		t.Fatalf("go tool -n helm: %v\n%s", err, out)
	}
	return path
}

// startManagement copies lightnode and the operator image archive onto the management
// host, starts lightnode server there (with its agent, which imports the archive) and
// points kubectl and helm on this machine at it.
func (h *helmEnv) startManagement(ctx context.Context, bin, archive string) {
	h.t.Helper()
	c := &agentCluster{t: h.t, set: h.set, server: h.mgmtHost}
	c.docker(ctx, "cp", bin, h.mgmtHost.Name+":/usr/local/bin/lightnode")
	c.mustExec(ctx, h.mgmtHost, "mkdir", "-p", helmImagesDir, "/etc/lightnode")
	c.docker(ctx, "cp", archive, h.mgmtHost.Name+":"+helmImagesDir+"/lightcluster-operator.tar")
	c.startServer(ctx)
	c.waitNodeReady(ctx, h.mgmtHost.Name)

	// The server's admin kubeconfig names 127.0.0.1; this machine reaches the host's IP.
	local := filepath.Join(h.t.TempDir(), "management-local.kubeconfig")
	data := c.mustExec(ctx, h.mgmtHost, "cat", "/etc/lightnode/lightnode.yaml")
	if err := os.WriteFile(local, []byte(data), 0o600); err != nil {
		h.t.Fatal(err)
	}
	h.kubeconfig = local
	h.pointKubeconfigAt(h.mgmtHost)
	h.m = mgmt.Open(h.t.TempDir(), bin)
	h.m.Kubeconfig = h.kubeconfig
	h.waitFor(ctx, requestTimeout, "management API from this machine", func() (bool, string) {
		out, err := h.m.Kubectl(ctx, "get", "node", h.mgmtHost.Name, "-o", "name")
		return err == nil, out + errString(err)
	})
}

// helm runs the module's Helm against the management cluster, with its own
// configuration, cache and data directories.
func (h *helmEnv) helm(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, helmCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.helmBin, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+h.m.Kubeconfig,
		"HELM_CONFIG_HOME="+filepath.Join(h.helmHome, "config"),
		"HELM_CACHE_HOME="+filepath.Join(h.helmHome, "cache"),
		"HELM_DATA_HOME="+filepath.Join(h.helmHome, "data"))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// mustHelm runs helm and fails the test when it fails.
func (h *helmEnv) mustHelm(ctx context.Context, args ...string) {
	h.t.Helper()
	out, err := h.helm(ctx, args...)
	if err != nil {
		h.t.Fatalf("helm %s: %v\n%s", args[0], err, out)
	}
	h.t.Logf("helm %s:\n%s", args[0], out)
}

// waitOperatorReady waits until the operator Deployment's current pods are Ready: the
// image was found on the node, and the operator passed its start-up checks.
func (h *helmEnv) waitOperatorReady(ctx context.Context) {
	h.t.Helper()
	out, err := h.m.Kubectl(ctx, "--namespace", helmNamespace, "rollout", "status",
		"deployment/"+helmRelease, "--timeout", podReadyTimeout.String())
	if err != nil {
		h.t.Fatalf("operator Deployment not ready within %s: %v\n%s", podReadyTimeout, err, out)
	}
	pods, _ := h.m.Kubectl(ctx, "--namespace", helmNamespace, "get", "pods", "-l",
		helmSelector, "-o", "wide")
	h.t.Logf("operator pods:\n%s", pods)
}

// waitReady waits until object's Ready condition is True, logging the LightClusters and
// LightNodes as they change.
func (h *helmEnv) waitReady(ctx context.Context, object string) {
	h.t.Helper()
	last := ""
	h.waitFor(ctx, clusterReadyTimeout, object+" Ready", func() (bool, string) {
		if table, state := h.m.Progress(ctx); state != last {
			h.t.Logf("management cluster:\n%s", table)
			last = state
		}
		got := h.condition(ctx, object, "Ready")
		return strings.HasPrefix(got, "True/"), got
	})
}

// noteManifest is the test's LightCluster with the new field set to note.
func noteManifest(note string) string {
	return fmt.Sprintf(clusterManifest, helmCluster, "sqlite") +
		fmt.Sprintf("  %s: %q\n", helmNoteField, note)
}

// checkNoteRefused checks that the installed CRD does not know the new field: strict
// validation refuses it, and without validation the API server drops it.
func (h *helmEnv) checkNoteRefused(ctx context.Context) {
	h.t.Helper()
	out, err := h.m.KubectlInput(ctx, []byte(noteManifest("refused")), "apply",
		"--validate=strict", "-f", "-")
	if err == nil || !strings.Contains(out, helmNoteField) {
		h.t.Fatalf("before the upgrade, applying spec.%s: err %v, want it refused as an "+
			"unknown field\n%s", helmNoteField, err, out)
	}
	h.t.Logf("before the upgrade spec.%s is refused: %s", helmNoteField, helmTail(out))
	if out, err := h.m.KubectlInput(ctx, []byte(noteManifest("pruned")), "apply",
		"--validate=ignore", "-f", "-"); err != nil {
		h.t.Fatalf("apply without validation: %v\n%s", err, out)
	}
	if got, err := h.get(ctx, "lc/"+helmCluster, "{.spec."+helmNoteField+"}"); err != nil ||
		got != "" {
		h.t.Errorf("before the upgrade spec.%s was stored as %q (%v), want it pruned",
			helmNoteField, got, err)
	}
}

// helmTail returns the end of kubectl's output, where its error says what it refused;
// before that it repeats the whole object.
func helmTail(out string) string {
	const keep = 160
	out = strings.TrimSpace(out)
	if len(out) <= keep {
		return out
	}
	return "..." + out[len(out)-keep:]
}

// checkNoteStored checks that the upgraded CRD stores the new field, and that the
// operator reconciles the changed LightCluster to Ready at its new generation.
func (h *helmEnv) checkNoteStored(ctx context.Context) {
	h.t.Helper()
	const note = "stored after helm upgrade"
	// The API server serves a changed CRD schema shortly after the update.
	h.waitFor(ctx, helmSchemaTimeout, "spec."+helmNoteField+" accepted", func() (bool, string) {
		out, err := h.m.KubectlInput(ctx, []byte(noteManifest(note)), "apply",
			"--validate=strict", "-f", "-")
		return err == nil, helmTail(out) + errString(err)
	})
	if got, err := h.get(ctx, "lc/"+helmCluster, "{.spec."+helmNoteField+"}"); err != nil ||
		got != note {
		h.t.Fatalf("after the upgrade spec.%s reads %q (%v), want %q", helmNoteField, got,
			err, note)
	}

	jsonpath := `{.metadata.generation}/{.status.observedGeneration}/` +
		`{.status.conditions[?(@.type=="Ready")].status}`
	h.waitFor(ctx, nodeChangeTimeout, "lc/"+helmCluster+" Ready at its new generation",
		func() (bool, string) {
			got, err := h.get(ctx, "lc/"+helmCluster, jsonpath)
			gen, rest, _ := strings.Cut(got, "/")
			return err == nil && rest == gen+"/True", got + errString(err)
		})
}

// checkUninstalled checks that the release's Deployment is gone while the CRDs, with the
// new field, and the user's LightCluster and LightNode are still there.
func (h *helmEnv) checkUninstalled(ctx context.Context) {
	h.t.Helper()
	h.waitFor(ctx, requestTimeout, "operator Deployment deleted", func() (bool, string) {
		out, err := h.m.Kubectl(ctx, "--namespace", helmNamespace, "get", "deployment",
			helmRelease, "--ignore-not-found", "-o", "name")
		return err == nil && strings.TrimSpace(out) == "", out + errString(err)
	})

	field := "{.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties." +
		helmNoteField + ".type}"
	if got, err := h.get(ctx, "crd/lightclusters.lightcluster.dev", field); err != nil ||
		got != "string" {
		h.t.Errorf("after uninstall the LightCluster CRD's spec.%s has type %q (%v), want "+
			"the upgraded CRD kept", helmNoteField, got, err)
	}
	for _, object := range []string{"crd/lightnodes.lightcluster.dev",
		"lc/" + helmCluster, "ln/" + helmServerNode} {
		if out, err := h.m.Kubectl(ctx, "get", object, "-o", "name"); err != nil {
			h.t.Errorf("%s is gone after helm uninstall: %v\n%s", object, err, out)
		}
	}
	if got, _ := h.get(ctx, "lc/"+helmCluster, "{.spec."+helmNoteField+"}"); got == "" {
		h.t.Errorf("after uninstall LightCluster %s lost spec.%s", helmCluster, helmNoteField)
	}
}

// helmChartWithNoteField copies the chart into a temporary directory, adds the optional
// string spec.e2eNote to its LightCluster CRD and gives it a new chart version, so that
// the upgrade also rolls the operator pod.
func helmChartWithNoteField(t *testing.T, chart string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(chart))
	if err := os.CopyFS(dst, os.DirFS(chart)); err != nil {
		t.Fatalf("copy chart: %v", err)
	}
	helmEditYAML(t, filepath.Join(dst, "Chart.yaml"), func(doc map[string]any) error {
		version, ok := doc["version"].(string)
		if !ok {
			return errors.New("no version in Chart.yaml")
		}
		doc["version"] = version + "+" + strings.ToLower(helmNoteField)
		return nil
	})
	crd := filepath.Join(dst, "files", "crds", "lightcluster.dev_lightclusters.yaml")
	helmEditYAML(t, crd, helmAddNoteField)
	return dst
}

// helmAddNoteField adds spec.e2eNote to every version of a CRD.
func helmAddNoteField(crd map[string]any) error {
	spec, _ := crd["spec"].(map[string]any)
	versions, _ := spec["versions"].([]any)
	if len(versions) == 0 {
		return errors.New("CRD has no versions")
	}
	for _, v := range versions {
		props, err := helmLookup(v, "schema", "openAPIV3Schema", "properties", "spec",
			"properties")
		if err != nil {
			return err
		}
		props[helmNoteField] = map[string]any{"type": "string", "maxLength": int64(256),
			"description": helmNoteField + " is a note that only the upgraded chart knows."}
	}
	return nil
}

// helmLookup returns the map at path under node.
func helmLookup(node any, path ...string) (map[string]any, error) {
	for i, key := range path {
		m, ok := node.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s is not a map", strings.Join(path[:i], "."))
		}
		node = m[key]
	}
	m, ok := node.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not a map", strings.Join(path, "."))
	}
	return m, nil
}

// helmEditYAML rewrites the YAML document in path with edit.
func helmEditYAML(t *testing.T, path string, edit func(map[string]any) error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	if err := edit(doc); err != nil {
		t.Fatalf("edit %s: %v", path, err)
	}
	if data, err = yaml.Marshal(doc); err != nil {
		t.Fatalf("encode %s: %v", path, err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// dumpOnFailure prints the operator pod's log, the objects and events of the management
// cluster, and both hosts' lightnode journals.
func (h *helmEnv) dumpOnFailure() {
	if !h.t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if h.m != nil {
		for _, args := range [][]string{
			{"--namespace", helmNamespace, "get", "pods", "-o", "wide"},
			{"--namespace", helmNamespace, "logs", "-l", helmSelector, "--tail", "300"},
			{"--namespace", helmNamespace, "logs", "-l", helmSelector, "--previous",
				"--tail", "100"},
			{"--namespace", helmNamespace, "get", "events", "--sort-by", ".lastTimestamp"},
			{"get", "lc,ln", "-o", "yaml"},
		} {
			out, err := h.m.Kubectl(ctx, args...)
			h.t.Logf("kubectl %s:%s\n%s", strings.Join(args, " "), errString(err), out)
		}
	}
	for _, host := range h.set.Hosts {
		out, _ := h.set.Exec(ctx, host, "journalctl", "-u", "lightnode-server", "-u",
			"lightnode-agent", "--no-pager", "-n", "200")
		h.t.Logf("lightnode journal on %s:\n%s", host.Name, out)
	}
}
