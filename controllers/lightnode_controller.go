package controllers

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	kerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/catalog"
	"github.com/lightcluster/lightcluster/internal/clusterclient"
	"github.com/lightcluster/lightcluster/internal/hostfacts"
	"github.com/lightcluster/lightcluster/internal/provision"
)

// Default intervals of the LightNode controller.
const (
	// DefaultRecheckInterval is how often a Ready node's machine is checked for drift.
	DefaultRecheckInterval = 5 * time.Minute
	// DefaultPollInterval is how often a node that waits (for a server, a Secret, its
	// Kubernetes Node, or a machine that did not answer) is looked at again.
	DefaultPollInterval = 15 * time.Second
	// DefaultUninstallTimeout is how long after its deletion a LightNode's machine
	// may stay unreachable before the operator gives up uninstalling it.
	DefaultUninstallTimeout = 2 * time.Minute
	// DefaultDrainTimeout bounds cordoning and draining a deleted node.
	DefaultDrainTimeout = 2 * time.Minute
	// DefaultMaxConcurrentProvisions bounds how many machines are driven at once.
	DefaultMaxConcurrentProvisions = 10
)

// Intervals tunes the LightNode controller's timing; zero fields take the defaults.
type Intervals struct {
	// Recheck is the drift check interval of Ready nodes.
	Recheck time.Duration
	// Poll is the interval of nodes that wait for something.
	Poll time.Duration
	// UninstallTimeout gives up uninstalling an unreachable machine.
	UninstallTimeout time.Duration
	// DrainTimeout bounds draining a deleted node.
	DrainTimeout time.Duration
}

// intervals returns the reconciler's intervals with defaults for unset ones.
func (r *LightNodeReconciler) intervals() Intervals {
	return r.Intervals.withDefaults()
}

// withDefaults fills the zero fields.
func (i Intervals) withDefaults() Intervals {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&i.Recheck, DefaultRecheckInterval)
	def(&i.Poll, DefaultPollInterval)
	def(&i.UninstallTimeout, DefaultUninstallTimeout)
	def(&i.DrainTimeout, DefaultDrainTimeout)
	return i
}

// +kubebuilder:rbac:groups=lightcluster.dev,resources=lightnodes,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=lightcluster.dev,resources=lightnodes/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=lightcluster.dev,resources=lightnodes/finalizers,verbs=update
// +kubebuilder:rbac:groups=lightcluster.dev,resources=lightclusters,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// LightNodeReconciler installs lightnode on a LightNode's machine over SSH, watches
// its Kubernetes Node, repairs drift and uninstalls the machine on deletion.
type LightNodeReconciler struct {
	client.Client
	// APIReader reads the SSH Secrets, which are not cached.
	APIReader client.Reader
	// Recorder emits Events about nodes.
	Recorder events.EventRecorder
	// Catalog holds the lightnode binaries.
	Catalog *catalog.Catalog
	// Workload returns a client for a cluster's own API server.
	Workload clusterclient.Factory
	// Dial logs in to machines; nil means ssh.Dial.
	Dial provision.Dialer
	// ConfigPath returns where lightnode's config lives on a node's machine, for
	// machines that cannot use the default; nil means provision.DefaultConfigFile.
	ConfigPath func(node *lcv1.LightNode) string
	// MaxConcurrentProvisions bounds concurrent reconciles, each of which holds at
	// most one SSH connection.
	MaxConcurrentProvisions int
	// Intervals tunes timing.
	Intervals Intervals
}

// nodeScope is what one reconcile of a LightNode works with.
type nodeScope struct {
	node    *lcv1.LightNode
	cluster *lcv1.LightCluster
	session *provision.Session
	facts   hostfacts.Facts
	// installed is whether lightnode was installed before this reconcile.
	installed bool
	// version is the version to install in this pass: the cluster's, or the one
	// installed while the node waits for its turn to upgrade.
	version string
	// upgradeBlocker names what a pending upgrade waits for, or is empty.
	upgradeBlocker string
	// requeueAfter is set by a phase that waits.
	requeueAfter time.Duration
	// heldReason and heldMessage, when set, explain why Ready is False before any
	// machine condition could be observed: paused, missing cluster, waiting.
	heldReason, heldMessage string
}

// holdReady makes Ready False with reason and message, whatever the other
// conditions say.
func (s *nodeScope) holdReady(reason, message string) {
	s.heldReason, s.heldMessage = reason, message
}

// SetupWithManager registers the controller; SetupIndexes must have run.
func (r *LightNodeReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.MaxConcurrentProvisions <= 0 {
		r.MaxConcurrentProvisions = DefaultMaxConcurrentProvisions
	}
	err := ctrl.NewControllerManagedBy(mgr).
		For(&lcv1.LightNode{}, builder.WithPredicates(specOrLifecycleChanged())).
		Watches(&lcv1.LightCluster{}, handler.EnqueueRequestsFromMapFunc(r.nodesOfCluster),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&lcv1.LightNode{}, handler.EnqueueRequestsFromMapFunc(r.siblingsOf),
			builder.WithPredicates(serverReadinessChanged())).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrentProvisions}).
		Named("lightnode").
		Complete(r)
	if err != nil {
		return fmt.Errorf("set up LightNode controller: %w", err)
	}
	return nil
}

