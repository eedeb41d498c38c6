//go:build envtest

package controllers

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"go.uber.org/zap/zapcore"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/catalog"
)

// Kubernetes versions the test catalog carries.
const (
	testVersion    = "v1.37.2"
	upgradeVersion = "v1.37.3"
)

// Intervals of the controllers under test, short so that waits end quickly.
var testIntervals = Intervals{
	Recheck:          time.Second,
	Poll:             300 * time.Millisecond,
	UninstallTimeout: 4 * time.Second,
	DrainTimeout:     2 * time.Second,
}

// suite is the API server, the manager and the simulated machines' shared state.
var suite struct {
	client client.Client
	// stateDir holds the init system's simulated service state.
	stateDir string
}

func TestMain(m *testing.M) {
	code, err := runSuite(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "controllers envtest:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// runSuite starts the API server with the CRDs, the simulated init system, and a
// manager running both controllers, then runs the tests.
func runSuite(m *testing.M) (int, error) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return 0, fmt.Errorf("KUBEBUILDER_ASSETS is not set; run make test-envtest")
	}
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(zapcore.Level(zapLevel()))))

	tmp, err := os.MkdirTemp("", "lightcluster-controllers-")
	if err != nil {
		return 0, err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	catalogDir, err := setUpMachines(tmp)
	if err != nil {
		return 0, err
	}

	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	// Stop also when Start fails part-way (a CRD the API server refuses, say): the
	// etcd and kube-apiserver it started would otherwise outlive the test.
	cfg, err := env.Start()
	defer func() { _ = env.Stop() }()
	if err != nil {
		return 0, fmt.Errorf("start API server: %w", err)
	}

	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return 0, err
	}
	if err := lcv1.AddToScheme(scheme); err != nil {
		return 0, err
	}
	if suite.client, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return 0, err
	}

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: scheme,
		Metrics: metricsserver.Options{BindAddress: "0"}})
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := setUpControllers(ctx, mgr, catalogDir); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()

	code := m.Run()
	cancel()
	if err := <-done; err != nil {
		return code, fmt.Errorf("manager: %w", err)
	}
	return code, nil
}

// zapLevel logs controller output only when LIGHTCLUSTER_TEST_LOG is set.
func zapLevel() int8 {
	if os.Getenv("LIGHTCLUSTER_TEST_LOG") != "" {
		return -2
	}
	return 10
}

// setUpControllers registers both controllers the way main does, with the
// envtest API server as every workload cluster.
func setUpControllers(ctx context.Context, mgr ctrl.Manager, catalogDir string) error {
	if err := SetupIndexes(ctx, mgr); err != nil {
		return err
	}
	cluster := &LightClusterReconciler{Client: mgr.GetClient(),
		Recorder: mgr.GetEventRecorder("lightcluster-controller")}
	if err := cluster.SetupWithManager(mgr); err != nil {
		return err
	}
	node := &LightNodeReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Recorder:  mgr.GetEventRecorder("lightnode-controller"),
		Catalog:   catalog.New(catalogDir),
		Workload: func(context.Context, *lcv1.LightCluster) (client.Client, error) {
			return suite.client, nil
		},
		ConfigPath: func(node *lcv1.LightNode) string {
			return filepath.Join(filepath.Dir(node.Spec.InstallDir), "etc", "config.yaml")
		},
		MaxConcurrentProvisions: 4,
		Intervals:               testIntervals,
	}
	return node.SetupWithManager(mgr)
}

// fakeLightnode is the catalog binary: it records its arguments in the machine's
// root (the parent of its install directory), starts the simulated service on
// install and removes what it installed on uninstall.
// Installs are also logged, with the version, in the shared state directory, so
// that tests can see the order across machines.
const fakeLightnode = `#!/bin/sh
version=%s
root=$(cd "$(dirname "$0")/.." && pwd)
echo "$*" >> "$root/calls"
echo "$root $version $*" >> "$STATE_DIR/log"
case "$1" in
install) rm -f "$STATE_DIR/stopped" ;;
uninstall) rm -rf "$root/etc" "$root/data" "$0" ;;
esac
`

// fakeRCService answers service status queries from the shared state directory:
// the service runs unless a test stopped it.
const fakeRCService = `#!/bin/sh
[ ! -e "$STATE_DIR/stopped" ]
`

// setUpMachines writes the catalog and puts a fake OpenRC on PATH, so that the
// in-process SSH servers act like machines with OpenRC. It returns the catalog.
func setUpMachines(tmp string) (string, error) {
	catalogDir := filepath.Join(tmp, "catalog")
	fakeBin := filepath.Join(tmp, "fakebin")
	suite.stateDir = filepath.Join(tmp, "state")
	for _, dir := range []string{fakeBin, suite.stateDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
	}
	for _, version := range []string{testVersion, upgradeVersion} {
		bin := filepath.Join(catalogDir, version, catalog.BinaryPrefix+"amd64")
		if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
			return "", err
		}
		script := fmt.Sprintf(fakeLightnode, version)
		if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
			return "", err
		}
	}
	rc := filepath.Join(fakeBin, "rc-service")
	if err := os.WriteFile(rc, []byte(fakeRCService), 0o755); err != nil {
		return "", err
	}
	if err := os.Setenv("PATH", fakeBin+string(os.PathListSeparator)+os.Getenv("PATH")); err != nil {
		return "", err
	}
	if err := os.Setenv("STATE_DIR", suite.stateDir); err != nil {
		return "", err
	}
	return catalogDir, nil
}
