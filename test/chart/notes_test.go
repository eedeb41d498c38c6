package chart

import (
	"strings"
	"testing"
)

// TestNotes checks that the notes printed after `helm install` tell what to apply next,
// and mention what the values change.
func TestNotes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    []string
		notWant []string
	}{{
		name: "defaults",
		want: []string{"rollout status", "deployment/" + fullName, "ssh-privatekey",
			"LightCluster", "LightNodes", "config/samples", "-kubeconfig",
			"catalog inside the operator image"},
		notWant: []string{"leader election on", "crds.install is off"},
	}, {
		name: "two replicas, own CRDs, catalog on a PVC",
		args: []string{"--set", "replicaCount=2", "--set", "crds.install=false",
			"--set", "nodeBinaries.source=persistentVolumeClaim",
			"--set", "nodeBinaries.persistentVolumeClaim.claimName=catalog"},
		want:    []string{"leader election on", "crds.install is off", "config/crd"},
		notWant: []string{"catalog inside the operator image"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"install", releaseName, chartDir, "--namespace",
				releaseNamespace, "--dry-run=client"}, tt.args...)
			out, err := runHelm(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			_, notes, ok := strings.Cut(string(out), "\nNOTES:\n")
			if !ok {
				t.Fatalf("helm install printed no notes:\n%s", out)
			}
			for _, want := range tt.want {
				if !strings.Contains(notes, want) {
					t.Errorf("notes do not mention %q:\n%s", want, notes)
				}
			}
			for _, notWant := range tt.notWant {
				if strings.Contains(notes, notWant) {
					t.Errorf("notes mention %q:\n%s", notWant, notes)
				}
			}
		})
	}
}
