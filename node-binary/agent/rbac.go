package agent

import (
	"context"
	"fmt"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// NodeNetworkRole is the ClusterRole, bound to every node, that lets flannel (which
// runs with the node's credentials) see all Nodes for their pod subnets and record its
// lease on its own Node. The Node authorizer lets a node read only its own Node, and
// NodeRestriction still keeps each node to patching its own.
const NodeNetworkRole = "lightnode:node-network"

// EnsureNodeNetworkRBAC creates or updates NodeNetworkRole and its binding to the
// system:nodes group, with the admin kubeconfig of a server, retrying until ctx is
// done while the API server is not up yet.
func EnsureNodeNetworkRBAC(ctx context.Context, adminKubeconfig string) error {
	for {
		err := ensureNodeNetworkRBAC(ctx, adminKubeconfig)
		if err == nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(2 * time.Second):
		}
	}
}

// ensureNodeNetworkRBAC makes one attempt.
func ensureNodeNetworkRBAC(ctx context.Context, adminKubeconfig string) error {
	rc, err := clientcmd.BuildConfigFromFlags("", adminKubeconfig)
	if err != nil {
		return fmt.Errorf("node network role: %w", err)
	}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return fmt.Errorf("node network role: %w", err)
	}
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: NodeNetworkRole},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"nodes"},
				Verbs: []string{"get", "list", "watch", "patch"}},
			{APIGroups: []string{""}, Resources: []string{"nodes/status"},
				Verbs: []string{"patch"}},
		},
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: NodeNetworkRole},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole",
			Name: NodeNetworkRole},
		Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind,
			Name: "system:nodes"}},
	}
	rbac := cs.RbacV1()
	if _, err := rbac.ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil &&
		!apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create %s: %w", NodeNetworkRole, err)
	}
	_, err = rbac.ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("bind %s: %w", NodeNetworkRole, err)
	}
	return nil
}
