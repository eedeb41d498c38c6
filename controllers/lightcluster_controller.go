package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	kerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/pki"
)

// Requeue intervals of the LightCluster controller.
const (
	// ClusterDeletionRequeue is how often a deleting cluster checks whether its
	// LightNodes are gone; their deletion also triggers a reconcile.
	ClusterDeletionRequeue = 5 * time.Second
	// ClusterResyncInterval refreshes the aggregated status even without events.
	ClusterResyncInterval = 5 * time.Minute
)

// +kubebuilder:rbac:groups=lightcluster.dev,resources=lightclusters,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=lightcluster.dev,resources=lightclusters/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=lightcluster.dev,resources=lightclusters/finalizers,verbs=update
// +kubebuilder:rbac:groups=lightcluster.dev,resources=lightnodes,verbs=get;list;watch;delete
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// LightClusterReconciler keeps a LightCluster's Secrets, initial server, kubeconfig
// and aggregated status.
type LightClusterReconciler struct {
	client.Client
	// Recorder emits Events about clusters.
	Recorder events.EventRecorder
	// Clock gives certificate validity times; nil means the system clock.
	Clock pki.Clock
}

// clusterScope is what one reconcile of a LightCluster works with.
type clusterScope struct {
	cluster *lcv1.LightCluster
	nodes   []lcv1.LightNode
	caSet   *pki.CASet
}

// SetupWithManager registers the controller; SetupIndexes must have run.
func (r *LightClusterReconciler) SetupWithManager(mgr ctrl.Manager) error {
	err := ctrl.NewControllerManagedBy(mgr).
		For(&lcv1.LightCluster{}, builder.WithPredicates(specOrLifecycleChanged())).
		Owns(&corev1.Secret{}).
		Watches(&lcv1.LightNode{}, handler.EnqueueRequestsFromMapFunc(clusterOfNode)).
		Named("lightcluster").
		Complete(r)
	if err != nil {
		return fmt.Errorf("set up LightCluster controller: %w", err)
	}
	return nil
}

// clusterOfNode maps a LightNode to the LightCluster it names.
func clusterOfNode(_ context.Context, obj client.Object) []reconcile.Request {
	node, ok := obj.(*lcv1.LightNode)
	if !ok {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{
		Namespace: node.Namespace, Name: node.Spec.ClusterName}}}
}

// Reconcile brings one LightCluster closer to its desired state.
func (r *LightClusterReconciler) Reconcile(ctx context.Context, req ctrl.Request) (
	ctrl.Result, error,
) {
	var cluster lcv1.LightCluster
	if err := r.Get(ctx, req.NamespacedName, &cluster); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}

	if !cluster.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, &cluster)
	}

	if !controllerutil.ContainsFinalizer(&cluster, lcv1.ClusterFinalizer) {
		patch := client.MergeFrom(cluster.DeepCopy())
		controllerutil.AddFinalizer(&cluster, lcv1.ClusterFinalizer)
		if err := r.Patch(ctx, &cluster, patch); err != nil {
			return ctrl.Result{}, fmt.Errorf("add finalizer: %w", err)
		}
	}

	scope := &clusterScope{cluster: &cluster}
	statusPatch := client.MergeFrom(statusPatchBase(&cluster))
	err := r.reconcileNormal(ctx, scope)

	// Status follows what was seen, whatever failed.
	r.summarize(scope)
	if patchErr := r.Status().Patch(ctx, &cluster, statusPatch); patchErr != nil &&
		!apierrors.IsNotFound(patchErr) {
		err = kerrors.NewAggregate([]error{err, fmt.Errorf("patch status: %w", patchErr)})
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: ClusterResyncInterval}, nil
}

// statusPatchBase returns the base of a status merge patch for c. Its node counts are
// set to an impossible value so that the patch always carries them: a count of zero
// looks like an absent field and would otherwise never be stored, leaving kubectl's
// columns empty.
func statusPatchBase(c *lcv1.LightCluster) *lcv1.LightCluster {
	base := c.DeepCopy()
	unknown := lcv1.NodeCounts{Desired: -1, Ready: -1}
	base.Status.Servers, base.Status.Agents = unknown, unknown
	return base
}

// reconcileNormal runs the phases in order; later phases need the earlier ones.
func (r *LightClusterReconciler) reconcileNormal(ctx context.Context, s *clusterScope) error {
	_, err := runPhases(ctx, s,
		r.reconcileCertificates,
		r.reconcileTokens,
		r.reconcileNodes,
		r.reconcileKubeconfig,
	)
	return err
}

// errTerminal marks a phase failure that a condition already explains and that
// retrying cannot fix; the reconcile stops without an error.
var errTerminal = errors.New("terminal")

// runPhases runs phases in order until one fails, and reports whether all of them
// ran; a phase that returns errTerminal ends the run without an error.
func runPhases[S any](ctx context.Context, s S,
	phases ...func(context.Context, S) error) (bool, error) {
	for _, phase := range phases {
		if err := phase(ctx, s); err != nil {
			if errors.Is(err, errTerminal) {
				return false, nil
			}
			return false, err
		}
	}
	return true, nil
}
