package chart

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/yaml"
)

// keepPolicy is the annotation that makes helm leave an object on uninstall.
const keepPolicy = "helm.sh/resource-policy"

// readRole reads the single Role or ClusterRole of a file of the module.
func readRole(t *testing.T, rel string) rbacv1.ClusterRole {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(moduleRoot(t), rel))
	if err != nil {
		t.Fatalf("read role: %v", err)
	}
	objs := parseObjects(t, data)
	if len(objs) != 1 {
		t.Fatalf("%s holds %v, want one role", rel, objs.keys())
	}
	var role rbacv1.ClusterRole
	for _, doc := range objs {
		if err := yaml.Unmarshal(doc, &role); err != nil {
			t.Fatalf("decode %s: %v", rel, err)
		}
	}
	return role
}

// rulesEqual reports whether two rule lists are the same, in the same order.
func rulesEqual(a, b []rbacv1.PolicyRule) bool {
	return len(a) == len(b) && apiequality.Semantic.DeepEqual(a, b)
}

// TestChartFilesAreGenerated checks that the chart's copies of the CRDs and of the RBAC
// role are those that controller-gen wrote into config/.
func TestChartFilesAreGenerated(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	bases, err := filepath.Glob(filepath.Join(root, "config/crd/bases/*.yaml"))
	if err != nil || len(bases) == 0 {
		t.Fatalf("no CRDs in config/crd/bases (%v)", err)
	}
	copies, err := filepath.Glob(filepath.Join(root, chartDir, "files/crds/*.yaml"))
	if err != nil || len(copies) != len(bases) {
		t.Errorf("chart holds CRDs %v, config/crd/bases %v; run make chart-manifests",
			copies, bases)
	}
	pairs := map[string]string{"config/rbac/role.yaml": chartDir + "/files/rbac/role.yaml"}
	for _, base := range bases {
		rel, _ := filepath.Rel(root, base)
		pairs[rel] = chartDir + "/files/crds/" + filepath.Base(base)
	}
	for generated, copied := range pairs {
		want, err := os.ReadFile(filepath.Join(root, generated))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(root, copied))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (%v); run make chart-manifests", copied, generated, err)
		}
	}
}

// TestClusterRoleIsGenerated checks that the rendered ClusterRole has exactly the rules
// that controller-gen generates from the controllers' markers.
func TestClusterRoleIsGenerated(t *testing.T) {
	t.Parallel()
	objs, err := renderChart(t, "")
	if err != nil {
		t.Fatal(err)
	}
	var got rbacv1.ClusterRole
	objs.decode(t, "ClusterRole", fullName, &got)
	want := readRole(t, "config/rbac/role.yaml")
	if len(want.Rules) == 0 || !rulesEqual(got.Rules, want.Rules) {
		t.Errorf("ClusterRole rules = %+v\nwant config/rbac/role.yaml: %+v", got.Rules, want.Rules)
	}
}

// TestCRDs checks that the rendered CRDs are those of config/crd/bases, kept on
// uninstall unless told otherwise, and left out when the chart does not install them.
func TestCRDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		values  string
		install bool
		keep    bool
	}{
		{"defaults", "", true, true},
		{"not kept", "crds: {keep: false}\n", true, false},
		{"not installed", "crds: {install: false}\n", false, false},
	}
	want := generatedCRDs(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			objs, err := renderChart(t, tt.values)
			if err != nil {
				t.Fatal(err)
			}
			names := objs.ofKind("CustomResourceDefinition")
			if !tt.install {
				if len(names) != 0 {
					t.Errorf("CRDs %v rendered, want none", names)
				}
				return
			}
			if len(names) != len(want) {
				t.Fatalf("CRDs %v rendered, want %d", names, len(want))
			}
			for name, wantCRD := range want {
				checkCRD(t, objs, name, wantCRD, tt.keep)
			}
		})
	}
}

// generatedCRDs reads config/crd/bases into objects by name.
func generatedCRDs(t *testing.T) map[string]map[string]any {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(moduleRoot(t), "config/crd/bases/*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in config/crd/bases (%v)", err)
	}
	crds := map[string]map[string]any{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for name, doc := range parseObjects(t, data) {
			var crd map[string]any
			if err := yaml.Unmarshal(doc, &crd); err != nil {
				t.Fatalf("decode %s: %v", file, err)
			}
			crds[name] = crd
		}
	}
	return crds
}

// checkCRD compares the rendered CRD key ("CustomResourceDefinition/name") with the
// generated one: equal but for the chart's labels and the resource policy.
func checkCRD(t *testing.T, objs objects, key string, want map[string]any, keep bool) {
	t.Helper()
	var got map[string]any
	objs.decode(t, "CustomResourceDefinition", key[len("CustomResourceDefinition/"):], &got)
	meta, _ := got["metadata"].(map[string]any)
	annotations, _ := meta["annotations"].(map[string]any)
	if policy := annotations[keepPolicy]; (policy == "keep") != keep {
		t.Errorf("%s: %s = %v, want keep: %v", key, keepPolicy, policy, keep)
	}
	labels, _ := meta["labels"].(map[string]any)
	if labels["app.kubernetes.io/managed-by"] != "Helm" {
		t.Errorf("%s: labels %v, want app.kubernetes.io/managed-by=Helm", key, labels)
	}

	// What remains after removing what the chart adds must be the generated object.
	delete(annotations, keepPolicy)
	delete(meta, "labels")
	if !equalJSON(got, want) {
		t.Errorf("rendered %s differs from config/crd/bases", key)
	}
}

// equalJSON reports whether two decoded YAML documents are the same.
func equalJSON(a, b map[string]any) bool {
	return reflect.DeepEqual(a, b)
}
