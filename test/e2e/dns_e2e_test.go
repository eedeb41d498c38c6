//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Cluster DNS as lightnode server deploys it by default.
const (
	clusterDomain = "cluster.local"
	clusterDNSIP  = "10.43.0.10"
	dnsTimeout    = 4 * time.Minute
)

// testClusterDNS waits for the packaged CoreDNS, then checks from a pod on each node
// that the pod's resolver points at the cluster DNS, that the API server's Service and
// the echo Service resolve to their cluster IPs by full and by short name, and that a
// name outside the cluster does not resolve: by default nothing is forwarded.
func (c *agentCluster) testClusterDNS(ctx context.Context, t *testing.T) {
	c.waitFor(ctx, dnsTimeout, "CoreDNS available", func() (bool, string) {
		out, err := c.kubectl(ctx, "-n", "kube-system", "get", "deployment", "coredns", "-o",
			"jsonpath={.status.availableReplicas}")
		return err == nil && strings.TrimSpace(out) == "1", out + errString(err)
	})
	dnsIP := c.serviceIP(ctx, "kube-system", "kube-dns")
	if dnsIP != clusterDNSIP {
		t.Errorf("Service kube-dns has %s, want the cluster DNS address %s", dnsIP, clusterDNSIP)
	}
	apiIP := c.serviceIP(ctx, "default", "kubernetes")
	echoIP := c.serviceIP(ctx, "default", "echo")

	for _, pod := range []string{"echo-server", "echo-agent"} {
		conf, err := c.kubectl(ctx, "exec", pod, "--", "/dnslookup", "-resolv-conf")
		if err != nil || !strings.Contains(conf, "nameserver "+clusterDNSIP) ||
			!strings.Contains(conf, "svc."+clusterDomain) {
			t.Errorf("%s: resolv.conf does not point at the cluster DNS: %v\n%s", pod, err, conf)
		}
		want := map[string]string{
			"kubernetes.default.svc." + clusterDomain: apiIP,
			"echo.default.svc." + clusterDomain:       echoIP,
			"echo":                                    echoIP,
		}
		for name, ip := range want {
			got := c.waitLookup(ctx, pod, name)
			if got != ip {
				t.Errorf("%s resolves %s to %q, want %s", pod, name, got, ip)
			}
			t.Logf("%s resolves %s to %s", pod, name, got)
		}
		out, err := c.kubectl(ctx, "exec", pod, "--", "/dnslookup", "example.com")
		if err == nil {
			t.Errorf("%s resolved example.com, which nothing should forward: %s", pod, out)
		}
	}
}

// serviceIP returns the cluster IP of a Service.
func (c *agentCluster) serviceIP(ctx context.Context, namespace, name string) string {
	c.t.Helper()
	out, err := c.kubectl(ctx, "-n", namespace, "get", "service", name, "-o",
		"jsonpath={.spec.clusterIP}")
	if err != nil || strings.TrimSpace(out) == "" {
		c.t.Fatalf("address of Service %s/%s: %v %s", namespace, name, err, out)
	}
	return strings.TrimSpace(out)
}

// waitLookup resolves name inside pod until it resolves, and returns its addresses.
func (c *agentCluster) waitLookup(ctx context.Context, pod, name string) string {
	c.t.Helper()
	var addrs string
	c.waitFor(ctx, requestTimeout, pod+" resolves "+name, func() (bool, string) {
		out, err := c.kubectl(ctx, "exec", pod, "--", "/dnslookup", name)
		got, found := strings.CutPrefix(strings.TrimSpace(out), name+" ")
		addrs = got
		return err == nil && found, out + errString(err)
	})
	return addrs
}