// nodesOfCluster maps a LightCluster to its LightNodes.
func (r *LightNodeReconciler) nodesOfCluster(ctx context.Context,
	obj client.Object) []reconcile.Request {
	return r.clusterNodeRequests(ctx, obj.GetNamespace(), obj.GetName(), "")
}

// siblingsOf maps a LightNode to the other LightNodes of its cluster, whose turn to
// install or upgrade may depend on it.
func (r *LightNodeReconciler) siblingsOf(ctx context.Context,
	obj client.Object) []reconcile.Request {
	node, ok := obj.(*lcv1.LightNode)
	if !ok {
		return nil
	}
	return r.clusterNodeRequests(ctx, node.Namespace, node.Spec.ClusterName, node.Name)
}

// clusterNodeRequests returns a request for each LightNode of cluster in namespace
// but the one called except.
func (r *LightNodeReconciler) clusterNodeRequests(ctx context.Context, namespace, cluster,
	except string) []reconcile.Request {
	nodes, err := listClusterNodes(ctx, r.Client, namespace, cluster)
	if err != nil {
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(nodes))
	for _, n := range nodes {
		if n.Name != except {
			reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{
				Namespace: n.Namespace, Name: n.Name}})
		}
	}
	return reqs
}

// serverReadinessChanged passes the updates in which a server becomes Ready or stops
// being Ready, or changes the version it runs: the events that open or close the
// other nodes' turn, which would otherwise wait for their next poll.
func serverReadinessChanged() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			oldNode, okOld := e.ObjectOld.(*lcv1.LightNode)
			newNode, okNew := e.ObjectNew.(*lcv1.LightNode)
			if !okOld || !okNew || newNode.Spec.Role != lcv1.RoleServer {
				return false
			}
			return nodeIsReady(oldNode) != nodeIsReady(newNode) ||
				oldNode.Status.InstalledVersion != newNode.Status.InstalledVersion
		},
	}
}

// Reconcile brings one LightNode's machine closer to its desired state.
func (r *LightNodeReconciler) Reconcile(ctx context.Context, req ctrl.Request) (
	ctrl.Result, error,
) {
	var node lcv1.LightNode
	if err := r.Get(ctx, req.NamespacedName, &node); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	cluster, err := r.getCluster(ctx, &node)
	if err != nil {
		return ctrl.Result{}, err
	}
	s := &nodeScope{node: &node, cluster: cluster,
		installed: node.Status.InstalledVersion != ""}

	if !node.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, s)
	}

	if !controllerutil.ContainsFinalizer(&node, lcv1.NodeFinalizer) {
		patch := client.MergeFrom(node.DeepCopy())
		controllerutil.AddFinalizer(&node, lcv1.NodeFinalizer)
		if err := r.Patch(ctx, &node, patch); err != nil {
			return ctrl.Result{}, fmt.Errorf("add finalizer: %w", err)
		}
	}

	statusPatch := client.MergeFrom(node.DeepCopy())
	err = r.reconcileNormal(ctx, s)
	if s.session != nil {
		_ = s.session.Close()
	}

	// Status follows what was seen, whatever failed.
	summarizeNode(s)
	if patchErr := r.Status().Patch(ctx, &node, statusPatch); patchErr != nil &&
		!apierrors.IsNotFound(patchErr) {
		err = kerrors.NewAggregate([]error{err, fmt.Errorf("patch status: %w", patchErr)})
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: s.requeueAfter}, nil
}

// reconcileNormal runs the phases in order until one waits or fails.
func (r *LightNodeReconciler) reconcileNormal(ctx context.Context, s *nodeScope) error {
	done, err := runPhases(ctx, s,
		r.reconcileCluster,
		r.reconcileMachineClaim,
		r.reconcileTurn,
		r.reconcileConnect,
		r.reconcileFacts,
		r.reconcileInstall,
		r.reconcileNodeReady,
	)
	if !done || err != nil {
		return err
	}
	s.requeueAfter = r.intervals().Recheck
	if s.upgradeBlocker != "" {
		s.requeueAfter = r.intervals().Poll
	}
	return nil
}

// getCluster returns the node's LightCluster, or nil when it does not exist.
func (r *LightNodeReconciler) getCluster(ctx context.Context, node *lcv1.LightNode) (
	*lcv1.LightCluster, error) {
	var cluster lcv1.LightCluster
	key := types.NamespacedName{Namespace: node.Namespace, Name: node.Spec.ClusterName}
	if err := r.Get(ctx, key, &cluster); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("read LightCluster %s: %w", key, err)
	}
	return &cluster, nil
}

// setNodeCondition sets a condition of s.node at its generation.
func setNodeCondition(s *nodeScope, typ string, status metav1.ConditionStatus,
	reason, message string) {
	setCondition(&s.node.Status.Conditions, s.node.Generation, typ, status, reason, message)
}
