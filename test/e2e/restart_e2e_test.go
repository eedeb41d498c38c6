//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// serverDowntime is how long the server stays stopped: longer than the kubelet's
// node status interval (10 s), so that the agent's components see the API fail.
const serverDowntime = 20 * time.Second

// afterRestartManifest is a Service made once the server is back: port 80 of
// after-restart goes to echo-server, the pod on the server's node.
const afterRestartManifest = `apiVersion: v1
kind: Service
metadata: {name: after-restart}
spec:
  selector: {app: echo-server}
  ports: [{port: 80, targetPort: 8080}]
`

// testServerRestart stops the server for a while and starts it again, then checks
// that the agent carries on with what changed meanwhile: its Node is Ready, its pod
// kept running, its kubelet runs a pod created after the restart, and its kube-proxy
// serves a Service made after the restart, across nodes through flannel.
func (c *agentCluster) testServerRestart(ctx context.Context, t *testing.T) {
	before := c.containerID(ctx, "echo-agent")
	agentRun := c.invocation(ctx, t)

	c.mustExec(ctx, c.server, "systemctl", "stop", "lightnode-server")
	time.Sleep(serverDowntime)
	c.mustExec(ctx, c.server, "systemctl", "start", "lightnode-server")
	c.waitFor(ctx, nodeReadyTimeout, "API server back", func() (bool, string) {
		out, err := c.kubectl(ctx, "get", "--raw", "/readyz")
		return err == nil && strings.TrimSpace(out) == "ok", out + errString(err)
	})
	c.waitNodeReady(ctx, c.server.Name)
	c.waitNodeReady(ctx, c.agent.Name)

	if after := c.containerID(ctx, "echo-agent"); after != before {
		t.Errorf("container of echo-agent changed while the server restarted: %s, then %s",
			before, after)
	}
	c.applyPod(ctx, "echo-late", c.agent.Name)
	c.waitPodIP(ctx, "echo-late")

	c.applyManifest(ctx, afterRestartManifest)
	svcIP, err := c.kubectl(ctx, "get", "service", "after-restart", "-o",
		"jsonpath={.spec.clusterIP}")
	if err != nil {
		t.Fatalf("service address: %v", err)
	}
	if got := c.waitHTTP(ctx, "echo-late", "http://"+strings.TrimSpace(svcIP)+"/"); got != "echo-server" {
		t.Errorf("from the agent's node, Service after-restart answered %q, want echo-server", got)
	}
	t.Logf("agent service run %s before the server restart, %s after",
		agentRun, c.invocation(ctx, t))
}

// invocation returns the ID of the agent service's current run.
func (c *agentCluster) invocation(ctx context.Context, t *testing.T) string {
	t.Helper()
	out := c.mustExec(ctx, c.agent, "systemctl", "show", "-p", "InvocationID", "--value",
		"lightnode-agent")
	return strings.TrimSpace(out)
}
