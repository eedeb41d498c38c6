package controllers

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/pki"
)

func TestKubeconfigDueBeforeItsCertificateExpires(t *testing.T) {
	issued := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	now := issued
	r := &LightClusterReconciler{Clock: func() time.Time { return now }}
	caSet, err := pki.GenerateCASet(r.Clock)
	if err != nil {
		t.Fatal(err)
	}
	c := &lcv1.LightCluster{ObjectMeta: metav1.ObjectMeta{Name: "demo"}}
	data, err := r.renderKubeconfig(c, caSet, "https://10.0.0.5:6443")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		at   time.Time
		data []byte
		want bool
	}{
		{"fresh", issued.Add(24 * time.Hour), data, false},
		{"just outside the renewal window",
			issued.Add(pki.LeafValidity - KubeconfigRenewBefore - time.Hour), data, false},
		{"inside the renewal window",
			issued.Add(pki.LeafValidity - KubeconfigRenewBefore + time.Hour), data, true},
		{"expired", issued.Add(pki.LeafValidity + time.Hour), data, true},
		{"missing", issued, nil, true},
		{"unreadable", issued, []byte("not a kubeconfig"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = tt.at
			if got := r.kubeconfigDue(tt.data); got != tt.want {
				t.Errorf("kubeconfigDue at %s = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}
