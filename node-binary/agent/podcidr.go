package agent

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// podCIDRPoll is how often the agent looks for its Node's pod CIDR.
const podCIDRPoll = time.Second

// waitPodCIDR waits until the kubelet registered the Node and the controller manager
// gave it a pod CIDR, which flannel needs to acquire its lease.
func (r *runner) waitPodCIDR(ctx context.Context, cs kubernetes.Interface) error {
	var lastLog time.Time
	for {
		node, err := cs.CoreV1().Nodes().Get(ctx, r.nodeName, metav1.GetOptions{})
		if err == nil && node.Spec.PodCIDR != "" {
			return nil
		}
		if time.Since(lastLog) >= waitLogEvery {
			r.log.Info("Waiting for the Node's pod CIDR", "node", r.nodeName)
			lastLog = time.Now()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(podCIDRPoll):
		}
	}
}
