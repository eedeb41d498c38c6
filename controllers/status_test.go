package controllers

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/provision"
	"github.com/lightcluster/lightcluster/internal/ssh"
)

// testNode returns a LightNode of role, Ready or not, running version.
func testNode(name string, role lcv1.NodeRole, ready bool, version string) lcv1.LightNode {
	n := lcv1.LightNode{ObjectMeta: metav1.ObjectMeta{Name: name}}
	n.Spec.Role = role
	n.Status.InstalledVersion = version
	status := metav1.ConditionFalse
	if ready {
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&n.Status.Conditions, metav1.Condition{Type: lcv1.ReadyCondition,
		Status: status, Reason: "Test"})
	return n
}

func TestSetQuorumCondition(t *testing.T) {
	tests := []struct {
		name    string
		ds      lcv1.DatastoreType
		servers int32
		status  metav1.ConditionStatus
		reason  string
	}{
		{"no servers", lcv1.DatastoreEtcd, 0, metav1.ConditionFalse, lcv1.ReasonQuorumSafe},
		{"one sqlite", lcv1.DatastoreSQLite, 1, metav1.ConditionFalse, lcv1.ReasonQuorumSafe},
		{"two sqlite", lcv1.DatastoreSQLite, 2, metav1.ConditionTrue,
			lcv1.ReasonSQLiteMultipleServers},
		{"two etcd", lcv1.DatastoreEtcd, 2, metav1.ConditionTrue, lcv1.ReasonEvenEtcdMembers},
		{"four etcd", lcv1.DatastoreEtcd, 4, metav1.ConditionTrue, lcv1.ReasonEvenEtcdMembers},
		{"three etcd", lcv1.DatastoreEtcd, 3, metav1.ConditionFalse, lcv1.ReasonQuorumSafe},
		{"two external", lcv1.DatastoreExternal, 2, metav1.ConditionFalse,
			lcv1.ReasonQuorumSafe},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &lcv1.LightCluster{}
			c.Spec.Datastore.Type = tt.ds
			c.Status.Servers.Desired = tt.servers
			setQuorumCondition(c)
			cond := meta.FindStatusCondition(c.Status.Conditions, lcv1.QuorumAtRiskCondition)
			if cond == nil || cond.Status != tt.status || cond.Reason != tt.reason {
				t.Errorf("QuorumAtRisk = %+v, want %s/%s", cond, tt.status, tt.reason)
			}
		})
	}
}

func TestCountNodesAndVersion(t *testing.T) {
	deleting := testNode("gone", lcv1.RoleServer, true, "v1.37.1")
	deleting.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	nodes := []lcv1.LightNode{
		testNode("s1", lcv1.RoleServer, true, "v1.37.3"),
		testNode("s2", lcv1.RoleServer, false, "v1.36.0"),
		testNode("a1", lcv1.RoleAgent, true, "v1.37.10"),
		testNode("a2", lcv1.RoleAgent, true, "v1.37.2"),
		deleting,
	}
	servers, agents := countNodes(nodes)
	if servers != (lcv1.NodeCounts{Desired: 2, Ready: 1}) ||
		agents != (lcv1.NodeCounts{Desired: 2, Ready: 2}) {
		t.Errorf("countNodes() = %+v, %+v", servers, agents)
	}
	// Semantic order: v1.37.10 is newer than v1.37.2; not-Ready and deleting
	// nodes do not count.
	if got := lowestReadyVersion(nodes); got != "v1.37.2" {
		t.Errorf("lowestReadyVersion() = %q, want v1.37.2", got)
	}
}

