package server

import (
	"context"
	"fmt"

	"k8s.io/client-go/rest"
	kcm "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	kcmoptions "k8s.io/kubernetes/cmd/kube-controller-manager/app/options"

	"github.com/lightcluster/lightcluster/internal/pki"
)

// controllerManagerArgs are the kube-controller-manager flags of this server.
func (r *runner) controllerManagerArgs() args {
	tls := r.dirs.TLS
	kubeconfig := r.dirs.Cred(controllerKubeconfig)
	a := args{
		"kubeconfig":                       kubeconfig,
		"authentication-kubeconfig":        kubeconfig,
		"authorization-kubeconfig":         kubeconfig,
		"secure-port":                      "0",
		"profiling":                        "false",
		"use-service-account-credentials":  "true",
		"service-account-private-key-file": tls(pki.ServiceAccountKeyFile),
		"root-ca-file":                     tls(pki.ServerCACertFile),
		"cluster-signing-kube-apiserver-client-cert-file": tls(pki.ClientCACertFile),
		"cluster-signing-kube-apiserver-client-key-file":  tls(pki.ClientCAKeyFile),
		"cluster-signing-kubelet-client-cert-file":        tls(pki.ClientCACertFile),
		"cluster-signing-kubelet-client-key-file":         tls(pki.ClientCAKeyFile),
		"cluster-signing-kubelet-serving-cert-file":       tls(pki.ServerCACertFile),
		"cluster-signing-kubelet-serving-key-file":        tls(pki.ServerCAKeyFile),
		"cluster-signing-legacy-unknown-cert-file":        tls(pki.ServerCACertFile),
		"cluster-signing-legacy-unknown-key-file":         tls(pki.ServerCAKeyFile),
		"allocate-node-cidrs":                             "true",
		"cluster-cidr":                                    joinList(prefixes(r.cfg.ClusterCIDRs)),
		"service-cluster-ip-range":                        joinList(prefixes(r.cfg.ServiceCIDRs)),
		"controllers":                                     "*,tokencleaner",
	}
	for k, v := range r.leaderElectionArgs() {
		a[k] = v
	}
	return a
}

// leaderElectionArgs turn leader election off for a single-server datastore and
// give it generous deadlines otherwise, so that a clean stop of this server does not
// look like a lost lease.
func (r *runner) leaderElectionArgs() args {
	if !r.multiServer() {
		return args{"leader-elect": "false"}
	}
	return args{
		"leader-elect":                "true",
		"leader-elect-lease-duration": "30s",
		"leader-elect-renew-deadline": "20s",
	}
}

// runControllerManager runs kube-controller-manager until ctx is done.
func (r *runner) runControllerManager(ctx context.Context) error {
	s, err := kcmoptions.NewKubeControllerManagerOptions()
	if err != nil {
		return fmt.Errorf("options: %w", err)
	}
	known, disabled, aliases := kcm.KnownControllers(), kcm.ControllersDisabledByDefault(),
		kcm.ControllerAliases()
	fss := s.Flags(known, disabled, aliases)
	s.ParsedFlags = &fss
	flags := r.controllerManagerArgs().with(r.cfg.KubeControllerManagerArg)
	if err := parseInto("kube-controller-manager", fss, flags); err != nil {
		return err
	}
	rest.SetDefaultWarningHandler(rest.NoWarnings{})
	if err := s.ComponentGlobalsRegistry.Set(); err != nil {
		return fmt.Errorf("feature gates: %w", err)
	}
	c, err := s.Config(ctx, known, disabled, aliases)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return kcm.Run(ctx, c.Complete())
}
