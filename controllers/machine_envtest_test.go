//go:build envtest

package controllers

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/ssh"
)

// TestHostKeyMismatchAndRetrust changes a machine's host key after the first
// contact: the operator must stop running commands there until the re-trust
// annotation accepts the new key, once.
func TestHostKeyMismatchAndRetrust(t *testing.T) {
	ns := newNamespace(t)
	m := newMachine(t, "")
	t.Cleanup(func() { deleteClusterAndWait(t, ns, "keys") })
	create(t, newCluster(ns, "keys", lcv1.DatastoreSQLite))
	create(t, newNode(t, ns, "keys", "server", lcv1.RoleServer, m))
	first := waitNodeCondition(t, ns, "server", lcv1.RunningCondition, metav1.ConditionTrue, "")
	if want := ssh.NewHostKey(m.server.HostKey()).AuthorizedKey; first.Status.HostKey != want {
		t.Fatalf("recorded hostKey = %q, want %q", first.Status.HostKey, want)
	}

	rotated := ssh.NewHostKey(m.server.RotateHostKey(t)).AuthorizedKey
	node := waitNodeCondition(t, ns, "server", lcv1.ReachableCondition, metav1.ConditionFalse,
		lcv1.ReasonHostKeyMismatch)
	if node.Status.HostKey != first.Status.HostKey {
		t.Errorf("hostKey changed to %q on a mismatch", node.Status.HostKey)
	}
	if node.Status.Phase != lcv1.NodeFailed {
		t.Errorf("phase = %s, want Failed", node.Status.Phase)
	}

	// Nothing runs on the machine while the key does not match, however often the
	// operator tries.
	execs, conns := m.server.Execs(), m.server.Connections()
	bump(t, ns, "server", "lightcluster.dev/poke", "1")
	eventually(t, "another connection attempt", func() error {
		if m.server.Connections() == conns {
			return fmt.Errorf("no new connection yet")
		}
		return nil
	})
	if got := m.server.Execs(); got != execs {
		t.Errorf("%d commands ran on a machine with a mismatched host key", got-execs)
	}

	bump(t, ns, "server", lcv1.RetrustHostKeyAnnotation, "true")
	eventually(t, "new host key accepted once", func() error {
		n, err := getNode(t, ns, "server")
		if err != nil {
			return err
		}
		if n.Status.HostKey != rotated {
			return fmt.Errorf("hostKey = %q, want the rotated key", n.Status.HostKey)
		}
		if _, ok := n.Annotations[lcv1.RetrustHostKeyAnnotation]; ok {
			return fmt.Errorf("re-trust annotation still set")
		}
		return conditionIs(n.Status.Conditions, lcv1.ReachableCondition,
			metav1.ConditionTrue, lcv1.ReasonReady)
	})
	waitEvent(t, ns, "server", EventHostKeyRetrusted)
}

// TestPausedClusterChangesNothing creates a node in a paused cluster: the
// machine must not even be logged in to until the cluster is unpaused.
func TestPausedClusterChangesNothing(t *testing.T) {
	ns := newNamespace(t)
	m := newMachine(t, "")
	t.Cleanup(func() { deleteClusterAndWait(t, ns, "paused") })
	cluster := newCluster(ns, "paused", lcv1.DatastoreSQLite)
	cluster.Spec.Paused = true
	create(t, cluster)
	create(t, newNode(t, ns, "paused", "server", lcv1.RoleServer, m))

	node := waitNodeCondition(t, ns, "server", lcv1.ReadyCondition, metav1.ConditionFalse,
		lcv1.ReasonPaused)
	if !controllerHasFinalizer(node) {
		t.Error("paused node has no finalizer")
	}
	c := waitClusterCondition(t, ns, "paused", lcv1.ReadyCondition, metav1.ConditionFalse,
		lcv1.ReasonPaused)
	if c.Status.Phase != lcv1.ClusterPaused {
		t.Errorf("cluster phase = %s, want Paused", c.Status.Phase)
	}
	if got := m.server.Connections(); got != 0 {
		t.Errorf("the operator connected %d times to a machine of a paused cluster", got)
	}

	// Unpausing lets the installation proceed.
	patch := client.MergeFrom(c.DeepCopy())
	c.Spec.Paused = false
	if err := suite.client.Patch(ctxFor(t), c, patch); err != nil {
		t.Fatal(err)
	}
	waitNodeCondition(t, ns, "server", lcv1.RunningCondition, metav1.ConditionTrue, "")
	if got := m.calls(); got != "install server\n" {
		t.Errorf("calls after unpausing = %q, want one install", got)
	}
}

