package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/client-go/kubernetes"

	"github.com/lightcluster/lightcluster/node-binary/config"
)

// ClusterAnnotation is the Node annotation under which an agent that runs inside a
// server records the cluster's network settings, as JSON, for standalone agents.
const ClusterAnnotation = "lightnode.lightcluster.dev/cluster"

// Cluster holds the network settings every node of a cluster must agree on.
type Cluster struct {
	// ClusterCIDR is the IPv4 pod network.
	ClusterCIDR netip.Prefix `json:"clusterCIDR"`
	// ClusterDNS lists the cluster DNS service addresses.
	ClusterDNS []netip.Addr `json:"clusterDNS"`
	// ClusterDomain is the cluster's DNS domain.
	ClusterDomain string `json:"clusterDomain"`
	// FlannelBackend is one of config.FlannelBackends.
	FlannelBackend string `json:"flannelBackend"`
}

// ClusterFromServer returns the network settings of a server's configuration.
func ClusterFromServer(s *config.Server) Cluster {
	c := Cluster{
		ClusterDNS:     s.ClusterDNSIPs,
		ClusterDomain:  s.ClusterDomain,
		FlannelBackend: s.FlannelBackend,
	}
	for _, p := range s.ClusterCIDRs {
		if p.Addr().Is4() {
			c.ClusterCIDR = p
			break
		}
	}
	return c
}

// defaultCluster returns the settings of a server left at its defaults, with the
// cluster DNS address derived from the kubernetes Service address (the first of the
// service network; the DNS service takes the tenth).
func defaultCluster(kubernetesServiceIP netip.Addr) Cluster {
	c := Cluster{
		ClusterCIDR:    netip.MustParsePrefix(config.DefaultClusterCIDR),
		ClusterDomain:  config.DefaultClusterDomain,
		FlannelBackend: config.DefaultFlannelBackend,
	}
	if kubernetesServiceIP.Is4() {
		dns := kubernetesServiceIP.As4()
		dns[3] += 9
		c.ClusterDNS = []netip.Addr{netip.AddrFrom4(dns)}
	}
	return c
}

// discoverCluster reads the settings a server's agent recorded on its Node; without
// one it falls back to defaultCluster.
func discoverCluster(ctx context.Context, cs kubernetes.Interface) (Cluster, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return Cluster{}, false, fmt.Errorf("read cluster settings: %w", err)
	}
	for _, n := range nodes.Items {
		var c Cluster
		if v, ok := n.Annotations[ClusterAnnotation]; ok && json.Unmarshal([]byte(v), &c) == nil {
			return c, true, nil
		}
	}
	svc, err := cs.CoreV1().Services(metav1.NamespaceDefault).Get(ctx, "kubernetes",
		metav1.GetOptions{})
	if err != nil {
		return Cluster{}, false, fmt.Errorf("read cluster settings: %w", err)
	}
	ip, _ := netip.ParseAddr(svc.Spec.ClusterIP)
	return defaultCluster(ip), false, nil
}

// clusterRetry is how often an agent asks again for the cluster settings while its
// server is still starting, and clusterWaitLog how often it says it is waiting.
const (
	clusterRetry   = 2 * time.Second
	clusterWaitLog = 30 * time.Second
)

// waitForCluster calls discoverCluster every interval for as long as the server is
// starting (unreachable, or the kubernetes Service not made yet), as when an agent
// starts beside its server, and returns its settings, or at once any other error, such
// as credentials the server rejects.
func waitForCluster(ctx context.Context, cs kubernetes.Interface, log *slog.Logger,
	interval time.Duration) (Cluster, bool, error) {
	var logged time.Time
	for {
		c, recorded, err := discoverCluster(ctx, cs)
		if err == nil || !serverStarting(err) {
			return c, recorded, err
		}
		if time.Since(logged) >= clusterWaitLog {
			log.Info("Waiting for the server to finish starting", "reason", err)
			logged = time.Now()
		}
		select {
		case <-ctx.Done():
			return Cluster{}, false, fmt.Errorf("read cluster settings: %w", ctx.Err())
		case <-time.After(interval):
		}
	}
}

// serverStarting reports whether err is what a client sees of a server that has not
// finished starting.
func serverStarting(err error) bool {
	return apierrors.IsNotFound(err) || apierrors.IsServiceUnavailable(err) ||
		apierrors.IsInternalError(err) || apierrors.IsTimeout(err) ||
		apierrors.IsServerTimeout(err) || apierrors.IsTooManyRequests(err) ||
		utilnet.IsConnectionRefused(err) || utilnet.IsConnectionReset(err) ||
		utilnet.IsProbableEOF(err) || errors.Is(err, context.DeadlineExceeded)
}

// publishCluster records c on the node's Node object once the kubelet registered it.
func publishCluster(ctx context.Context, cs kubernetes.Interface, node string, c Cluster) error {
	value, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("publish cluster settings: %w", err)
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"annotations": map[string]string{ClusterAnnotation: string(value)}}})
	if err != nil {
		return fmt.Errorf("publish cluster settings: %w", err)
	}
	for {
		_, err := cs.CoreV1().Nodes().Patch(ctx, node, types.StrategicMergePatchType, patch,
			metav1.PatchOptions{})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(2 * time.Second):
		}
	}
}

// nodeTaints converts configured taints.
func nodeTaints(taints []config.Taint) []corev1.Taint {
	out := make([]corev1.Taint, 0, len(taints))
	for _, t := range taints {
		out = append(out, corev1.Taint{Key: t.Key, Value: t.Value,
			Effect: corev1.TaintEffect(t.Effect)})
	}
	return out
}
