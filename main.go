// Command lightcluster-operator runs the LightCluster and LightNode controllers,
// which turn machines reachable over SSH into lightnode clusters.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/client-go/discovery"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/controllers"
	"github.com/lightcluster/lightcluster/internal/catalog"
	"github.com/lightcluster/lightcluster/internal/clusterclient"
	_ "github.com/lightcluster/lightcluster/internal/metrics" // registers the metrics
)

// leaderElectionID names the Lease that operator replicas compete for.
const leaderElectionID = "lightcluster-operator.lightcluster.dev"

// options are the operator's command-line flags.
type options struct {
	// Binaries.
	nodeBinaries string

	// Provisioning.
	maxConcurrentProvisions int
	recheckInterval         time.Duration
	uninstallTimeout        time.Duration
	drainTimeout            time.Duration

	// Manager.
	metricsAddr             string
	probeAddr               string
	leaderElect             bool
	leaderElectionNamespace string
}

// bindFlags defines the flags on fs, grouped by area.
func bindFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.nodeBinaries, "node-binaries", "/opt/lightnode",
		"Catalog of lightnode binaries, laid out as DIR/<version>/lightnode-linux-<arch>")

	fs.IntVar(&o.maxConcurrentProvisions, "max-concurrent-provisions",
		controllers.DefaultMaxConcurrentProvisions, "Machines driven over SSH at the same time")
	fs.DurationVar(&o.recheckInterval, "recheck-interval", controllers.DefaultRecheckInterval,
		"How often Ready machines are checked for drift")
	fs.DurationVar(&o.uninstallTimeout, "uninstall-timeout", controllers.DefaultUninstallTimeout,
		"How long a deleted LightNode's machine may stay unreachable before uninstalling is given up")
	fs.DurationVar(&o.drainTimeout, "drain-timeout", controllers.DefaultDrainTimeout,
		"How long draining a deleted LightNode's Node may take")

	fs.StringVar(&o.metricsAddr, "metrics-bind-address", ":8080",
		"Address of the metrics endpoint; 0 turns it off")
	fs.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081",
		"Address of the /healthz and /readyz endpoints")
	fs.BoolVar(&o.leaderElect, "leader-elect", false,
		"Elect a leader so that only one replica reconciles")
	fs.StringVar(&o.leaderElectionNamespace, "leader-election-namespace", "",
		"Namespace of the leader election Lease (default: the operator's own, in a cluster)")
}

func main() {
	var o options
	bindFlags(flag.CommandLine, &o)
	zapOpts := zap.Options{}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))

	if err := run(ctrl.SetupSignalHandler(), o); err != nil {
		ctrl.Log.Error(err, "Operator stopped")
		os.Exit(1)
	}
}

// run checks the CRDs, sets up the manager and both controllers, and runs until
// ctx ends.
func run(ctx context.Context, o options) error {
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("load kubeconfig: %w", err)
	}
	if err := checkCRDs(cfg); err != nil {
		return err
	}

	scheme, err := newScheme()
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(cfg, managerOptions(o, scheme))
	if err != nil {
		return fmt.Errorf("create manager: %w", err)
	}
	if err := setupControllers(ctx, mgr, o); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("add health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return fmt.Errorf("add readiness check: %w", err)
	}

	ctrl.Log.Info("Starting operator", "nodeBinaries", o.nodeBinaries,
		"maxConcurrentProvisions", o.maxConcurrentProvisions)
	return mgr.Start(ctx)
}

// newScheme returns the scheme with the Kubernetes and lightcluster types.
func newScheme() (*runtime.Scheme, error) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme,
		lcv1.AddToScheme} {
		if err := add(scheme); err != nil {
			return nil, fmt.Errorf("build scheme: %w", err)
		}
	}
	return scheme, nil
}

// managerOptions caches only the Secrets that belong to clusters; the SSH
// Secrets are read directly when needed.
func managerOptions(o options, scheme *runtime.Scheme) ctrl.Options {
	owned, _ := labels.NewRequirement(lcv1.ClusterNameLabel, selection.Exists, nil)
	return ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 metricsserver.Options{BindAddress: o.metricsAddr},
		HealthProbeBindAddress:  o.probeAddr,
		LeaderElection:          o.leaderElect,
		LeaderElectionID:        leaderElectionID,
		LeaderElectionNamespace: o.leaderElectionNamespace,
		Cache: cache.Options{ByObject: map[client.Object]cache.ByObject{
			&corev1.Secret{}: {Label: labels.NewSelector().Add(*owned)},
		}},
	}
}

// setupControllers registers the indexes and both controllers.
func setupControllers(ctx context.Context, mgr ctrl.Manager, o options) error {
	if err := controllers.SetupIndexes(ctx, mgr); err != nil {
		return err
	}
	cluster := &controllers.LightClusterReconciler{
		Client:   mgr.GetClient(),
		Recorder: mgr.GetEventRecorder("lightcluster-controller"),
	}
	if err := cluster.SetupWithManager(mgr); err != nil {
		return err
	}
	node := &controllers.LightNodeReconciler{
		Client:                  mgr.GetClient(),
		APIReader:               mgr.GetAPIReader(),
		Recorder:                mgr.GetEventRecorder("lightnode-controller"),
		Catalog:                 catalog.New(o.nodeBinaries),
		Workload:                clusterclient.FromSecrets(mgr.GetClient(), mgr.GetScheme()),
		MaxConcurrentProvisions: o.maxConcurrentProvisions,
		Intervals: controllers.Intervals{Recheck: o.recheckInterval,
			UninstallTimeout: o.uninstallTimeout, DrainTimeout: o.drainTimeout},
	}
	return node.SetupWithManager(mgr)
}

// checkCRDs fails, naming what is missing, when the API server does not serve
// the lightcluster.dev resources.
func checkCRDs(cfg *rest.Config) error {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return fmt.Errorf("create discovery client: %w", err)
	}
	gv := lcv1.GroupVersion.String()
	list, err := dc.ServerResourcesForGroupVersion(gv)
	if err != nil {
		return fmt.Errorf("CRDs of %s are not installed (kubectl apply -k config/crd): %w",
			gv, err)
	}
	served := map[string]bool{}
	for _, r := range list.APIResources {
		served[r.Name] = true
	}
	for _, name := range []string{"lightclusters", "lightnodes"} {
		if !served[name] {
			return fmt.Errorf("CRD %s.%s is not installed (kubectl apply -k config/crd)",
				name, lcv1.GroupVersion.Group)
		}
	}
	return nil
}
