//go:build envtest

package controllers

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

// TestQuorumAtRisk checks the topology condition for server counts that the
// datastore cannot survive losing a server with.
func TestQuorumAtRisk(t *testing.T) {
	tests := []struct {
		name    string
		ds      lcv1.DatastoreType
		servers int
		status  metav1.ConditionStatus
		reason  string
	}{
		{name: "one sqlite server", ds: lcv1.DatastoreSQLite, servers: 1,
			status: metav1.ConditionFalse, reason: lcv1.ReasonQuorumSafe},
		{name: "two sqlite servers", ds: lcv1.DatastoreSQLite, servers: 2,
			status: metav1.ConditionTrue, reason: lcv1.ReasonSQLiteMultipleServers},
		{name: "two etcd servers", ds: lcv1.DatastoreEtcd, servers: 2,
			status: metav1.ConditionTrue, reason: lcv1.ReasonEvenEtcdMembers},
		{name: "three etcd servers", ds: lcv1.DatastoreEtcd, servers: 3,
			status: metav1.ConditionFalse, reason: lcv1.ReasonQuorumSafe},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := newNamespace(t)
			t.Cleanup(func() { deleteClusterAndWait(t, ns, "topo") })
			create(t, newCluster(ns, "topo", tt.ds))
			for i := range tt.servers {
				create(t, newNode(t, ns, "topo", fmt.Sprintf("server-%d", i), lcv1.RoleServer,
					newMachine(t, "")))
			}
			eventually(t, "server count and quorum condition", func() error {
				c, err := getCluster(t, ns, "topo")
				if err != nil {
					return err
				}
				if c.Status.Servers.Desired != int32(tt.servers) {
					return fmt.Errorf("servers desired = %d", c.Status.Servers.Desired)
				}
				return conditionIs(c.Status.Conditions, lcv1.QuorumAtRiskCondition,
					tt.status, tt.reason)
			})
			checkZeroAgentsStored(t, ns, "topo")
		})
	}
}

// checkZeroAgentsStored checks that a cluster without agents stores its agent
// counts as zeros rather than leaving them out, so kubectl shows 0.
func checkZeroAgentsStored(t *testing.T, ns, name string) {
	t.Helper()
	var u unstructured.Unstructured
	u.SetGroupVersionKind(lcv1.GroupVersion.WithKind("LightCluster"))
	if err := suite.client.Get(ctxFor(t), client.ObjectKey{Namespace: ns, Name: name},
		&u); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"desired", "ready"} {
		v, found, err := unstructured.NestedInt64(u.Object, "status", "agents", field)
		if err != nil || !found || v != 0 {
			t.Errorf("status.agents.%s = %d (found %v, err %v), want a stored 0", field, v,
				found, err)
		}
	}
}

// TestNoSecretInEventsOrStatus provisions a node that logs in as a sudo user with
// a password and whose install fails, then scans every Event, status and
// condition message for the tokens, the private key, the sudo password and the
// CA keys.
func TestNoSecretInEventsOrStatus(t *testing.T) {
	const sudoPassword = "sudo-Pa55-9d1e0c"
	ns := newNamespace(t)
	good, failing := newMachine(t, sudoPassword), newMachine(t, sudoPassword)
	// The service never comes up on the failing machine, so every install attempt
	// fails rather than a later check finding it running.
	failing.server.FailCommands("install agent", 1, "install failed: service did not start")
	failing.server.FailCommands("rc-service lightnode-agent status", 3, "stopped")
	t.Cleanup(func() { deleteClusterAndWait(t, ns, "quiet") })

	create(t, newCluster(ns, "quiet", lcv1.DatastoreSQLite))
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "sudo"},
		Data: map[string][]byte{"password": []byte(sudoPassword)}})
	withSudo := func(n *lcv1.LightNode) *lcv1.LightNode {
		n.Spec.SSH.User = "deploy"
		n.Spec.SSH.Sudo = &lcv1.SudoSpec{PasswordSecretRef: &lcv1.SecretKeyRef{
			Name: "sudo", Key: "password"}}
		return n
	}
	create(t, withSudo(newNode(t, ns, "quiet", "server", lcv1.RoleServer, good)))
	waitNodeCondition(t, ns, "server", lcv1.RunningCondition, metav1.ConditionTrue, "")
	markNodeReady(t, ns+"-server", "10.0.0.9")
	waitNodeCondition(t, ns, "server", lcv1.ReadyCondition, metav1.ConditionTrue, "")
	create(t, withSudo(newNode(t, ns, "quiet", "agent", lcv1.RoleAgent, failing)))
	waitNodeCondition(t, ns, "agent", lcv1.InstalledCondition, metav1.ConditionFalse,
		lcv1.ReasonInstallFailed)
	waitEvent(t, ns, "server", EventJoined)

	secrets := []string{sudoPassword, string(good.key), string(failing.key)}
	for _, name := range []string{TokenSecretName("quiet"), CASecretName("quiet")} {
		for key, value := range secret(t, ns, name).Data {
			if strings.HasSuffix(key, ".crt") || strings.HasSuffix(key, ".pub") {
				continue // certificates and public keys are public
			}
			secrets = append(secrets, string(value))
			if tok := string(value); strings.Contains(tok, ":") {
				secrets = append(secrets, tok[strings.LastIndex(tok, ":")+1:])
			}
		}
	}
	for where, text := range publishedTexts(t, ns) {
		if leaked := containsAny(text, secrets); leaked != "" {
			// The text itself is not printed: it holds the secret.
			t.Errorf("%s contains a secret of %d bytes", where, len(leaked))
		}
	}
}

// publishedTexts returns every Event note and every status field and condition
// message of the namespace's LightNodes and LightClusters, keyed by where they are.
func publishedTexts(t *testing.T, ns string) map[string]string {
	t.Helper()
	texts := map[string]string{}
	var events eventsv1.EventList
	var nodes lcv1.LightNodeList
	var clusters lcv1.LightClusterList
	for _, list := range []client.ObjectList{&events, &nodes, &clusters} {
		if err := suite.client.List(ctxFor(t), list, client.InNamespace(ns)); err != nil {
			t.Fatal(err)
		}
	}
	if len(events.Items) == 0 || len(nodes.Items) == 0 {
		t.Fatalf("nothing to scan: %d events, %d nodes", len(events.Items), len(nodes.Items))
	}
	for _, e := range events.Items {
		texts["Event "+e.Name+" ("+e.Reason+")"] = e.Note
	}
	for _, n := range nodes.Items {
		texts["status of LightNode "+n.Name] = fmt.Sprintf("%+v", n.Status)
	}
	for _, c := range clusters.Items {
		texts["status of LightCluster "+c.Name] = fmt.Sprintf("%+v", c.Status)
	}
	return texts
}

// listSecrets returns the Secrets of the namespace.
func listSecrets(t *testing.T, ns string) []corev1.Secret {
	t.Helper()
	var list corev1.SecretList
	if err := suite.client.List(ctxFor(t), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	return list.Items
}
