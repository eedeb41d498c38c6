package clusterclient

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/kubeconfig"
	"github.com/lightcluster/lightcluster/internal/pki"
)

func testScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return s
}

func kubeconfigSecret(t *testing.T, token string) *corev1.Secret {
	t.Helper()
	ca, err := pki.NewCA("test-ca", nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := kubeconfig.Admin(kubeconfig.Config{
		ServerURL: "https://192.0.2.1:6443", CAPEM: ca.CertPEM(), Token: token,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: SecretName("demo")},
		Data:       map[string][]byte{KubeconfigKey: data},
	}
}

func TestFromSecrets(t *testing.T) {
	cluster := &lcv1.LightCluster{ObjectMeta: metav1.ObjectMeta{Namespace: "default",
		Name: "demo"}}
	scheme := testScheme(t)
	ctx := context.Background()

	t.Run("missing secret", func(t *testing.T) {
		factory := FromSecrets(fake.NewClientBuilder().WithScheme(scheme).Build(), scheme)
		if _, err := factory(ctx, cluster); !errors.Is(err, ErrKubeconfigNotFound) {
			t.Errorf("factory() error = %v, want ErrKubeconfigNotFound", err)
		}
	})

	t.Run("cached until the secret changes", func(t *testing.T) {
		secret := kubeconfigSecret(t, "token-one")
		reader := fake.NewClientBuilder().WithScheme(scheme).WithObjects(secret).Build()
		factory := FromSecrets(reader, scheme)
		first, err := factory(ctx, cluster)
		if err != nil {
			t.Fatal(err)
		}
		again, err := factory(ctx, cluster)
		if err != nil || again != first {
			t.Fatalf("second factory() = %v, %v, want the cached client", again, err)
		}

		secret.Data = kubeconfigSecret(t, "token-two").Data
		if err := reader.Update(ctx, secret); err != nil {
			t.Fatal(err)
		}
		changed, err := factory(ctx, cluster)
		if err != nil {
			t.Fatal(err)
		}
		if changed == first {
			t.Error("factory() returned the old client after the Secret changed")
		}
	})
}

func TestNewRejectsGarbageWithoutQuotingIt(t *testing.T) {
	_, err := New([]byte("not: [a kubeconfig secret-xyz"), testScheme(t))
	if err == nil {
		t.Fatal("New() error = nil, want an error")
	}
	if strings.Contains(err.Error(), "secret-xyz") {
		t.Errorf("error %q quotes the kubeconfig", err)
	}
}
