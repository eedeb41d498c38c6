package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
	"k8s.io/kubernetes/cmd/kube-apiserver/app/options"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/node-binary/certs"
)

// disabledAPIs are API groups a small cluster does without; leaving them out keeps
// their storage, watch caches and controllers out of memory.
var disabledAPIs = []string{
	"storagemigration.k8s.io/v1beta1=false",
}

// apiserverArgs are the kube-apiserver flags of this server.
func (r *runner) apiserverArgs() args {
	tls := r.dirs.TLS
	domain := strings.TrimSuffix(r.cfg.ClusterDomain, ".")
	a := args{
		"advertise-address":                  r.advertiseIP().String(),
		"bind-address":                       r.cfg.BindIP.String(),
		"secure-port":                        strconv.Itoa(r.cfg.HTTPSListenPort),
		"cert-dir":                           tls("temporary-certs"),
		"tls-cert-file":                      tls(certs.APIServerCertFile),
		"tls-private-key-file":               tls(certs.APIServerKeyFile),
		"client-ca-file":                     tls(pki.ClientCACertFile),
		"service-account-key-file":           tls(pki.ServiceAccountPublicKeyFile),
		"service-account-signing-key-file":   tls(pki.ServiceAccountKeyFile),
		"service-account-issuer":             "https://kubernetes.default.svc." + domain,
		"api-audiences":                      "https://kubernetes.default.svc." + domain,
		"service-cluster-ip-range":           joinList(prefixes(r.cfg.ServiceCIDRs)),
		"authorization-mode":                 "Node,RBAC",
		"enable-admission-plugins":           "NodeRestriction",
		"allow-privileged":                   "true",
		"anonymous-auth":                     "true",
		"profiling":                          "false",
		"kubelet-client-certificate":         tls(certs.KubeletClientCertFile),
		"kubelet-client-key":                 tls(certs.KubeletClientKeyFile),
		"kubelet-certificate-authority":      tls(pki.ServerCACertFile),
		"kubelet-preferred-address-types":    "InternalIP,ExternalIP,Hostname",
		"proxy-client-cert-file":             tls(certs.ProxyClientCertFile),
		"proxy-client-key-file":              tls(certs.ProxyClientKeyFile),
		"requestheader-client-ca-file":       tls(pki.RequestHeaderCACertFile),
		"requestheader-allowed-names":        certs.ProxyClientUser,
		"requestheader-extra-headers-prefix": "X-Remote-Extra-",
		"requestheader-group-headers":        "X-Remote-Group",
		"requestheader-username-headers":     "X-Remote-User",
		"storage-backend":                    "etcd3",
		"etcd-servers":                       joinList(r.store.Backend.Endpoints),
		"enable-priority-and-fairness":       "false",
		"runtime-config":                     joinList(disabledAPIs),
	}
	if r.advertiseIP().IsLoopback() {
		// The kubernetes Service cannot point at loopback; nothing reconciles it then.
		a["endpoint-reconciler-type"] = "none"
	}
	b := r.store.Backend
	if b.CAFile != "" {
		a["etcd-cafile"] = b.CAFile
	}
	if b.CertFile != "" {
		a["etcd-certfile"], a["etcd-keyfile"] = b.CertFile, b.KeyFile
	}
	return a
}

// apiServer is a prepared kube-apiserver, ready to run.
type apiServer struct {
	run func(ctx context.Context) error
}

// newAPIServer builds the kube-apiserver from its flags, with joinHandler (when not
// nil) serving the join paths in front of its own handler chain.
func (r *runner) newAPIServer(ctx context.Context, wrap func(http.Handler) http.Handler) (
	*apiServer, error) {
	s := options.NewServerRunOptions()
	flags := r.apiserverArgs().with(r.cfg.KubeAPIServerArg)
	if err := parseInto("kube-apiserver", s.Flags(), flags); err != nil {
		return nil, err
	}
	if err := s.GenericServerRunOptions.ComponentGlobalsRegistry.Set(); err != nil {
		return nil, fmt.Errorf("feature gates: %w", err)
	}
	rest.SetDefaultWarningHandler(rest.NoWarnings{})

	completed, err := s.Complete(ctx)
	if err != nil {
		return nil, fmt.Errorf("options: %w", err)
	}
	if errs := completed.Validate(); len(errs) != 0 {
		return nil, fmt.Errorf("options: %w", utilerrors.NewAggregate(errs))
	}
	informerName, err := cache.NewInformerName("kube-apiserver")
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	completed.InformerName = informerName
	return prepareAPIServer(completed, wrap)
}

func prepareAPIServer(opts options.CompletedOptions, wrap func(http.Handler) http.Handler) (
	*apiServer, error) {
	cfg, err := app.NewConfig(opts)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if wrap != nil {
		generic := &cfg.Aggregator.GenericConfig.Config
		build := generic.BuildHandlerChainFunc
		generic.BuildHandlerChainFunc = func(h http.Handler, c *genericapiserver.Config) http.Handler {
			return wrap(build(h, c))
		}
	}
	completed, err := cfg.Complete()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	chain, err := app.CreateServerChain(completed)
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	prepared, err := chain.PrepareRun()
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	return &apiServer{run: prepared.Run}, nil
}
