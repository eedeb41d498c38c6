//go:build envtest

package controllers

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

// TestRollingUpgrade changes the version of a Ready cluster of two servers and an
// agent: the servers must upgrade one at a time in name order, then the agent.
func TestRollingUpgrade(t *testing.T) {
	ns := newNamespace(t)
	machines := map[string]*machine{"server-a": newMachine(t, ""),
		"server-b": newMachine(t, ""), "agent": newMachine(t, "")}
	t.Cleanup(func() { deleteClusterAndWait(t, ns, "roll") })
	create(t, newCluster(ns, "roll", lcv1.DatastoreEtcd))
	for _, name := range []string{"server-a", "server-b", "agent"} {
		role := lcv1.RoleServer
		if name == "agent" {
			role = lcv1.RoleAgent
		}
		create(t, newNode(t, ns, "roll", name, role, machines[name]))
		waitNodeCondition(t, ns, name, lcv1.RunningCondition, metav1.ConditionTrue, "")
		markNodeReady(t, ns+"-"+name, "10.0.2.1")
		waitNodeCondition(t, ns, name, lcv1.ReadyCondition, metav1.ConditionTrue, "")
	}

	c, err := getCluster(t, ns, "roll")
	if err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(c.DeepCopy())
	c.Spec.Version = upgradeVersion
	if err := suite.client.Patch(ctxFor(t), c, patch); err != nil {
		t.Fatal(err)
	}

	eventually(t, "every node upgraded", func() error {
		for name := range machines {
			n, err := getNode(t, ns, name)
			if err != nil {
				return err
			}
			if n.Status.InstalledVersion != upgradeVersion || !nodeIsReady(n) {
				return fmt.Errorf("%s runs %s", name, n.Status.InstalledVersion)
			}
		}
		return nil
	})
	if got := upgradeOrder(t, machines); !slices.Equal(got,
		[]string{"server-a", "server-b", "agent"}) {
		t.Errorf("upgrade order = %v, want server-a, server-b, agent", got)
	}
	waitEvent(t, ns, "agent", EventUpgraded)
	eventually(t, "cluster reports the new version", func() error {
		c, err := getCluster(t, ns, "roll")
		if err != nil {
			return err
		}
		if c.Status.Version != upgradeVersion {
			return fmt.Errorf("cluster version = %q", c.Status.Version)
		}
		return conditionIs(c.Status.Conditions, lcv1.ReadyCondition, metav1.ConditionTrue, "")
	})
}

// upgradeOrder returns the machines in the order they installed upgradeVersion,
// from the log that the fake lightnode keeps in the shared state directory.
func upgradeOrder(t *testing.T, machines map[string]*machine) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(suite.stateDir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	byRoot := map[string]string{}
	for name, m := range machines {
		root, err := filepath.EvalSymlinks(m.root)
		if err != nil {
			t.Fatal(err)
		}
		byRoot[root] = name
	}
	var order []string
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 3 || fields[1] != upgradeVersion || fields[2] != "install" {
			continue
		}
		if name, ok := byRoot[fields[0]]; ok && !slices.Contains(order, name) {
			order = append(order, name)
		}
	}
	return order
}
