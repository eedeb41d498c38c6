package manifests

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	cmA = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
	cmB = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: apps}\n"
	nsA = "apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n"
)

func writeManifest(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestSync(t *testing.T) {
	type step struct {
		write  map[string]string // file name to content; "" removes the file
		force  bool
		want   []string
		errHas string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"applies every file with its label", []step{{
			write: map[string]string{"one.yaml": cmA, "two.yml": nsA + "---\n" + cmB},
			want: []string{"ConfigMap apps/b=two.yml", "ConfigMap default/a=one.yaml",
				"Namespace apps=two.yml"},
		}}},
		{"an object that left its file is deleted", []step{
			{write: map[string]string{"app.yaml": cmA + "---\n" + nsA},
				want: []string{"ConfigMap default/a=app.yaml", "Namespace apps=app.yaml"}},
			{write: map[string]string{"app.yaml": nsA},
				want: []string{"Namespace apps=app.yaml"}},
		}},
		{"a removed file's objects are deleted", []step{
			{write: map[string]string{"a.yaml": cmA, "b.json": `{"apiVersion":"v1",` +
				`"kind":"Namespace","metadata":{"name":"apps"}}`},
				want: []string{"ConfigMap default/a=a.yaml", "Namespace apps=b.json"}},
			{write: map[string]string{"a.yaml": ""},
				want: []string{"Namespace apps=b.json"}},
		}},
		{"an object another file took over stays", []step{
			{write: map[string]string{"a.yaml": cmA},
				want: []string{"ConfigMap default/a=a.yaml"}},
			{write: map[string]string{"b.yaml": cmA},
				want: []string{"ConfigMap default/a=b.yaml"}},
			{write: map[string]string{"a.yaml": ""},
				want: []string{"ConfigMap default/a=b.yaml"}},
		}},
		{"a file that does not parse keeps its objects and is reported", []step{
			{write: map[string]string{"a.yaml": cmA},
				want: []string{"ConfigMap default/a=a.yaml"}},
			{write: map[string]string{"a.yaml": "kind: ConfigMap\n"},
				want: []string{"ConfigMap default/a=a.yaml"}, errHas: "no apiVersion"},
			{want: []string{"ConfigMap default/a=a.yaml"}, errHas: "no apiVersion"},
		}},
		{"hidden and other files are ignored", []step{{
			write: map[string]string{".a.yaml": cmA, "a.yaml.bak": cmA, "notes.txt": cmA},
			want:  nil,
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cluster := newFakeCluster()
			a := NewApplier(dir, "server-1", cluster, quietLog)
			for i, s := range tt.steps {
				for name, content := range s.write {
					if content == "" {
						os.Remove(filepath.Join(dir, name))
						continue
					}
					writeManifest(t, dir, name, content)
				}
				err := a.Sync(context.Background(), s.force)
				if (err != nil) != (s.errHas != "") ||
					(err != nil && !strings.Contains(err.Error(), s.errHas)) {
					t.Fatalf("step %d: Sync error %v, want one containing %q", i, err, s.errHas)
				}
				if got := cluster.names(); !slices.Equal(got, s.want) {
					t.Fatalf("step %d: objects %q, want %q", i, got, s.want)
				}
			}
		})
	}
}

func TestSyncAppliesOnlyChangedFilesUnlessForced(t *testing.T) {
	dir := t.TempDir()
	cluster := newFakeCluster()
	a := NewApplier(dir, "server-1", cluster, quietLog)
	writeManifest(t, dir, "a.yaml", cmA)
	writeManifest(t, dir, "b.yaml", nsA)
	ctx := context.Background()

	steps := []struct {
		name  string
		edit  bool
		force bool
		want  int
	}{
		{"first sync", false, false, 2},
		{"nothing changed", false, false, 2},
		{"one file edited", true, false, 3},
		{"forced", false, true, 5},
	}
	for _, s := range steps {
		if s.edit {
			writeManifest(t, dir, "a.yaml", cmA+"data: {k: v}\n")
		}
		if err := a.Sync(ctx, s.force); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if cluster.applies != s.want {
			t.Errorf("%s: %d applies in all, want %d", s.name, cluster.applies, s.want)
		}
	}
}

func TestSyncKeepsEverythingWhenAnApplyFails(t *testing.T) {
	dir := t.TempDir()
	cluster := newFakeCluster()
	a := NewApplier(dir, "server-1", cluster, quietLog)
	ctx := context.Background()
	writeManifest(t, dir, "app.yaml", cmA+"---\n"+nsA)
	if err := a.Sync(ctx, false); err != nil {
		t.Fatal(err)
	}

	// The namespace leaves the file while the config map cannot be applied: nothing
	// is deleted until the file applies in full.
	writeManifest(t, dir, "app.yaml", cmA)
	cluster.failApply["a"] = true
	if err := a.Sync(ctx, false); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("Sync error %v, want the refused apply", err)
	}
	if got := cluster.records["app.yaml"].Objects; len(got) != 2 {
		t.Errorf("record after a failed apply lists %v, want both objects", got)
	}
	if got := cluster.names(); len(got) != 2 {
		t.Errorf("objects after a failed apply: %q, want both", got)
	}

	cluster.failApply["a"] = false
	if err := a.Sync(ctx, false); err != nil {
		t.Fatalf("retry: %v", err)
	}
	want := []string{"ConfigMap default/a=app.yaml"}
	if got := cluster.names(); !slices.Equal(got, want) {
		t.Errorf("objects after the retry: %q, want %q", got, want)
	}
}

func TestSyncRemovesOnlyFilesThisServerAppliedLast(t *testing.T) {
	dir := t.TempDir()
	cluster := newFakeCluster()
	ctx := context.Background()
	other := NewApplier(t.TempDir(), "server-2", cluster, quietLog)
	writeManifest(t, other.dir, "theirs.yaml", cmA)
	if err := other.Sync(ctx, false); err != nil {
		t.Fatal(err)
	}

	// server-1 has no theirs.yaml: the file is server-2's to remove.
	if err := NewApplier(dir, "server-1", cluster, quietLog).Sync(ctx, false); err != nil {
		t.Fatal(err)
	}
	if _, ok := cluster.records["theirs.yaml"]; !ok || len(cluster.names()) != 1 {
		t.Errorf("server-1 removed server-2's manifest: records %v, objects %q",
			cluster.records, cluster.names())
	}
}

func TestApplyOrder(t *testing.T) {
	objs, err := Parse([]byte(cmA + "---\n" + "apiVersion: apiextensions.k8s.io/v1\n" +
		"kind: CustomResourceDefinition\nmetadata: {name: crd}\n---\n" + nsA + "---\n" + cmB))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range applyOrder(objs) {
		got = append(got, o.GetName())
	}
	if want := []string{"apps", "crd", "a", "b"}; !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

func TestInvalidManifestWrapsSentinel(t *testing.T) {
	dir := t.TempDir()
	writeManifest(t, dir, "bad.yaml", "apiVersion: v1\nkind: ConfigMap\n")
	err := NewApplier(dir, "s", newFakeCluster(), quietLog).Sync(context.Background(), false)
	if !errors.Is(err, ErrInvalidManifest) || !strings.Contains(err.Error(), "bad.yaml") {
		t.Errorf("Sync error %v, want ErrInvalidManifest naming bad.yaml", err)
	}
}
