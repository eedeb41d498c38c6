package controllers

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/version"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

// summarize derives counts, version, topology and readiness conditions and the
// phase from the scope. It only reads what the phases found.
func (r *LightClusterReconciler) summarize(s *clusterScope) {
	c := s.cluster
	c.Status.ObservedGeneration = c.Generation
	c.Status.Servers, c.Status.Agents = countNodes(s.nodes)
	c.Status.Version = lowestReadyVersion(s.nodes)

	setQuorumCondition(c)
	setControlPlaneCondition(c)
	setClusterReadyCondition(c)
	c.Status.Phase = clusterPhase(c)
}

// countNodes counts desired and Ready LightNodes per role, leaving out the ones
// being deleted.
func countNodes(nodes []lcv1.LightNode) (servers, agents lcv1.NodeCounts) {
	for i := range nodes {
		n := &nodes[i]
		if !n.DeletionTimestamp.IsZero() {
			continue
		}
		counts := &agents
		if n.Spec.Role == lcv1.RoleServer {
			counts = &servers
		}
		counts.Desired++
		if nodeIsReady(n) {
			counts.Ready++
		}
	}
	return servers, agents
}

// lowestReadyVersion returns the lowest installed version among Ready nodes.
func lowestReadyVersion(nodes []lcv1.LightNode) string {
	var lowest *version.Version
	var text string
	for i := range nodes {
		if !nodeIsReady(&nodes[i]) {
			continue
		}
		v, err := version.ParseSemantic(nodes[i].Status.InstalledVersion)
		if err != nil {
			continue
		}
		if lowest == nil || v.LessThan(lowest) {
			lowest, text = v, nodes[i].Status.InstalledVersion
		}
	}
	return text
}

// setQuorumCondition reports server counts that the datastore cannot survive
// losing one server with.
func setQuorumCondition(c *lcv1.LightCluster) {
	n := c.Status.Servers.Desired
	status, reason := metav1.ConditionFalse, lcv1.ReasonQuorumSafe
	message := fmt.Sprintf("%d server(s) suit datastore %s", n, c.Spec.Datastore.Type)
	switch {
	case c.Spec.Datastore.Type == lcv1.DatastoreSQLite && n > 1:
		status, reason = metav1.ConditionTrue, lcv1.ReasonSQLiteMultipleServers
		message = fmt.Sprintf("%d servers on SQLite: only the initial server holds the "+
			"state and the others depend on it; use datastore etcd or external "+
			"for several servers", n)
	case c.Spec.Datastore.Type == lcv1.DatastoreEtcd && n > 0 && n%2 == 0:
		status, reason = metav1.ConditionTrue, lcv1.ReasonEvenEtcdMembers
		message = fmt.Sprintf("%d etcd members tolerate no more failures than %d; "+
			"add or remove a server for an odd count", n, n-1)
	}
	setCondition(&c.Status.Conditions, c.Generation, lcv1.QuorumAtRiskCondition,
		status, reason, message)
}

// setControlPlaneCondition is True when servers exist and all are Ready.
func setControlPlaneCondition(c *lcv1.LightCluster) {
	s := c.Status.Servers
	switch {
	case s.Desired == 0:
		setCondition(&c.Status.Conditions, c.Generation, lcv1.ControlPlaneReadyCondition,
			metav1.ConditionFalse, lcv1.ReasonNoServers,
			"The cluster has no LightNode with role server; create one")
	case s.Ready < s.Desired:
		setCondition(&c.Status.Conditions, c.Generation, lcv1.ControlPlaneReadyCondition,
			metav1.ConditionFalse, lcv1.ReasonServersNotReady,
			fmt.Sprintf("%d of %d servers are Ready", s.Ready, s.Desired))
	default:
		setCondition(&c.Status.Conditions, c.Generation, lcv1.ControlPlaneReadyCondition,
			metav1.ConditionTrue, lcv1.ReasonReady,
			fmt.Sprintf("All %d servers are Ready", s.Desired))
	}
}

// setClusterReadyCondition is True when certificates, kubeconfig, control plane
// and every agent are Ready.
func setClusterReadyCondition(c *lcv1.LightCluster) {
	conds := c.Status.Conditions
	status, reason, message := metav1.ConditionTrue, lcv1.ReasonReady,
		"Every server and agent is Ready"
	switch {
	case c.Spec.Paused:
		status, reason = metav1.ConditionFalse, lcv1.ReasonPaused
		message = "spec.paused is true: no machine of the cluster is changed"
	case !isTrue(conds, lcv1.CertificatesReadyCondition):
		status, reason, message = metav1.ConditionFalse, lcv1.ReasonPending,
			"Waiting for the cluster's certificates and tokens"
	case !isTrue(conds, lcv1.ControlPlaneReadyCondition):
		cp := findCondition(conds, lcv1.ControlPlaneReadyCondition)
		status, reason, message = metav1.ConditionFalse, cp.Reason, cp.Message
	case c.Status.Agents.Ready < c.Status.Agents.Desired:
		status, reason = metav1.ConditionFalse, lcv1.ReasonAgentsNotReady
		message = fmt.Sprintf("%d of %d agents are Ready",
			c.Status.Agents.Ready, c.Status.Agents.Desired)
	case !isTrue(conds, lcv1.KubeconfigReadyCondition):
		status, reason, message = metav1.ConditionFalse, lcv1.ReasonPending,
			"Waiting for the kubeconfig Secret"
	}
	setCondition(&c.Status.Conditions, c.Generation, lcv1.ReadyCondition,
		status, reason, message)
}

// findCondition returns the condition typ, or an empty one.
func findCondition(conds []metav1.Condition, typ string) metav1.Condition {
	for _, cond := range conds {
		if cond.Type == typ {
			return cond
		}
	}
	return metav1.Condition{Reason: lcv1.ReasonPending}
}

// clusterPhase derives the phase from the conditions and counts.
func clusterPhase(c *lcv1.LightCluster) lcv1.ClusterPhase {
	conds := c.Status.Conditions
	switch {
	case !c.DeletionTimestamp.IsZero():
		return lcv1.ClusterDeleting
	case c.Spec.Paused:
		return lcv1.ClusterPaused
	case isTrue(conds, lcv1.ReadyCondition):
		return lcv1.ClusterReady
	case findCondition(conds, lcv1.CertificatesReadyCondition).Reason ==
		lcv1.ReasonInvalidSecret:
		return lcv1.ClusterFailed
	case c.Status.Servers.Ready > 0:
		return lcv1.ClusterDegraded
	case c.Status.Servers.Desired == 0:
		return lcv1.ClusterPending
	default:
		return lcv1.ClusterProvisioning
	}
}
