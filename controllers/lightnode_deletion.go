package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

// errDraining says pods are still being evicted from the node.
var errDraining = errors.New("pods are still being evicted")

// reconcileDelete drains and deletes the Kubernetes Node, uninstalls lightnode
// (which also leaves etcd for an etcd server), then drops the finalizer. A machine
// that cannot be reached within the uninstall timeout is given up with an event,
// so the finalizer always finishes. Nothing is created for the deleted node.
func (r *LightNodeReconciler) reconcileDelete(ctx context.Context, s *nodeScope) (
	ctrl.Result, error) {
	node := s.node
	if !controllerutil.ContainsFinalizer(node, lcv1.NodeFinalizer) {
		return ctrl.Result{}, nil
	}
	if s.cluster != nil && s.cluster.Spec.Paused {
		return r.patchDeleting(ctx, s, lcv1.ReasonPaused, fmt.Sprintf("LightCluster %s "+
			"is paused: the machine is uninstalled once spec.paused is false", s.cluster.Name))
	}

	// A LightNode whose machine another one owns never ran anything there; the
	// machine and its Node stay with the owner.
	owner, err := r.machineOwner(ctx, node)
	if err != nil {
		return ctrl.Result{}, err
	}
	if owner.UID != node.UID {
		return r.dropFinalizer(ctx, node)
	}

	drainExpired := time.Since(node.DeletionTimestamp.Time) >= r.intervals().DrainTimeout
	if err := r.removeFromCluster(ctx, s, drainExpired); err != nil {
		if !drainExpired {
			return r.patchDeleting(ctx, s, lcv1.ReasonDeleting,
				fmt.Sprintf("Draining Node %s: %v", node.Status.NodeName, err))
		}
		log.FromContext(ctx).Info("Gave up removing the Node", "reason", err.Error())
	}

	if err := r.uninstall(ctx, node); err != nil {
		if time.Since(node.DeletionTimestamp.Time) < r.intervals().UninstallTimeout {
			return r.patchDeleting(ctx, s, lcv1.ReasonDeleting,
				fmt.Sprintf("Uninstalling lightnode: %v; retrying until %s",
					err, node.DeletionTimestamp.Add(r.intervals().UninstallTimeout).UTC()))
		}
		r.Recorder.Eventf(node, nil, corev1.EventTypeWarning, lcv1.ReasonUninstallSkipped,
			"Uninstall", "Gave up uninstalling after %s: %v; lightnode may still be "+
				"installed on %s", r.intervals().UninstallTimeout, err, node.Spec.SSH.Address)
	} else {
		r.Recorder.Eventf(node, nil, corev1.EventTypeNormal, EventUninstalled, "Uninstall",
			"Uninstalled lightnode from %s", node.Spec.SSH.Address)
	}

	return r.dropFinalizer(ctx, node)
}

// dropFinalizer lets the API server delete node.
func (r *LightNodeReconciler) dropFinalizer(ctx context.Context, node *lcv1.LightNode) (
	ctrl.Result, error) {
	patch := client.MergeFrom(node.DeepCopy())
	controllerutil.RemoveFinalizer(node, lcv1.NodeFinalizer)
	if err := r.Patch(ctx, node, patch); err != nil && !apierrors.IsNotFound(err) {
		return ctrl.Result{}, fmt.Errorf("remove finalizer: %w", err)
	}
	return ctrl.Result{}, nil
}

// patchDeleting reports why deletion waits and requeues.
func (r *LightNodeReconciler) patchDeleting(ctx context.Context, s *nodeScope,
	reason, message string) (ctrl.Result, error) {
	patch := client.MergeFrom(s.node.DeepCopy())
	setNodeCondition(s, lcv1.ReadyCondition, metav1.ConditionFalse, reason, message)
	s.node.Status.Phase = lcv1.NodeDeleting
	if err := r.Status().Patch(ctx, s.node, patch); err != nil && !apierrors.IsNotFound(err) {
		return ctrl.Result{}, fmt.Errorf("patch status: %w", err)
	}
	if reason == lcv1.ReasonPaused {
		return ctrl.Result{}, nil
	}
	return ctrl.Result{RequeueAfter: r.intervals().Poll}, nil
}

// removeFromCluster cordons and drains the Kubernetes Node, then deletes it; once
// the drain timeout has expired, pods still leaving no longer hold the deletion
// back. A node that never registered, or whose whole cluster is being deleted, has
// nothing to drain.
func (r *LightNodeReconciler) removeFromCluster(ctx context.Context, s *nodeScope,
	drainExpired bool) error {
	name := s.node.Status.NodeName
	if name == "" || s.cluster == nil || !s.cluster.DeletionTimestamp.IsZero() {
		return nil
	}
	workload, err := r.Workload(ctx, s.cluster)
	if err != nil {
		return err
	}

	var node corev1.Node
	if err := workload.Get(ctx, client.ObjectKey{Name: name}, &node); err != nil {
		return client.IgnoreNotFound(err)
	}
	if err := cordon(ctx, workload, &node); err != nil {
		return err
	}
	if err := drain(ctx, workload, name); err != nil && !drainExpired {
		return err
	}
	if err := workload.Delete(ctx, &node); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("delete Node %s: %w", name, err)
	}
	return nil
}

// cordon marks the Node unschedulable.
func cordon(ctx context.Context, c client.Client, node *corev1.Node) error {
	if node.Spec.Unschedulable {
		return nil
	}
	patch := client.MergeFrom(node.DeepCopy())
	node.Spec.Unschedulable = true
	if err := c.Patch(ctx, node, patch); err != nil {
		return fmt.Errorf("cordon Node %s: %w", node.Name, err)
	}
	return nil
}

// drain asks for the eviction of every pod on the node except DaemonSet and
// mirror pods, and reports errDraining while any such pod is left.
func drain(ctx context.Context, c client.Client, nodeName string) error {
	var pods corev1.PodList
	if err := c.List(ctx, &pods, client.MatchingFields{"spec.nodeName": nodeName}); err != nil {
		return fmt.Errorf("list pods of Node %s: %w", nodeName, err)
	}
	left := 0
	for i := range pods.Items {
		pod := &pods.Items[i]
		if skipOnDrain(pod) {
			continue
		}
		left++
		eviction := &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{
			Namespace: pod.Namespace, Name: pod.Name}}
		err := c.SubResource("eviction").Create(ctx, pod, eviction)
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsTooManyRequests(err) {
			return fmt.Errorf("evict pod %s/%s: %w", pod.Namespace, pod.Name, err)
		}
	}
	if left > 0 {
		return fmt.Errorf("%d pod(s) on Node %s: %w", left, nodeName, errDraining)
	}
	return nil
}

// skipOnDrain reports pods that draining leaves alone: finished pods, mirror pods
// and pods of DaemonSets, which would come back at once.
func skipOnDrain(pod *corev1.Pod) bool {
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return true
	}
	if _, mirror := pod.Annotations[corev1.MirrorPodAnnotationKey]; mirror {
		return true
	}
	for _, ref := range pod.OwnerReferences {
		if ref.Kind == "DaemonSet" {
			return true
		}
	}
	return false
}

// uninstall logs in to the machine and runs `lightnode uninstall`.
func (r *LightNodeReconciler) uninstall(ctx context.Context, node *lcv1.LightNode) error {
	session, err := r.connect(ctx, node)
	if err != nil {
		return err
	}
	defer func() { _ = session.Close() }()
	return session.Uninstall(ctx)
}
