//go:build envtest

package controllers

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/sshtest"
)

// waitTimeout bounds every wait of a test.
const waitTimeout = 45 * time.Second

// machine is a simulated host: an in-process SSH server and a root directory that
// stands for its file system.
type machine struct {
	server *sshtest.Server
	root   string
	key    []byte
}

// newMachine starts a simulated host; sudoPassword, when set, is what its sudo asks.
func newMachine(t testing.TB, sudoPassword string) *machine {
	t.Helper()
	signer, key := sshtest.NewClientKey(t)
	srv := sshtest.New(t, sshtest.Options{AuthorizedKey: signer.PublicKey(),
		SudoPassword: sudoPassword})
	return &machine{server: srv, root: t.TempDir(), key: key}
}

// calls returns the lightnode invocations the machine recorded.
func (m *machine) calls() string {
	data, _ := os.ReadFile(filepath.Join(m.root, "calls"))
	return string(data)
}

// file returns the content of a file under the machine's root, "" when absent.
func (m *machine) file(rel string) string {
	data, _ := os.ReadFile(filepath.Join(m.root, rel))
	return string(data)
}

// ctxFor returns a context bounded by waitTimeout that ends with the test.
func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// eventually calls check until it returns nil or waitTimeout passes, then fails
// the test with the last error.
func eventually(t testing.TB, what string, check func() error) {
	t.Helper()
	eventuallyWithin(t, waitTimeout, what, check)
}

// eventuallyWithin is eventually with a deadline of its own.
func eventuallyWithin(t testing.TB, waitTimeout time.Duration, what string,
	check func() error) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	var err error
	for time.Now().Before(deadline) {
		if err = check(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: still failing after %s: %v", what, waitTimeout, err)
}

// newNamespace creates a namespace for one test.
func newNamespace(t testing.TB) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "lc-test-"}}
	if err := suite.client.Create(ctxFor(t), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

// create creates obj and fails the test on error.
func create(t testing.TB, obj client.Object) {
	t.Helper()
	if err := suite.client.Create(ctxFor(t), obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

// newCluster returns a LightCluster with a control-plane endpoint, so that the
// kubeconfig never points at the loopback address the simulated hosts listen on.
func newCluster(ns, name string, ds lcv1.DatastoreType) *lcv1.LightCluster {
	return &lcv1.LightCluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: lcv1.LightClusterSpec{Version: testVersion,
			Datastore:            lcv1.Datastore{Type: ds},
			ControlPlaneEndpoint: &lcv1.Endpoint{Host: "api.test.example", Port: 6443}},
	}
}

// newNode returns a LightNode for machine m, with its key Secret created, and
// with its directories under the machine's root.
func newNode(t testing.TB, ns, cluster, name string, role lcv1.NodeRole,
	m *machine) *lcv1.LightNode {
	t.Helper()
	keySecret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-ssh"},
		Data: map[string][]byte{"ssh-privatekey": m.key}}
	create(t, keySecret)
	return &lcv1.LightNode{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: lcv1.LightNodeSpec{ClusterName: cluster, Role: role, NodeName: ns + "-" + name,
			SSH: lcv1.SSHSpec{Address: lcv1.Host(m.server.Host()), Port: int32(m.server.Port()),
				User: "root", PrivateKeySecretRef: lcv1.SSHKeySecretRef{Name: keySecret.Name}},
			DataDir:    filepath.Join(m.root, "data"),
			InstallDir: filepath.Join(m.root, "bin"),
		},
	}
}

// getNode reads the LightNode ns/name.
func getNode(t testing.TB, ns, name string) (*lcv1.LightNode, error) {
	var n lcv1.LightNode
	err := suite.client.Get(ctxFor(t), types.NamespacedName{Namespace: ns, Name: name}, &n)
	return &n, err
}

// getCluster reads the LightCluster ns/name.
func getCluster(t testing.TB, ns, name string) (*lcv1.LightCluster, error) {
	var c lcv1.LightCluster
	err := suite.client.Get(ctxFor(t), types.NamespacedName{Namespace: ns, Name: name}, &c)
	return &c, err
}

// conditionIs checks the status and reason of one condition.
func conditionIs(conds []metav1.Condition, typ string, status metav1.ConditionStatus,
	reason string) error {
	c := meta.FindStatusCondition(conds, typ)
	if c == nil {
		return fmt.Errorf("no condition %s", typ)
	}
	if c.Status != status || (reason != "" && c.Reason != reason) {
		return fmt.Errorf("condition %s = %s/%s (%s), want %s/%s",
			typ, c.Status, c.Reason, c.Message, status, reason)
	}
	return nil
}

// waitNodeCondition waits until the LightNode's condition has status and reason.
func waitNodeCondition(t testing.TB, ns, name, typ string, status metav1.ConditionStatus,
	reason string) *lcv1.LightNode {
	t.Helper()
	var node *lcv1.LightNode
	eventually(t, fmt.Sprintf("LightNode %s condition %s", name, typ), func() error {
		var err error
		if node, err = getNode(t, ns, name); err != nil {
			return err
		}
		return conditionIs(node.Status.Conditions, typ, status, reason)
	})
	return node
}

// waitClusterCondition waits until the LightCluster's condition has status and reason.
func waitClusterCondition(t testing.TB, ns, name, typ string, status metav1.ConditionStatus,
	reason string) *lcv1.LightCluster {
	t.Helper()
	var c *lcv1.LightCluster
	eventually(t, fmt.Sprintf("LightCluster %s condition %s", name, typ), func() error {
		var err error
		if c, err = getCluster(t, ns, name); err != nil {
			return err
		}
		return conditionIs(c.Status.Conditions, typ, status, reason)
	})
	return c
}

// markNodeReady creates the Kubernetes Node name, as a kubelet would, and reports
// it Ready. The Node is removed when the test ends.
func markNodeReady(t testing.TB, name, ip string) {
	t.Helper()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
	create(t, node)
	t.Cleanup(func() { _ = suite.client.Delete(context.Background(), node) })
	node.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady,
		Status: corev1.ConditionTrue, Reason: "KubeletReady", LastHeartbeatTime: metav1.Now()}}
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: ip}}
	if err := suite.client.Status().Update(ctxFor(t), node); err != nil {
		t.Fatalf("mark Node %s Ready: %v", name, err)
	}
}

