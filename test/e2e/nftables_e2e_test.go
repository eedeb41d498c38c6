//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
)

// The drop-in that switches the agent's kube-proxy, and with it flannel, to nftables,
// as a user would.
const (
	nftablesDropIn     = "/etc/lightnode/config.yaml.d/50-proxy-mode.yaml"
	nftablesDropInText = "kube-proxy-arg+: [proxy-mode=nftables]\n"
)

// toServerManifest sends port 80 of Service to-server to echo-server, the pod on the
// server's node, so that the agent's kube-proxy translates the address and flannel
// carries the packets.
const toServerManifest = `apiVersion: v1
kind: Service
metadata: {name: to-server}
spec:
  selector: {app: echo-server}
  ports: [{port: 80, targetPort: 8080}]
`

// restartedProxyMode prints the packet filter the current run of the agent service
// chose.
const restartedProxyMode = `id=$(systemctl show -p InvocationID --value lightnode-agent)
journalctl --no-pager _SYSTEMD_INVOCATION_ID="$id" | grep "Chose the packet filter" || true`

// hideIPTables moves the iptables programs out of PATH, so that the host looks like
// one without the iptables package; the kernel's rules stay.
const hideIPTables = `mkdir -p /root/hidden-iptables &&
mv /usr/sbin/iptables* /usr/sbin/ip6tables* /root/hidden-iptables/ &&
! command -v iptables`

// The nftables tables kube-proxy and flannel make in nftables mode.
var nftablesTables = []string{"table ip kube-proxy", "table ip flannel-ipv4"}

// testNFTablesMode restarts the agent with proxy-mode=nftables and checks that
// kube-proxy and flannel made their nftables tables, that kube-proxy's iptables rules
// are gone, and that a ClusterIP Service answers a pod on the agent's node through a
// pod on the server's. Then it takes the iptables programs away and restarts the
// agent with the default mode, auto, which must fall back to nftables and still serve
// the Service. Last, it uninstalls lightnode from the agent's host and checks that
// the tables went with it, which leaves that host without lightnode.
func (c *agentCluster) testNFTablesMode(ctx context.Context, t *testing.T) {
	c.writeFile(ctx, c.agent, nftablesDropIn, nftablesDropInText)
	c.restartAgentIn(ctx, t, "reason=requested")
	c.checkNFTablesTables(ctx, t)

	// kube-proxy removes its iptables rules when it starts in nftables mode, so the
	// Service can only answer through nftables.
	if nat := c.mustExec(ctx, c.agent, "iptables-save", "-t", "nat"); strings.Contains(nat,
		"KUBE-SERVICES") {
		t.Errorf("kube-proxy's iptables rules are still on %s:\n%s", c.agent.Name, nat)
	}
	c.applyManifest(ctx, toServerManifest)
	svcURL := "http://" + c.serviceIP(ctx, "default", "to-server") + "/"
	if got := c.waitHTTP(ctx, "echo-agent", svcURL); got != "echo-server" {
		t.Errorf("Service to-server answered echo-agent with %q, want echo-server", got)
	}

	c.mustExec(ctx, c.agent, "sh", "-c", hideIPTables)
	c.mustExec(ctx, c.agent, "rm", nftablesDropIn)
	c.restartAgentIn(ctx, t, "requested=auto reason=\"iptables does not work")
	c.checkNFTablesTables(ctx, t)
	if got := c.waitHTTP(ctx, "echo-agent", svcURL); got != "echo-server" {
		t.Errorf("without iptables, Service to-server answered echo-agent with %q", got)
	}

	c.mustExec(ctx, c.agent, "/usr/local/bin/lightnode", "uninstall")
	tables := c.mustExec(ctx, c.agent, "nft", "list", "tables")
	for _, gone := range []string{"kube-proxy", "flannel"} {
		if strings.Contains(tables, gone) {
			t.Errorf("after uninstall, nft list tables on %s still shows %q:\n%s",
				c.agent.Name, gone, tables)
		}
	}
}

// restartAgentIn restarts the agent service, waits until its pod network is up and
// its Node Ready, and checks that it chose nftables, logging why.
func (c *agentCluster) restartAgentIn(ctx context.Context, t *testing.T, why string) {
	t.Helper()
	c.mustExec(ctx, c.agent, "systemctl", "restart", "lightnode-agent")
	c.waitFor(ctx, nodeReadyTimeout, "restarted agent's pod network", func() (bool, string) {
		out, err := c.set.Exec(ctx, c.agent, "sh", "-c", restartedNetworkReady)
		return err == nil && strings.Contains(out, "Pod network ready"), out + errString(err)
	})
	c.waitNodeReady(ctx, c.agent.Name)
	chosen := c.mustExec(ctx, c.agent, "sh", "-c", restartedProxyMode)
	if !strings.Contains(chosen, "mode=nftables") || !strings.Contains(chosen, why) {
		t.Errorf("the restarted agent did not choose nftables with %s:\n%s", why, chosen)
	}
	t.Logf("%s", chosen)
}

// checkNFTablesTables checks that the agent's host has the tables of kube-proxy and
// flannel.
func (c *agentCluster) checkNFTablesTables(ctx context.Context, t *testing.T) {
	t.Helper()
	tables := c.mustExec(ctx, c.agent, "nft", "list", "tables")
	for _, want := range nftablesTables {
		if !strings.Contains(tables, want) {
			t.Errorf("nft list tables on %s lacks %q:\n%s", c.agent.Name, want, tables)
		}
	}
}