func TestOldestServer(t *testing.T) {
	at := func(n lcv1.LightNode, sec int64) lcv1.LightNode {
		n.CreationTimestamp = metav1.Unix(sec, 0)
		return n
	}
	deleting := at(testNode("a-deleting", lcv1.RoleServer, false, ""), 1)
	deleting.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	tests := []struct {
		name  string
		nodes []lcv1.LightNode
		want  string
	}{
		{name: "none", nodes: []lcv1.LightNode{at(testNode("a", lcv1.RoleAgent, false, ""), 1)}},
		{name: "oldest wins", nodes: []lcv1.LightNode{
			at(testNode("a", lcv1.RoleServer, false, ""), 20),
			at(testNode("z", lcv1.RoleServer, false, ""), 10)}, want: "z"},
		{name: "name breaks ties", nodes: []lcv1.LightNode{
			at(testNode("b", lcv1.RoleServer, false, ""), 10),
			at(testNode("a", lcv1.RoleServer, false, ""), 10)}, want: "a"},
		{name: "deleting servers are skipped", nodes: []lcv1.LightNode{deleting,
			at(testNode("b", lcv1.RoleServer, false, ""), 5)}, want: "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := oldestServer(tt.nodes); got != tt.want {
				t.Errorf("oldestServer() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUpgradeBlocker(t *testing.T) {
	const v = "v1.37.3"
	nodes := []lcv1.LightNode{
		testNode("s-a", lcv1.RoleServer, true, v),
		testNode("s-b", lcv1.RoleServer, true, "v1.37.2"),
		testNode("s-c", lcv1.RoleServer, true, "v1.37.2"),
		testNode("agent", lcv1.RoleAgent, true, "v1.37.2"),
	}
	tests := []struct {
		node int
		want string
	}{
		{node: 1, want: ""},
		{node: 2, want: "server s-b"},
		{node: 3, want: "server s-b"},
	}
	for _, tt := range tests {
		t.Run(nodes[tt.node].Name, func(t *testing.T) {
			if got := upgradeBlocker(&nodes[tt.node], nodes, v); got != tt.want {
				t.Errorf("upgradeBlocker() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSSHReason(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("connect: %w", provision.ErrSecretNotFound), lcv1.ReasonSecretNotFound},
		{fmt.Errorf("connect: %w", ssh.ErrHostKeyMismatch), lcv1.ReasonHostKeyMismatch},
		{fmt.Errorf("connect: %w", ssh.ErrAuth), lcv1.ReasonAuthFailed},
		{fmt.Errorf("connect: %w", ssh.ErrPassphraseRequired), lcv1.ReasonAuthFailed},
		{fmt.Errorf("run: %w", ssh.ErrSudoPassword), lcv1.ReasonSudoFailed},
		{fmt.Errorf("connect: %w", ssh.ErrUnreachable), lcv1.ReasonUnreachable},
		{errors.New("anything else"), lcv1.ReasonUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.want+"/"+tt.err.Error(), func(t *testing.T) {
			if got := sshReason(tt.err); got != tt.want {
				t.Errorf("sshReason(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestClusterPhase(t *testing.T) {
	cond := func(typ string, status metav1.ConditionStatus, reason string) metav1.Condition {
		return metav1.Condition{Type: typ, Status: status, Reason: reason}
	}
	tests := []struct {
		name   string
		paused bool
		conds  []metav1.Condition
		counts lcv1.NodeCounts
		want   lcv1.ClusterPhase
	}{
		{name: "paused wins", paused: true,
			conds: []metav1.Condition{cond(lcv1.ReadyCondition, "True", "Ready")},
			want:  lcv1.ClusterPaused},
		{name: "ready", conds: []metav1.Condition{cond(lcv1.ReadyCondition, "True", "Ready")},
			counts: lcv1.NodeCounts{Desired: 1, Ready: 1}, want: lcv1.ClusterReady},
		{name: "unusable secret", conds: []metav1.Condition{cond(
			lcv1.CertificatesReadyCondition, "False", lcv1.ReasonInvalidSecret)},
			want: lcv1.ClusterFailed},
		{name: "no servers", want: lcv1.ClusterPending},
		{name: "servers coming", counts: lcv1.NodeCounts{Desired: 3},
			want: lcv1.ClusterProvisioning},
		{name: "some servers ready", counts: lcv1.NodeCounts{Desired: 3, Ready: 2},
			want: lcv1.ClusterDegraded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &lcv1.LightCluster{}
			c.Spec.Paused = tt.paused
			c.Status.Conditions = tt.conds
			c.Status.Servers = tt.counts
			if got := clusterPhase(c); got != tt.want {
				t.Errorf("clusterPhase() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSetReadyFromParts(t *testing.T) {
	n := &lcv1.LightNode{}
	for _, part := range readyParts {
		setCondition(&n.Status.Conditions, 0, part, metav1.ConditionTrue, lcv1.ReasonReady, "")
	}
	setCondition(&n.Status.Conditions, 0, lcv1.RunningCondition, metav1.ConditionFalse,
		lcv1.ReasonServiceNotRunning, "stopped")
	setReadyFromParts(n)
	if err := conditionStatus(n.Status.Conditions, lcv1.ReadyCondition,
		metav1.ConditionFalse, lcv1.ReasonServiceNotRunning); err != nil {
		t.Error(err)
	}

	setCondition(&n.Status.Conditions, 0, lcv1.RunningCondition, metav1.ConditionTrue,
		lcv1.ReasonReady, "")
	setReadyFromParts(n)
	if err := conditionStatus(n.Status.Conditions, lcv1.ReadyCondition,
		metav1.ConditionTrue, lcv1.ReasonReady); err != nil {
		t.Error(err)
	}
}

// conditionStatus checks the status and reason of one condition.
func conditionStatus(conds []metav1.Condition, typ string, status metav1.ConditionStatus,
	reason string) error {
	c := meta.FindStatusCondition(conds, typ)
	if c == nil || c.Status != status || c.Reason != reason {
		return fmt.Errorf("condition %s = %+v, want %s/%s", typ, c, status, reason)
	}
	return nil
}
