package chart

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

const (
	// chartDir is the chart, relative to the module root.
	chartDir = "charts/lightcluster-operator"
	// releaseName and releaseNamespace are the release the tests render.
	releaseName      = "lightcluster-operator"
	releaseNamespace = "lc-system"
)

var (
	helmOnce sync.Once
	helmPath string
	helmErr  error
)

// helm returns the path of the helm binary: $HELM, or the one `go tool helm` runs,
// built once per test process.
func helm(t *testing.T) string {
	t.Helper()
	helmOnce.Do(func() {
		if p := os.Getenv("HELM"); p != "" {
			helmPath = p
			return
		}
		goCmd := os.Getenv("GO")
		if goCmd == "" {
			goCmd = "go"
		}
		cmd := exec.Command(goCmd, "tool", "-n", "helm")
		cmd.Dir = moduleRoot(t)
		out, err := cmd.Output()
		if err != nil {
			helmErr = fmt.Errorf("go tool -n helm: %w%s", err, stderrOf(err))
			return
		}
		helmPath = strings.TrimSpace(string(out))
	})
	if helmErr != nil {
		t.Fatal(helmErr)
	}
	return helmPath
}

// stderrOf returns the standard error an exec.ExitError carries, on a line of its own.
func stderrOf(err error) string {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && len(exitErr.Stderr) > 0 {
		return "\n" + string(exitErr.Stderr)
	}
	return ""
}

// moduleRoot walks up from the working directory to the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("find module root: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("find module root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// runHelm runs helm with args in the module root and returns its standard output, or
// an error that holds its standard error.
func runHelm(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(helm(t), args...)
	cmd.Dir = moduleRoot(t)
	// A private home keeps the user's helm configuration and caches out of the test.
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CONFIG_HOME="+home, "HELM_CACHE_HOME="+home,
		"HELM_DATA_HOME="+home)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("helm %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// renderChart runs `helm template` on the chart with values (YAML; empty for the
// defaults) and returns the objects.
func renderChart(t *testing.T, values string) (objects, error) {
	t.Helper()
	args := []string{"template", releaseName, chartDir, "--namespace", releaseNamespace}
	if values != "" {
		file := filepath.Join(t.TempDir(), "values.yaml")
		if err := os.WriteFile(file, []byte(values), 0o600); err != nil {
			t.Fatalf("write values: %v", err)
		}
		args = append(args, "--values", file)
	}
	out, err := runHelm(t, args...)
	if err != nil {
		return nil, err
	}
	return parseObjects(t, out), nil
}

// objects are rendered manifests by "Kind/name", as YAML.
type objects map[string][]byte

// objectHeader is what identifies a manifest.
type objectHeader struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

// parseObjects splits a multi-document YAML stream into its objects, failing on a
// document that is not an object or on a duplicate.
func parseObjects(t *testing.T, stream []byte) objects {
	t.Helper()
	objs := objects{}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(stream)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("split manifests: %v", err)
		}
		var header objectHeader
		if err := yaml.Unmarshal(doc, &header); err != nil {
			t.Fatalf("decode manifest: %v\n%s", err, doc)
		}
		if header.Kind == "" {
			continue // a document of comments only
		}
		key := header.Kind + "/" + header.Metadata.Name
		if _, dup := objs[key]; dup {
			t.Fatalf("%s rendered twice", key)
		}
		objs[key] = doc
	}
}

// has reports whether the object kind/name was rendered.
func (o objects) has(kind, name string) bool {
	_, ok := o[kind+"/"+name]
	return ok
}

// decode decodes the object kind/name into into, failing when it was not rendered.
func (o objects) decode(t *testing.T, kind, name string, into any) {
	t.Helper()
	doc, ok := o[kind+"/"+name]
	if !ok {
		t.Fatalf("%s/%s not rendered; rendered: %v", kind, name, o.keys())
	}
	if err := yaml.UnmarshalStrict(doc, into); err != nil {
		t.Fatalf("decode %s/%s: %v", kind, name, err)
	}
}

// ofKind returns the names of the rendered objects of kind.
func (o objects) ofKind(kind string) []string {
	var names []string
	for key := range o {
		if name, ok := strings.CutPrefix(key, kind+"/"); ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// keys lists the rendered objects in order.
func (o objects) keys() []string {
	return slices.Sorted(maps.Keys(o))
}
