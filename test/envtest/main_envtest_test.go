//go:build envtest

package envtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

// env is the API server shared by the tests of this package.
var env struct {
	client     client.Client
	kubeconfig string
	kubectl    string
}

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "envtest:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// run starts the API server, installs the CRDs with kubectl and runs the tests.
func run(m *testing.M) (int, error) {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		return 0, fmt.Errorf("KUBEBUILDER_ASSETS is not set; run make test-envtest")
	}
	env.kubectl = filepath.Join(assets, "kubectl")

	testEnv := &envtest.Environment{}
	// Stop also when Start fails part-way, so that no etcd or kube-apiserver outlives
	// the test.
	cfg, err := testEnv.Start()
	defer func() { _ = testEnv.Stop() }()
	if err != nil {
		return 0, fmt.Errorf("start API server: %w", err)
	}

	admin, err := testEnv.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return 0, fmt.Errorf("add admin user: %w", err)
	}
	kubeconfig, err := admin.KubeConfig()
	if err != nil {
		return 0, fmt.Errorf("render kubeconfig: %w", err)
	}
	dir, err := os.MkdirTemp("", "lightcluster-envtest-")
	if err != nil {
		return 0, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	env.kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(env.kubeconfig, kubeconfig, 0o600); err != nil {
		return 0, err
	}

	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme, lcv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			return 0, err
		}
	}
	if env.client, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return 0, fmt.Errorf("make client: %w", err)
	}

	if err := installCRDs(); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

// installCRDs applies config/crd with kubectl, the way a user installs them, and
// waits until the API server serves both kinds.
func installCRDs() error {
	if out, err := kubectl("apply", "-k", repoPath("config/crd")); err != nil {
		return fmt.Errorf("kubectl apply -k config/crd: %w\n%s", err, out)
	}
	out, err := kubectl("wait", "--for=condition=Established", "--timeout=60s",
		"crd/lightclusters.lightcluster.dev", "crd/lightnodes.lightcluster.dev")
	if err != nil {
		return fmt.Errorf("wait for CRDs: %w\n%s", err, out)
	}
	return nil
}

// kubectl runs the kubectl built from the pinned modules against the test API server.
func kubectl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args = append([]string{"--kubeconfig", env.kubeconfig}, args...)
	cmd := exec.CommandContext(ctx, env.kubectl, args...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// repoPath returns a path relative to the repository root.
func repoPath(rel string) string {
	return filepath.Join("..", "..", rel)
}
