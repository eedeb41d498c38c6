package chart

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/modfile"
	"sigs.k8s.io/yaml"
)

// kubernetesVersion returns the version of k8s.io/kubernetes that go.mod requires: the
// release lightnode carries and the tag that `make docker-build` gives the image.
func kubernetesVersion(t *testing.T) string {
	t.Helper()
	path := filepath.Join(moduleRoot(t), "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read go.mod: %v", err)
	}
	mod, err := modfile.ParseLax(path, data, nil)
	if err != nil {
		t.Fatalf("parse go.mod: %v", err)
	}
	for _, req := range mod.Require {
		if req.Mod.Path == "k8s.io/kubernetes" {
			return req.Mod.Version
		}
	}
	t.Fatal("go.mod does not require k8s.io/kubernetes")
	return ""
}

// TestChartVersion checks that the chart installs, by default, the image tag that
// `make docker-build` builds.
func TestChartVersion(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(moduleRoot(t), chartDir, "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var chart struct {
		AppVersion string `json:"appVersion"`
	}
	if err := yaml.Unmarshal(data, &chart); err != nil {
		t.Fatalf("decode Chart.yaml: %v", err)
	}
	if want := kubernetesVersion(t); chart.AppVersion != want {
		t.Errorf("Chart.yaml appVersion = %q, want %q, the k8s.io/kubernetes of go.mod",
			chart.AppVersion, want)
	}
}

// TestLint runs `helm lint --strict` with the default values and with values that
// turn every optional part on.
func TestLint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"defaults", nil},
		{"every option", []string{"--values", "test/chart/testdata/all-values.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"lint", "--strict", chartDir}, tt.args...)
			if out, err := runHelm(t, args...); err != nil {
				t.Errorf("%v\n%s", err, out)
			}
		})
	}
}
