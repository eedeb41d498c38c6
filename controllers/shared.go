package controllers

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

// ClusterNameField indexes LightNodes by spec.clusterName.
const ClusterNameField = "spec.clusterName"

// Keys of the cluster's token Secret.
const (
	// ServerTokenKey holds the full server join token.
	ServerTokenKey = "server-token"
	// AgentTokenKey holds the full agent join token.
	AgentTokenKey = "agent-token"
)

// APIServerPort is the port of a server's Kubernetes API and join endpoints.
const APIServerPort = 6443

// specOrLifecycleChanged passes changes of spec, annotations, finalizers and
// deletion, but not a controller's own status writes, which would otherwise start
// another pass (for LightNodes, another SSH session).
func specOrLifecycleChanged() predicate.Predicate {
	return predicate.Or(predicate.GenerationChangedPredicate{},
		predicate.AnnotationChangedPredicate{},
		predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
			oldDel, newDel := e.ObjectOld.GetDeletionTimestamp(), e.ObjectNew.GetDeletionTimestamp()
			return !oldDel.Equal(newDel) ||
				len(e.ObjectOld.GetFinalizers()) != len(e.ObjectNew.GetFinalizers())
		}})
}

// SetupIndexes registers the field indexes that both controllers list by. Call it
// once per manager, before setting up the controllers.
func SetupIndexes(ctx context.Context, mgr ctrl.Manager) error {
	err := mgr.GetFieldIndexer().IndexField(ctx, &lcv1.LightNode{}, ClusterNameField,
		func(obj client.Object) []string {
			node, ok := obj.(*lcv1.LightNode)
			if !ok {
				return nil
			}
			return []string{node.Spec.ClusterName}
		})
	if err != nil {
		return fmt.Errorf("index LightNodes by cluster: %w", err)
	}
	err = mgr.GetFieldIndexer().IndexField(ctx, &lcv1.LightNode{}, MachineField,
		func(obj client.Object) []string {
			node, ok := obj.(*lcv1.LightNode)
			if !ok {
				return nil
			}
			return []string{machineKey(node)}
		})
	if err != nil {
		return fmt.Errorf("index LightNodes by machine: %w", err)
	}
	return nil
}

// CASecretName returns the name of the Secret holding a cluster's CA set.
func CASecretName(cluster string) string {
	return cluster + "-ca"
}

// TokenSecretName returns the name of the Secret holding a cluster's join tokens.
func TokenSecretName(cluster string) string {
	return cluster + "-token"
}

// listClusterNodes returns the LightNodes of the cluster namespace/name.
func listClusterNodes(ctx context.Context, r client.Reader, namespace, name string) (
	[]lcv1.LightNode, error,
) {
	var list lcv1.LightNodeList
	err := r.List(ctx, &list, client.InNamespace(namespace),
		client.MatchingFields{ClusterNameField: name})
	if err != nil {
		return nil, fmt.Errorf("list LightNodes of cluster %s/%s: %w", namespace, name, err)
	}
	return list.Items, nil
}

// setCondition sets a condition observed at generation.
func setCondition(conds *[]metav1.Condition, generation int64, typ string,
	status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(conds, metav1.Condition{Type: typ, Status: status,
		Reason: reason, Message: message, ObservedGeneration: generation})
}

// isTrue reports whether the condition typ is True.
func isTrue(conds []metav1.Condition, typ string) bool {
	return meta.IsStatusConditionTrue(conds, typ)
}

// nodeIsReady reports whether a LightNode's Ready condition is True.
func nodeIsReady(node *lcv1.LightNode) bool {
	return node.DeletionTimestamp.IsZero() && isTrue(node.Status.Conditions, lcv1.ReadyCondition)
}