// TestDeletionWithUnreachableMachine deletes a LightNode whose machine is gone:
// the finalizer must finish once the uninstall timeout has passed, with an event.
func TestDeletionWithUnreachableMachine(t *testing.T) {
	ns := newNamespace(t)
	m := newMachine(t, "")
	t.Cleanup(func() { deleteClusterAndWait(t, ns, "gone") })
	create(t, newCluster(ns, "gone", lcv1.DatastoreSQLite))
	create(t, newNode(t, ns, "gone", "server", lcv1.RoleServer, m))
	node := waitNodeCondition(t, ns, "server", lcv1.InstalledCondition, metav1.ConditionTrue, "")

	m.server.Close()
	if err := suite.client.Delete(ctxFor(t), node); err != nil {
		t.Fatal(err)
	}
	waitNodeCondition(t, ns, "server", lcv1.ReadyCondition, metav1.ConditionFalse,
		lcv1.ReasonDeleting)
	eventually(t, "LightNode gone", func() error {
		if _, err := getNode(t, ns, "server"); err == nil {
			return fmt.Errorf("LightNode still exists")
		}
		return nil
	})
	waitEvent(t, ns, "server", lcv1.ReasonUninstallSkipped)
	if notes := eventNotes(t, ns, "server", EventUninstalled); len(notes) > 0 {
		t.Errorf("Uninstalled event for a machine that was never reached: %q", notes)
	}
}

// TestCatalogAndClusterProblems checks the conditions of nodes that cannot be
// provisioned for reasons outside the machine.
func TestCatalogAndClusterProblems(t *testing.T) {
	ns := newNamespace(t)
	m := newMachine(t, "")
	t.Cleanup(func() { deleteClusterAndWait(t, ns, "future") })

	cluster := newCluster(ns, "future", lcv1.DatastoreSQLite)
	cluster.Spec.Version = "v1.99.0"
	create(t, cluster)
	create(t, newNode(t, ns, "future", "server", lcv1.RoleServer, m))
	node := waitNodeCondition(t, ns, "server", lcv1.InstalledCondition, metav1.ConditionFalse,
		lcv1.ReasonVersionNotInCatalog)
	if node.Status.Phase != lcv1.NodeFailed {
		t.Errorf("phase = %s, want Failed", node.Status.Phase)
	}
	if m.calls() != "" {
		t.Errorf("lightnode ran although the catalog lacks the version: %q", m.calls())
	}

	orphan := newNode(t, ns, "missing", "orphan", lcv1.RoleAgent, newMachine(t, ""))
	create(t, orphan)
	waitNodeCondition(t, ns, "orphan", lcv1.ReadyCondition, metav1.ConditionFalse,
		lcv1.ReasonClusterNotFound)
	if err := suite.client.Delete(ctxFor(t), orphan); err != nil {
		t.Fatal(err)
	}
}

// TestLoopbackEndpointIsRefused leaves the endpoint to the initial server, whose
// address is a loopback one: the kubeconfig must not be written.
func TestLoopbackEndpointIsRefused(t *testing.T) {
	ns := newNamespace(t)
	m := newMachine(t, "")
	t.Cleanup(func() { deleteClusterAndWait(t, ns, "local") })
	cluster := newCluster(ns, "local", lcv1.DatastoreSQLite)
	cluster.Spec.ControlPlaneEndpoint = nil
	create(t, cluster)
	create(t, newNode(t, ns, "local", "server", lcv1.RoleServer, m))

	waitClusterCondition(t, ns, "local", lcv1.KubeconfigReadyCondition, metav1.ConditionFalse,
		lcv1.ReasonInvalidEndpoint)
	var secrets []string
	for _, s := range listSecrets(t, ns) {
		secrets = append(secrets, s.Name)
	}
	for _, name := range secrets {
		if name == "local-kubeconfig" {
			t.Errorf("kubeconfig Secret written for a loopback endpoint")
		}
	}
}

// bump sets an annotation on a LightNode, which makes the controller look again.
func bump(t *testing.T, ns, name, key, value string) {
	t.Helper()
	n, err := getNode(t, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(n.DeepCopy())
	metav1.SetMetaDataAnnotation(&n.ObjectMeta, key, value)
	if err := suite.client.Patch(ctxFor(t), n, patch); err != nil {
		t.Fatal(err)
	}
}

// controllerHasFinalizer reports whether the node carries the node finalizer.
func controllerHasFinalizer(n *lcv1.LightNode) bool {
	for _, f := range n.Finalizers {
		if f == lcv1.NodeFinalizer {
			return true
		}
	}
	return false
}

// TestDeletionDrainsAndDeletesNode deletes a Ready agent whose Node runs a pod:
// the Node must be cordoned, the pod evicted, the Node deleted and the machine
// uninstalled.
func TestDeletionDrainsAndDeletesNode(t *testing.T) {
	ns := newNamespace(t)
	server, agent := newMachine(t, ""), newMachine(t, "")
	t.Cleanup(func() { deleteClusterAndWait(t, ns, "drain") })
	create(t, newCluster(ns, "drain", lcv1.DatastoreSQLite))
	create(t, newNode(t, ns, "drain", "server", lcv1.RoleServer, server))
	waitNodeCondition(t, ns, "server", lcv1.RunningCondition, metav1.ConditionTrue, "")
	markNodeReady(t, ns+"-server", "10.0.1.1")
	create(t, newNode(t, ns, "drain", "agent", lcv1.RoleAgent, agent))
	waitNodeCondition(t, ns, "agent", lcv1.RunningCondition, metav1.ConditionTrue, "")
	markNodeReady(t, ns+"-agent", "10.0.1.2")
	node := waitNodeCondition(t, ns, "agent", lcv1.ReadyCondition, metav1.ConditionTrue, "")

	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: corev1.PodSpec{NodeName: ns + "-agent",
			Containers: []corev1.Container{{Name: "web", Image: "example/web"}}}}
	create(t, pod)
	if err := suite.client.Delete(ctxFor(t), node); err != nil {
		t.Fatal(err)
	}

	eventually(t, "Node deleted and machine uninstalled", func() error {
		var n corev1.Node
		err := suite.client.Get(ctxFor(t), client.ObjectKey{Name: ns + "-agent"}, &n)
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("Node still there (unschedulable %v, err %v)",
				n.Spec.Unschedulable, err)
		}
		if !strings.HasSuffix(agent.calls(), "uninstall\n") {
			return fmt.Errorf("machine calls = %q", agent.calls())
		}
		return nil
	})
	var evicted corev1.Pod
	err := suite.client.Get(ctxFor(t), client.ObjectKeyFromObject(pod), &evicted)
	if err == nil && evicted.DeletionTimestamp.IsZero() {
		t.Error("pod on the deleted node was not evicted")
	}
	waitEvent(t, ns, "agent", EventUninstalled)
}

