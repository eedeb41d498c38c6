package server

import (
	"context"
	"fmt"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/lightcluster/lightcluster/node-binary/manifests"
)

// manifestsDir holds the manifests the server keeps applied, its defaults among them.
func (l layout) manifestsDir() string { return filepath.Join(l.root, "manifests") }

// startManifests writes the default manifests, then keeps the manifests directory
// applied in the background until ctx is done. Only a failure to write the defaults
// is reported on failed; problems with single manifests are logged and retried.
func (r *runner) startManifests(ctx context.Context, failed chan<- error) {
	r.log.Info("Starting manifests", "dir", r.dirs.manifestsDir())
	go func() {
		err := r.runManifests(ctx)
		if ctx.Err() == nil {
			failed <- &componentError{component: "manifests", err: err}
		}
	}()
}

// runManifests writes the defaults and runs the applier.
func (r *runner) runManifests(ctx context.Context) error {
	defaults, err := manifests.Defaults(manifests.Settings{
		ClusterDNS:    r.cfg.ClusterDNSIPs,
		ClusterDomain: r.cfg.ClusterDomain,
		DNSUpstreams:  r.cfg.DNSUpstream,
	})
	if err != nil {
		return err
	}
	dir := r.dirs.manifestsDir()
	if err := manifests.WriteDefaults(dir, defaults, r.cfg.Disable, r.log); err != nil {
		return err
	}

	cfg, err := clientcmd.BuildConfigFromFlags("", r.dirs.Cred(adminKubeconfig))
	if err != nil {
		return fmt.Errorf("admin kubeconfig: %w", err)
	}
	cluster, err := manifests.NewCluster(cfg)
	if err != nil {
		return err
	}
	return manifests.NewApplier(dir, r.cfg.NodeName, cluster, r.log).Run(ctx)
}
