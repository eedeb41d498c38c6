package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/clusterclient"
)

// reconcileDelete deletes the cluster's LightNodes, waits until their finalizers
// have uninstalled them, then removes the cluster's Secrets and its finalizer.
func (r *LightClusterReconciler) reconcileDelete(ctx context.Context, c *lcv1.LightCluster) (
	ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(c, lcv1.ClusterFinalizer) {
		return ctrl.Result{}, nil
	}

	nodes, err := listClusterNodes(ctx, r.Client, c.Namespace, c.Name)
	if err != nil {
		return ctrl.Result{}, err
	}
	if len(nodes) > 0 {
		return r.deleteNodes(ctx, c, nodes)
	}

	if err := r.deleteSecrets(ctx, c); err != nil {
		return ctrl.Result{}, err
	}
	patch := client.MergeFrom(c.DeepCopy())
	controllerutil.RemoveFinalizer(c, lcv1.ClusterFinalizer)
	if err := r.Patch(ctx, c, patch); err != nil {
		return ctrl.Result{}, fmt.Errorf("remove finalizer: %w", err)
	}
	return ctrl.Result{}, nil
}

// deleteNodes deletes the LightNodes not yet being deleted and reports the wait.
func (r *LightClusterReconciler) deleteNodes(ctx context.Context, c *lcv1.LightCluster,
	nodes []lcv1.LightNode) (ctrl.Result, error) {
	for i := range nodes {
		if !nodes[i].DeletionTimestamp.IsZero() {
			continue
		}
		if err := r.Delete(ctx, &nodes[i]); err != nil && !apierrors.IsNotFound(err) {
			return ctrl.Result{}, fmt.Errorf("delete LightNode %s: %w", nodes[i].Name, err)
		}
	}

	patch := client.MergeFrom(c.DeepCopy())
	setCondition(&c.Status.Conditions, c.Generation, lcv1.ReadyCondition,
		metav1.ConditionFalse, lcv1.ReasonDeleting,
		fmt.Sprintf("Waiting for %d LightNode(s) to be uninstalled", len(nodes)))
	c.Status.Phase = lcv1.ClusterDeleting
	if err := r.Status().Patch(ctx, c, patch); err != nil && !apierrors.IsNotFound(err) {
		return ctrl.Result{}, fmt.Errorf("patch status: %w", err)
	}
	return ctrl.Result{RequeueAfter: ClusterDeletionRequeue}, nil
}

// deleteSecrets deletes the cluster's Secrets. Owner references would remove them
// too, but only once the cluster is gone; deleting them here keeps no credential
// of a cluster that no longer exists.
func (r *LightClusterReconciler) deleteSecrets(ctx context.Context, c *lcv1.LightCluster) error {
	names := []string{CASecretName(c.Name), TokenSecretName(c.Name),
		clusterclient.SecretName(c.Name)}
	for _, name := range names {
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: c.Namespace, Name: name}}
		if err := r.Delete(ctx, secret); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete Secret %s/%s: %w", c.Namespace, name, err)
		}
	}
	return nil
}
