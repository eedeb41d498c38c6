package clusterclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

// KubeconfigKey is the key of the kubeconfig Secret that holds the kubeconfig.
const KubeconfigKey = "value"

// RequestTimeout bounds each request to a workload cluster, so that an unreachable
// cluster does not stall a reconcile.
const RequestTimeout = 15 * time.Second

// ErrKubeconfigNotFound means the cluster's kubeconfig Secret, or its value, does
// not exist yet. Retrying succeeds once the cluster controller has written it.
var ErrKubeconfigNotFound = errors.New("kubeconfig secret not found")

// Factory returns a client for the workload cluster of cluster.
type Factory func(ctx context.Context, cluster *lcv1.LightCluster) (client.Client, error)

// SecretName returns the name of the kubeconfig Secret of the cluster clusterName.
func SecretName(clusterName string) string {
	return clusterName + "-kubeconfig"
}

// FromSecrets returns a Factory that reads the kubeconfig from the cluster's
// Secret through r and builds clients with scheme. Clients are kept per cluster
// and rebuilt when the Secret changes.
func FromSecrets(r client.Reader, scheme *runtime.Scheme) Factory {
	c := &cache{reader: r, scheme: scheme, clients: map[types.NamespacedName]entry{}}
	return c.forCluster
}

// cache keeps one client per cluster, keyed by the Secret's resource version.
type cache struct {
	reader client.Reader
	scheme *runtime.Scheme

	mu      sync.Mutex
	clients map[types.NamespacedName]entry
}

// entry is a client and the Secret version it was built from.
type entry struct {
	resourceVersion string
	client          client.Client
}

// forCluster returns the cached client of cluster or builds a new one.
func (c *cache) forCluster(ctx context.Context, cluster *lcv1.LightCluster) (
	client.Client, error,
) {
	key := types.NamespacedName{Namespace: cluster.Namespace, Name: SecretName(cluster.Name)}
	var secret corev1.Secret
	if err := c.reader.Get(ctx, key, &secret); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("read Secret %s: %w", key, ErrKubeconfigNotFound)
		}
		return nil, fmt.Errorf("read Secret %s: %w", key, err)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.clients[key]; ok && e.resourceVersion == secret.ResourceVersion {
		return e.client, nil
	}
	cl, err := New(secret.Data[KubeconfigKey], c.scheme)
	if err != nil {
		return nil, fmt.Errorf("client from Secret %s: %w", key, err)
	}
	c.clients[key] = entry{resourceVersion: secret.ResourceVersion, client: cl}
	return cl, nil
}

// New builds a client from kubeconfig YAML. Errors never quote the kubeconfig.
func New(kubeconfig []byte, scheme *runtime.Scheme) (client.Client, error) {
	if len(kubeconfig) == 0 {
		return nil, ErrKubeconfigNotFound
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kubeconfig)
	if err != nil {
		return nil, errors.New("parse kubeconfig: invalid kubeconfig")
	}
	cfg.Timeout = RequestTimeout
	cl, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("build client: %w", err)
	}
	return cl, nil
}
