package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/provision"
)

// reconcileNodeReady looks the Kubernetes Node up in the workload cluster and
// mirrors its Ready condition.
func (r *LightNodeReconciler) reconcileNodeReady(ctx context.Context, s *nodeScope) error {
	workload, err := r.Workload(ctx, s.cluster)
	if err != nil {
		return r.nodeNotReady(s, lcv1.ReasonPending,
			fmt.Sprintf("Cannot reach the cluster's API server yet: %v", err))
	}

	name := s.node.Status.NodeName
	if name == "" {
		name = provision.NodeName(s.node, s.facts.Hostname)
	}
	var node corev1.Node
	err = workload.Get(ctx, types.NamespacedName{Name: name}, &node)
	if apierrors.IsNotFound(err) {
		return r.nodeNotReady(s, lcv1.ReasonNodeNotRegistered,
			fmt.Sprintf("No Node %q has registered yet", name))
	}
	if err != nil {
		return r.nodeNotReady(s, lcv1.ReasonPending,
			fmt.Sprintf("Cannot read Node %q from the cluster: %v", name, err))
	}

	if !nodeConditionTrue(&node, corev1.NodeReady) {
		return r.nodeNotReady(s, lcv1.ReasonNodeNotReady,
			fmt.Sprintf("Node %q is registered but not Ready", name))
	}
	if s.node.Status.NodeName == "" {
		log.FromContext(ctx).Info("Joined the cluster", "nodeName", name)
		r.Recorder.Eventf(s.node, nil, corev1.EventTypeNormal, EventJoined, "Join",
			"Node %s joined cluster %s", name, s.cluster.Name)
	}
	s.node.Status.NodeName = name
	s.node.Status.NodeIP = internalIP(&node)
	setNodeCondition(s, lcv1.NodeReadyCondition, metav1.ConditionTrue, lcv1.ReasonReady,
		fmt.Sprintf("Node %q is Ready", name))
	return nil
}

// nodeNotReady sets NodeReady False and waits.
func (r *LightNodeReconciler) nodeNotReady(s *nodeScope, reason, message string) error {
	setNodeCondition(s, lcv1.NodeReadyCondition, metav1.ConditionFalse, reason, message)
	s.requeueAfter = r.intervals().Poll
	return errTerminal
}

// nodeConditionTrue reports whether a Node condition is True.
func nodeConditionTrue(node *corev1.Node, typ corev1.NodeConditionType) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == typ {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// internalIP returns the Node's first InternalIP address.
func internalIP(node *corev1.Node) string {
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return a.Address
		}
	}
	return ""
}
