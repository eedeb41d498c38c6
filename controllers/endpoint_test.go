package controllers

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

func TestClusterServerURLFollowsAReadyServer(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	server := func(name, addr string, ready, deleting bool, age int) lcv1.LightNode {
		n := testNode(name, lcv1.RoleServer, ready, "v1.37.2")
		n.Spec.SSH.Address = lcv1.Host(addr)
		n.CreationTimestamp = metav1.NewTime(base.Add(time.Duration(age) * time.Minute))
		if deleting {
			now := metav1.NewTime(base.Add(time.Hour))
			n.DeletionTimestamp = &now
		}
		return n
	}
	agent := testNode("agent", lcv1.RoleAgent, true, "v1.37.2")
	agent.Spec.SSH.Address = "10.0.0.9"
	cluster := &lcv1.LightCluster{}
	cluster.Status.InitialServer = "s1"

	tests := []struct {
		name  string
		nodes []lcv1.LightNode
		want  string
	}{
		{"initial server", []lcv1.LightNode{server("s1", "10.0.0.1", true, false, 0),
			server("s2", "10.0.0.2", true, false, 1)}, "https://10.0.0.1:6443"},
		{"initial server not Ready yet", []lcv1.LightNode{
			server("s1", "10.0.0.1", false, false, 0)}, "https://10.0.0.1:6443"},
		{"initial server leaving: oldest other Ready server", []lcv1.LightNode{
			server("s1", "10.0.0.1", true, true, 0), server("s3", "10.0.0.3", true, false, 2),
			server("s2", "10.0.0.2", true, false, 1), agent}, "https://10.0.0.2:6443"},
		{"initial server gone: a Ready server, not a not-Ready one", []lcv1.LightNode{
			server("s2", "10.0.0.2", false, false, 1), server("s3", "10.0.0.3", true, false, 2)},
			"https://10.0.0.3:6443"},
		{"initial server leaving and no other Ready server", []lcv1.LightNode{
			server("s1", "10.0.0.1", true, true, 0), server("s2", "10.0.0.2", false, false, 1)},
			"https://10.0.0.1:6443"},
		{"no server", []lcv1.LightNode{agent}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clusterServerURL(cluster, tt.nodes); got != tt.want {
				t.Errorf("clusterServerURL = %q, want %q", got, tt.want)
			}
		})
	}

	withEndpoint := cluster.DeepCopy()
	withEndpoint.Spec.ControlPlaneEndpoint = &lcv1.Endpoint{Host: "api.example.com"}
	if got := clusterServerURL(withEndpoint, nil); got != "https://api.example.com:6443" {
		t.Errorf("with controlPlaneEndpoint: %q", got)
	}
}
