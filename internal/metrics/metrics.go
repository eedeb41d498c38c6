package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Result labels of ProvisionDuration.
const (
	// ResultSuccess labels a pass that ended without error.
	ResultSuccess = "success"
	// ResultError labels a pass that failed.
	ResultError = "error"
)

var (
	// ProvisionDuration observes how long one provisioning pass over SSH took, by
	// node role and result.
	ProvisionDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "lightcluster_node_provision_duration_seconds",
		Help:    "Duration of one SSH provisioning pass of a LightNode.",
		Buckets: prometheus.ExponentialBuckets(0.1, 2, 12),
	}, []string{"role", "result"})

	// SSHErrors counts failed SSH steps by reason, such as HostKeyMismatch or
	// Unreachable.
	SSHErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lightcluster_ssh_errors_total",
		Help: "SSH errors while provisioning LightNodes, by reason.",
	}, []string{"reason"})
)

func init() {
	crmetrics.Registry.MustRegister(ProvisionDuration, SSHErrors)
}

// ObserveProvision records one provisioning pass of a node of role that started
// at start and ended with err.
func ObserveProvision(role string, start time.Time, err error) {
	result := ResultSuccess
	if err != nil {
		result = ResultError
	}
	ProvisionDuration.WithLabelValues(role, result).Observe(time.Since(start).Seconds())
}

// CountSSHError counts one SSH error of reason.
func CountSSHError(reason string) {
	SSHErrors.WithLabelValues(reason).Inc()
}