// eventNotes returns the notes of the Events about LightNode name with reason.
func eventNotes(t testing.TB, ns, name, reason string) []string {
	t.Helper()
	var list eventsv1.EventList
	if err := suite.client.List(ctxFor(t), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, e := range list.Items {
		if e.Regarding.Name == name && (reason == "" || e.Reason == reason) {
			notes = append(notes, e.Note)
		}
	}
	return notes
}

// waitEvent waits for an Event with reason about the object name.
func waitEvent(t testing.TB, ns, name, reason string) []string {
	t.Helper()
	var notes []string
	eventually(t, fmt.Sprintf("Event %s about %s", reason, name), func() error {
		if notes = eventNotes(t, ns, name, reason); len(notes) == 0 {
			return fmt.Errorf("no Event %s yet", reason)
		}
		return nil
	})
	return notes
}

// deleteClusterAndWait deletes the cluster and waits until it and its nodes are
// gone; tests call it through t.Cleanup so that no machine outlives its test.
func deleteClusterAndWait(t testing.TB, ns, name string) {
	t.Helper()
	c := &lcv1.LightCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	if err := suite.client.Delete(context.Background(), c); err != nil && !apierrors.IsNotFound(err) {
		t.Errorf("delete cluster: %v", err)
		return
	}
	// Large clusters take a while: every machine is uninstalled.
	eventuallyWithin(t, 10*time.Minute, "cluster "+name+" deleted", func() error {
		var nodes lcv1.LightNodeList
		if err := suite.client.List(context.Background(), &nodes, client.InNamespace(ns)); err != nil {
			return err
		}
		if len(nodes.Items) > 0 {
			return fmt.Errorf("%d LightNodes left", len(nodes.Items))
		}
		_, err := getCluster(t, ns, name)
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("cluster still exists (err %v)", err)
	})
}

// containsAny returns the first of secrets that text contains, or "".
func containsAny(text string, secrets []string) string {
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			return s
		}
	}
	return ""
}