// TestAuthRefused points a node at a machine that does not accept its key: the
// node reports AuthFailed and nothing runs there.
func TestAuthRefused(t *testing.T) {
	ns := newNamespace(t)
	accepted, refusing := newMachine(t, ""), newMachine(t, "")
	t.Cleanup(func() { deleteClusterAndWait(t, ns, "auth") })
	create(t, newCluster(ns, "auth", lcv1.DatastoreSQLite))
	node := newNode(t, ns, "auth", "server", lcv1.RoleServer, refusing)
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "other-key"},
		Data: map[string][]byte{"ssh-privatekey": accepted.key}})
	node.Spec.SSH.PrivateKeySecretRef.Name = "other-key"
	create(t, node)

	got := waitNodeCondition(t, ns, "server", lcv1.ReachableCondition, metav1.ConditionFalse,
		lcv1.ReasonAuthFailed)
	if got.Status.Phase != lcv1.NodeConnecting {
		t.Errorf("phase = %s, want Connecting", got.Status.Phase)
	}
	if n := refusing.server.Execs(); n != 0 {
		t.Errorf("%d commands ran on a machine that refused the key", n)
	}
}

// TestSecondLightNodeForAMachine points a second LightNode, in another namespace, at
// a machine a Ready node owns: it is refused with MachineInUse, runs nothing there,
// and deleting it leaves the machine and the owner alone.
func TestSecondLightNodeForAMachine(t *testing.T) {
	ns, other := newNamespace(t), newNamespace(t)
	server := newMachine(t, "")
	t.Cleanup(func() { deleteClusterAndWait(t, ns, "owner") })
	t.Cleanup(func() { deleteClusterAndWait(t, other, "intruder") })
	create(t, newCluster(ns, "owner", lcv1.DatastoreSQLite))
	create(t, newNode(t, ns, "owner", "server", lcv1.RoleServer, server))
	waitNodeCondition(t, ns, "server", lcv1.RunningCondition, metav1.ConditionTrue, "")
	markNodeReady(t, ns+"-server", "10.0.2.1")
	waitNodeCondition(t, ns, "server", lcv1.ReadyCondition, metav1.ConditionTrue, "")
	before := server.calls()

	create(t, newCluster(other, "intruder", lcv1.DatastoreSQLite))
	dup := newNode(t, other, "intruder", "server", lcv1.RoleServer, server)
	dup.Spec.SSH.Address = lcv1.Host(strings.ToUpper(string(dup.Spec.SSH.Address)))
	create(t, dup)
	got := waitNodeCondition(t, other, "server", lcv1.ReadyCondition, metav1.ConditionFalse,
		lcv1.ReasonMachineInUse)
	if msg := conditionMessage(got, lcv1.ReadyCondition); !strings.Contains(msg,
		ns+"/server") {
		t.Errorf("Ready message %q does not name the owner %s/server", msg, ns)
	}

	if err := suite.client.Delete(ctxFor(t), dup); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the second LightNode gone", func() error {
		if _, err := getNode(t, other, "server"); !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there (err %v)", err)
		}
		return nil
	})
	if after := server.calls(); after != before {
		t.Errorf("the second LightNode ran on the machine: calls went from %q to %q",
			before, after)
	}
	waitNodeCondition(t, ns, "server", lcv1.ReadyCondition, metav1.ConditionTrue, "")
}

// conditionMessage returns the message of condition typ of n.
func conditionMessage(n *lcv1.LightNode, typ string) string {
	for _, c := range n.Status.Conditions {
		if c.Type == typ {
			return c.Message
		}
	}
	return ""
}
