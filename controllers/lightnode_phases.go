package controllers

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/hostfacts"
	"github.com/lightcluster/lightcluster/internal/metrics"
)

// Event reasons of LightNodes.
const (
	// EventInstalled says lightnode was installed on the machine for the first time.
	EventInstalled = "Installed"
	// EventUpgraded says the machine now runs the cluster's new version.
	EventUpgraded = "Upgraded"
	// EventRepaired says drift was found on the machine and undone; the note lists it.
	EventRepaired = "Repaired"
	// EventJoined says the machine's Kubernetes Node registered and became Ready.
	EventJoined = "Joined"
	// EventUninstalled says lightnode was removed from the machine.
	EventUninstalled = "Uninstalled"
	// EventHostKeyRetrusted says a new host key was accepted through the re-trust
	// annotation.
	EventHostKeyRetrusted = "HostKeyRetrusted"
)

// reconcileCluster stops when the node's cluster is missing or paused.
func (r *LightNodeReconciler) reconcileCluster(_ context.Context, s *nodeScope) error {
	if s.cluster == nil {
		s.holdReady(lcv1.ReasonClusterNotFound, fmt.Sprintf("LightCluster %q does not exist in "+
			"namespace %s; create it or fix spec.clusterName",
			s.node.Spec.ClusterName, s.node.Namespace))
		s.requeueAfter = r.intervals().Poll
		return errTerminal
	}
	if !s.cluster.DeletionTimestamp.IsZero() {
		s.holdReady(lcv1.ReasonDeleting, fmt.Sprintf("LightCluster %s is being deleted: "+
			"nothing is installed for it", s.cluster.Name))
		return errTerminal
	}
	if s.cluster.Spec.Paused {
		s.holdReady(lcv1.ReasonPaused, fmt.Sprintf("LightCluster %s is paused: "+
			"nothing is changed on the machine "+
			"until spec.paused is false", s.cluster.Name))
		return errTerminal
	}
	return nil
}

// reconcileTurn keeps the provisioning order: the initial server first, other
// servers once it is Ready, agents once any server is Ready. A node already
// installed keeps being checked whatever the others do.
func (r *LightNodeReconciler) reconcileTurn(ctx context.Context, s *nodeScope) error {
	s.version = s.cluster.Spec.Version
	if s.installed {
		return r.upgradeTurn(ctx, s)
	}
	waitingFor, err := r.waitingFor(ctx, s)
	if err != nil || waitingFor == "" {
		return err
	}
	s.holdReady(lcv1.ReasonWaitingForServer, "Waiting for "+waitingFor)
	s.requeueAfter = r.intervals().Poll
	return errTerminal
}

// waitingFor says what the node waits for before its turn, or "" when it may go.
func (r *LightNodeReconciler) waitingFor(ctx context.Context, s *nodeScope) (string, error) {
	initial := s.cluster.Status.InitialServer
	if s.node.Spec.Role == lcv1.RoleServer {
		if initial == "" {
			return "the cluster to choose its initial server", nil
		}
		if initial == s.node.Name {
			return "", nil
		}
		var first lcv1.LightNode
		key := types.NamespacedName{Namespace: s.node.Namespace, Name: initial}
		err := r.Get(ctx, key, &first)
		if client.IgnoreNotFound(err) != nil {
			return "", fmt.Errorf("read initial server %s: %w", key, err)
		}
		if err == nil && first.DeletionTimestamp.IsZero() {
			if !nodeIsReady(&first) {
				return fmt.Sprintf("initial server %s to be Ready", initial), nil
			}
			return "", nil
		}
		// The initial server is gone or leaving: join through any Ready server.
	}

	nodes, err := listClusterNodes(ctx, r.Client, s.node.Namespace, s.cluster.Name)
	if err != nil {
		return "", err
	}
	for i := range nodes {
		if nodes[i].Spec.Role == lcv1.RoleServer && nodeIsReady(&nodes[i]) {
			return "", nil
		}
	}
	return "a server of cluster " + s.cluster.Name + " to be Ready", nil
}

// upgradeTurn keeps an installed node at its version until its turn to upgrade
// comes: servers one at a time in name order, each once the servers before it run
// the new version and are Ready, then agents once every server does.
func (r *LightNodeReconciler) upgradeTurn(ctx context.Context, s *nodeScope) error {
	installed := s.node.Status.InstalledVersion
	if installed == s.version {
		return nil
	}
	nodes, err := listClusterNodes(ctx, r.Client, s.node.Namespace, s.cluster.Name)
	if err != nil {
		return err
	}
	if blocker := upgradeBlocker(s.node, nodes, s.version); blocker != "" {
		s.upgradeBlocker, s.version = blocker, installed
		log.FromContext(ctx).V(1).Info("Waiting to upgrade", "to", s.cluster.Spec.Version,
			"waitingFor", blocker)
	}
	return nil
}

// upgradeBlocker names the first server that must run version and be Ready
// before node may upgrade to it, or returns "".
func upgradeBlocker(node *lcv1.LightNode, nodes []lcv1.LightNode, version string) string {
	for i := range nodes {
		n := &nodes[i]
		if n.Name == node.Name || n.Spec.Role != lcv1.RoleServer || !n.DeletionTimestamp.IsZero() {
			continue
		}
		before := node.Spec.Role == lcv1.RoleAgent || n.Name < node.Name
		if before && (n.Status.InstalledVersion != version || !nodeIsReady(n)) {
			return "server " + n.Name
		}
	}
	return ""
}

// reconcileFacts gathers the host facts and stops on a machine lightnode cannot run on.
func (r *LightNodeReconciler) reconcileFacts(ctx context.Context, s *nodeScope) error {
	facts, err := s.session.Facts(ctx)
	if err != nil {
		metrics.CountSSHError(lcv1.ReasonUnreachable)
		setNodeCondition(s, lcv1.ReachableCondition, metav1.ConditionFalse,
			sshReason(err), err.Error())
		s.requeueAfter = r.intervals().Poll
		return errTerminal
	}
	s.facts = facts
	s.node.Status.Facts = statusFacts(facts)

	if err := facts.Supported(); err != nil {
		reason := lcv1.ReasonUnsupportedArch
		if !errors.Is(err, hostfacts.ErrUnsupportedArch) {
			reason = lcv1.ReasonUnsupportedInitSystem
		}
		setNodeCondition(s, lcv1.InstalledCondition, metav1.ConditionFalse, reason,
			fmt.Sprintf("lightnode cannot run on this machine: %v", err))
		s.requeueAfter = r.intervals().Recheck
		return errTerminal
	}
	return nil
}

// statusFacts converts gathered facts to their status form.
func statusFacts(f hostfacts.Facts) *lcv1.HostFacts {
	return &lcv1.HostFacts{OS: f.OSID, OSVersion: f.OSVersion, Arch: f.Arch,
		Kernel: f.Kernel, InitSystem: string(f.Init), Hostname: f.Hostname,
		CPUs: int32(f.CPUs), MemoryBytes: f.MemoryBytes, DataDirFreeBytes: f.DataDirFreeBytes}
}
