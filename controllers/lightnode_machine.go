package controllers

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

// MachineField indexes LightNodes by the machine they reach: SSH address and port.
const MachineField = "spec.ssh.machine"

// machineKey names the machine a LightNode reaches, the same for every spelling of
// its address's case and for a default or explicit port 22.
func machineKey(node *lcv1.LightNode) string {
	port := int(node.Spec.SSH.Port)
	if port == 0 {
		port = 22
	}
	return strings.ToLower(string(node.Spec.SSH.Address)) + ":" + strconv.Itoa(port)
}

// machineOwner returns the LightNode, in any namespace, that owns node's machine: of
// those that reach it, the one that has already logged in to it, else the oldest by
// creation time, then namespace and name. Only the owner installs on the machine or
// uninstalls from it.
func (r *LightNodeReconciler) machineOwner(ctx context.Context, node *lcv1.LightNode) (
	*lcv1.LightNode, error) {
	var list lcv1.LightNodeList
	if err := r.List(ctx, &list, client.MatchingFields{MachineField: machineKey(node)}); err != nil {
		return nil, fmt.Errorf("list LightNodes of machine %s: %w", machineKey(node), err)
	}
	claimants := append(list.Items, *node)
	owner := slices.MinFunc(claimants, claimFirst)
	return &owner, nil
}

// claimFirst orders the LightNodes that reach one machine: one that has logged in to
// it (it recorded the host key) before one that has not, then olderFirst. Creation
// times have a resolution of one second, so without the first rule a LightNode
// created in the same second as the machine's owner could take the machine from it by
// the order of their names.
func claimFirst(a, b lcv1.LightNode) int {
	if ra, rb := a.Status.HostKey != "", b.Status.HostKey != ""; ra != rb {
		if ra {
			return -1
		}
		return 1
	}
	return olderFirst(a, b)
}

// reconcileMachineClaim stops a LightNode whose machine another LightNode owns:
// nothing is run there, and the node says which LightNode holds the machine.
func (r *LightNodeReconciler) reconcileMachineClaim(ctx context.Context, s *nodeScope) error {
	owner, err := r.machineOwner(ctx, s.node)
	if err != nil {
		return err
	}
	if owner.UID == s.node.UID {
		return nil
	}
	message := fmt.Sprintf("Machine %s belongs to LightNode %s/%s; nothing is run on it. "+
		"Point spec.ssh.address at another machine, or delete this LightNode",
		machineKey(s.node), owner.Namespace, owner.Name)
	setNodeCondition(s, lcv1.ReachableCondition, metav1.ConditionFalse,
		lcv1.ReasonMachineInUse, message)
	s.holdReady(lcv1.ReasonMachineInUse, message)
	s.requeueAfter = r.intervals().Recheck
	return errTerminal
}
