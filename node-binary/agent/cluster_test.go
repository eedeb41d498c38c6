package agent

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// An agent started beside its server found the API ready before the server had made
// the kubernetes Service, and stopped with "services "kubernetes" not found".
func TestWaitForClusterWhileTheServerStarts(t *testing.T) {
	cs := fake.NewClientset(&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "kubernetes"},
		Spec:       corev1.ServiceSpec{ClusterIP: "10.43.0.1"},
	})
	missing := 2
	cs.PrependReactor("get", "services", func(k8stesting.Action) (bool, runtime.Object, error) {
		if missing == 0 {
			return false, nil, nil
		}
		missing--
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Resource: "services"},
			"kubernetes")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, recorded, err := waitForCluster(ctx, cs, quietLog(), time.Millisecond)
	if err != nil {
		t.Fatalf("waitForCluster: %v", err)
	}
	if recorded || c.ClusterDNS[0] != netip.MustParseAddr("10.43.0.10") {
		t.Errorf("got %+v (recorded %v), want the defaults of service IP 10.43.0.1", c, recorded)
	}
	if missing != 0 {
		t.Errorf("returned with %d not-found answers left", missing)
	}
}

func TestWaitForClusterStopsOnRejectedCredentials(t *testing.T) {
	cs := fake.NewClientset()
	calls := 0
	cs.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		calls++
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "nodes"}, "",
			nil)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := waitForCluster(ctx, cs, quietLog(), time.Millisecond); !apierrors.IsForbidden(err) {
		t.Fatalf("waitForCluster returned %v, want the Forbidden error", err)
	}
	if calls != 1 {
		t.Errorf("asked %d times, want once", calls)
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
