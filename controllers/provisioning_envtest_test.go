//go:build envtest

package controllers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/clusterclient"
	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/internal/ssh"
)

// TestProvisioningOrderStatusAndDeletion provisions one server and one agent,
// checking that the agent waits for the server, what lands on the machines, the
// status of both kinds, drift repair, and that deleting the cluster uninstalls
// both machines and removes the Secrets.
func TestProvisioningOrderStatusAndDeletion(t *testing.T) {
	ns := newNamespace(t)
	server, agent := newMachine(t, ""), newMachine(t, "")
	t.Cleanup(func() { deleteClusterAndWait(t, ns, "demo") })

	// The agent exists first, but must wait for a Ready server.
	create(t, newCluster(ns, "demo", lcv1.DatastoreEtcd))
	create(t, newNode(t, ns, "demo", "agent", lcv1.RoleAgent, agent))
	waitNodeCondition(t, ns, "agent", lcv1.ReadyCondition, metav1.ConditionFalse,
		lcv1.ReasonWaitingForServer)
	create(t, newNode(t, ns, "demo", "server", lcv1.RoleServer, server))

	srv := waitNodeCondition(t, ns, "server", lcv1.NodeReadyCondition, metav1.ConditionFalse,
		lcv1.ReasonNodeNotRegistered)
	if err := conditionIs(srv.Status.Conditions, lcv1.RunningCondition,
		metav1.ConditionTrue, lcv1.ReasonReady); err != nil {
		t.Error(err)
	}
	if got := server.calls(); got != "install server\n" {
		t.Errorf("server machine calls = %q, want one install server", got)
	}
	if got := agent.calls(); got != "" {
		t.Errorf("agent machine was touched before a server was Ready: %q", got)
	}
	waitNodeCondition(t, ns, "agent", lcv1.ReadyCondition, metav1.ConditionFalse,
		lcv1.ReasonWaitingForServer)

	// A kubelet registers the server; then the agent's turn comes.
	markNodeReady(t, ns+"-server", "10.0.0.1")
	srv = waitNodeCondition(t, ns, "server", lcv1.ReadyCondition, metav1.ConditionTrue, "")
	waitNodeCondition(t, ns, "agent", lcv1.NodeReadyCondition, metav1.ConditionFalse,
		lcv1.ReasonNodeNotRegistered)
	markNodeReady(t, ns+"-agent", "10.0.0.2")
	agt := waitNodeCondition(t, ns, "agent", lcv1.ReadyCondition, metav1.ConditionTrue, "")

	t.Run("node status", func(t *testing.T) {
		checkNodeStatus(t, srv, server, ns+"-server", "10.0.0.1")
		checkNodeStatus(t, agt, agent, ns+"-agent", "10.0.0.2")
	})
	t.Run("cluster status", func(t *testing.T) { checkReadyCluster(t, ns) })
	t.Run("machine files", func(t *testing.T) { checkMachineFiles(t, ns, server, agent) })
	t.Run("events", func(t *testing.T) {
		for _, reason := range []string{EventInstalled, EventJoined} {
			waitEvent(t, ns, "server", reason)
			waitEvent(t, ns, "agent", reason)
		}
		waitEvent(t, ns, "demo", EventCertificatesCreated)
	})
	t.Run("drift is repaired", func(t *testing.T) { checkDriftRepair(t, ns, agent) })

	t.Run("deleting the cluster uninstalls its machines", func(t *testing.T) {
		deleteClusterAndWait(t, ns, "demo")
		for name, m := range map[string]*machine{"server": server, "agent": agent} {
			if !strings.HasSuffix(m.calls(), "uninstall\n") {
				t.Errorf("%s machine calls = %q, want a final uninstall", name, m.calls())
			}
			if _, err := os.Stat(filepath.Join(m.root, "bin", "lightnode")); !os.IsNotExist(err) {
				t.Errorf("%s machine still has the binary (stat error %v)", name, err)
			}
		}
		for _, name := range []string{CASecretName("demo"), TokenSecretName("demo"),
			clusterclient.SecretName("demo")} {
			var s corev1.Secret
			err := suite.client.Get(ctxFor(t), types.NamespacedName{Namespace: ns, Name: name}, &s)
			if !apierrors.IsNotFound(err) {
				t.Errorf("Secret %s after deletion: err = %v, want NotFound", name, err)
			}
		}
		waitEvent(t, ns, "agent", EventUninstalled)
	})
}

// checkNodeStatus checks what a Ready LightNode reports about its machine.
func checkNodeStatus(t *testing.T, n *lcv1.LightNode, m *machine, nodeName, ip string) {
	t.Helper()
	if n.Status.Phase != lcv1.NodeReady {
		t.Errorf("%s phase = %s, want Ready", n.Name, n.Status.Phase)
	}
	if want := ssh.NewHostKey(m.server.HostKey()).AuthorizedKey; n.Status.HostKey != want {
		t.Errorf("%s hostKey = %q, want %q", n.Name, n.Status.HostKey, want)
	}
	if n.Status.Facts == nil || n.Status.Facts.Arch != "amd64" ||
		n.Status.Facts.InitSystem != "openrc" {
		t.Errorf("%s facts = %+v, want amd64 with openrc", n.Name, n.Status.Facts)
	}
	if n.Status.NodeName != nodeName || n.Status.NodeIP != ip {
		t.Errorf("%s node = %s/%s, want %s/%s", n.Name, n.Status.NodeName, n.Status.NodeIP,
			nodeName, ip)
	}
	if n.Status.InstalledVersion != testVersion || !strings.HasPrefix(n.Status.BinaryDigest,
		"sha256:") {
		t.Errorf("%s installed %q digest %q", n.Name, n.Status.InstalledVersion,
			n.Status.BinaryDigest)
	}
	if n.Status.ObservedGeneration != n.Generation {
		t.Errorf("%s observedGeneration = %d, want %d", n.Name, n.Status.ObservedGeneration,
			n.Generation)
	}
}

