package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

// readyParts are the conditions whose conjunction is Ready, in the order a
// machine passes them.
var readyParts = []string{lcv1.ReachableCondition, lcv1.InstalledCondition,
	lcv1.RunningCondition, lcv1.NodeReadyCondition}

// summarizeNode sets observedGeneration, the Ready condition and the phase.
func summarizeNode(s *nodeScope) {
	node := s.node
	node.Status.ObservedGeneration = node.Generation
	if s.heldReason != "" {
		setCondition(&node.Status.Conditions, node.Generation, lcv1.ReadyCondition,
			metav1.ConditionFalse, s.heldReason, s.heldMessage)
	} else {
		setReadyFromParts(node)
	}
	node.Status.Phase = nodePhase(node)
}

// setReadyFromParts sets Ready True when every part is True, else False with the
// first part that is not.
func setReadyFromParts(node *lcv1.LightNode) {
	for _, part := range readyParts {
		cond := meta.FindStatusCondition(node.Status.Conditions, part)
		if cond == nil {
			setCondition(&node.Status.Conditions, node.Generation, lcv1.ReadyCondition,
				metav1.ConditionFalse, lcv1.ReasonPending, "Waiting for "+part)
			return
		}
		if cond.Status != metav1.ConditionTrue {
			setCondition(&node.Status.Conditions, node.Generation, lcv1.ReadyCondition,
				metav1.ConditionFalse, cond.Reason, cond.Message)
			return
		}
	}
	setCondition(&node.Status.Conditions, node.Generation, lcv1.ReadyCondition,
		metav1.ConditionTrue, lcv1.ReasonReady, "lightnode runs and its Node is Ready")
}

// nodePhase derives the phase from the conditions.
func nodePhase(node *lcv1.LightNode) lcv1.NodePhase {
	conds := node.Status.Conditions
	reachable := meta.FindStatusCondition(conds, lcv1.ReachableCondition)
	installed := meta.FindStatusCondition(conds, lcv1.InstalledCondition)
	switch {
	case !node.DeletionTimestamp.IsZero():
		return lcv1.NodeDeleting
	case isTrue(conds, lcv1.ReadyCondition):
		return lcv1.NodeReady
	case reachable != nil && reachable.Reason == lcv1.ReasonHostKeyMismatch,
		installed != nil && isTerminalInstallReason(installed.Reason):
		return lcv1.NodeFailed
	case node.Status.InstalledVersion != "" && node.Status.NodeName != "":
		return lcv1.NodeDegraded
	case isTrue(conds, lcv1.RunningCondition):
		return lcv1.NodeJoining
	case isTrue(conds, lcv1.ReachableCondition):
		return lcv1.NodeInstalling
	case reachable != nil:
		return lcv1.NodeConnecting
	default:
		return lcv1.NodePending
	}
}

// isTerminalInstallReason reports reasons that need a person to act.
func isTerminalInstallReason(reason string) bool {
	switch reason {
	case lcv1.ReasonUnsupportedArch, lcv1.ReasonUnsupportedInitSystem,
		lcv1.ReasonVersionNotInCatalog:
		return true
	}
	return false
}