// checkReadyCluster checks the aggregated status and the Secrets of a Ready cluster.
func checkReadyCluster(t *testing.T, ns string) {
	t.Helper()
	c := waitClusterCondition(t, ns, "demo", lcv1.ReadyCondition, metav1.ConditionTrue, "")
	for _, typ := range []string{lcv1.ControlPlaneReadyCondition,
		lcv1.KubeconfigReadyCondition, lcv1.CertificatesReadyCondition} {
		if err := conditionIs(c.Status.Conditions, typ, metav1.ConditionTrue, ""); err != nil {
			t.Error(err)
		}
	}
	want := lcv1.LightClusterStatus{Servers: lcv1.NodeCounts{Desired: 1, Ready: 1},
		Agents: lcv1.NodeCounts{Desired: 1, Ready: 1}, Phase: lcv1.ClusterReady,
		InitialServer: "server", Endpoint: "https://api.test.example:6443",
		KubeconfigSecretName: "demo-kubeconfig", Version: testVersion}
	got := c.Status
	if got.Servers != want.Servers || got.Agents != want.Agents || got.Phase != want.Phase ||
		got.InitialServer != want.InitialServer || got.Endpoint != want.Endpoint ||
		got.KubeconfigSecretName != want.KubeconfigSecretName || got.Version != want.Version {
		t.Errorf("cluster status = %+v, want %+v", got, want)
	}

	for _, name := range []string{CASecretName("demo"), TokenSecretName("demo"),
		"demo-kubeconfig"} {
		s := secret(t, ns, name)
		if s.Labels[lcv1.ClusterNameLabel] != "demo" || len(s.OwnerReferences) != 1 ||
			s.OwnerReferences[0].Name != "demo" {
			t.Errorf("Secret %s labels %v owners %v, want owned and labelled by demo",
				name, s.Labels, s.OwnerReferences)
		}
	}
	kc, err := clientcmd.Load(secret(t, ns, "demo-kubeconfig").Data["value"])
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range kc.Clusters {
		if cl.Server != "https://api.test.example:6443" {
			t.Errorf("kubeconfig server = %s, want the control-plane endpoint", cl.Server)
		}
	}
}

// checkMachineFiles checks the config and CA files the operator wrote.
func checkMachineFiles(t *testing.T, ns string, server, agent *machine) {
	t.Helper()
	tokens := secret(t, ns, TokenSecretName("demo")).Data
	var agentCfg, serverCfg map[string]any
	if err := yaml.Unmarshal([]byte(agent.file("etc/config.yaml")), &agentCfg); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(server.file("etc/config.yaml")), &serverCfg); err != nil {
		t.Fatal(err)
	}
	if agentCfg["token"] != string(tokens[AgentTokenKey]) ||
		agentCfg["server"] != "https://api.test.example:6443" ||
		agentCfg["node-name"] != ns+"-agent" {
		t.Errorf("agent config = %v, want the agent token, endpoint and node name", agentCfg)
	}
	if serverCfg["token"] != string(tokens[ServerTokenKey]) || serverCfg["cluster-init"] != true {
		t.Errorf("server config = %v, want the server token and cluster-init", serverCfg)
	}
	info, err := os.Stat(filepath.Join(agent.root, "etc", "config.yaml"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("agent config mode = %v (err %v), want 0600", info.Mode().Perm(), err)
	}

	caSet, err := pki.CASetFromSecretData(secret(t, ns, CASecretName("demo")).Data)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range caSet.Files() {
		if server.file(filepath.Join("data", "server", "tls", name)) != string(content) {
			t.Errorf("server CA file %s differs from the cluster's CA set", name)
		}
	}
	if agent.file(filepath.Join("data", "server", "tls", pki.ServerCAKeyFile)) != "" {
		t.Error("agent machine received the CA keys")
	}
}

// checkDriftRepair replaces the agent's binary and stops its service, then waits
// for the operator to restore both and say so.
func checkDriftRepair(t *testing.T, ns string, agent *machine) {
	t.Helper()
	binary := filepath.Join(agent.root, "bin", "lightnode")
	want := agent.file("bin/lightnode")
	if err := os.WriteFile(binary, []byte("#!/bin/sh\necho tampered\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	stopped := filepath.Join(suite.stateDir, "stopped")
	if err := os.WriteFile(stopped, nil, 0o644); err != nil {
		t.Fatal(err)
	}

	notes := waitEvent(t, ns, "agent", EventRepaired)
	eventually(t, "binary restored and service started", func() error {
		if agent.file("bin/lightnode") != want {
			return fmt.Errorf("binary not restored")
		}
		if _, err := os.Stat(stopped); !os.IsNotExist(err) {
			return fmt.Errorf("service still stopped")
		}
		return nil
	})
	if !strings.Contains(strings.Join(notes, "\n"), "binary") {
		t.Errorf("Repaired events %q do not mention the binary", notes)
	}
}

// secret reads the Secret ns/name.
func secret(t *testing.T, ns, name string) *corev1.Secret {
	t.Helper()
	var s corev1.Secret
	if err := suite.client.Get(ctxFor(t), types.NamespacedName{Namespace: ns, Name: name},
		&s); err != nil {
		t.Fatalf("read Secret %s: %v", name, err)
	}
	return &s
}
