package controllers

import (
	"context"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/event"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

func TestServerReadinessChanged(t *testing.T) {
	p := serverReadinessChanged()
	server := func(ready bool, version string) *lcv1.LightNode {
		n := testNode("s", lcv1.RoleServer, ready, version)
		return &n
	}
	agent := func(ready bool) *lcv1.LightNode {
		n := testNode("a", lcv1.RoleAgent, ready, "v1")
		return &n
	}
	tests := []struct {
		name     string
		old, new client.Object
		want     bool
	}{
		{"server becomes Ready", server(false, "v1"), server(true, "v1"), true},
		{"server stops being Ready", server(true, "v1"), server(false, "v1"), true},
		{"server upgraded", server(true, "v1"), server(true, "v2"), true},
		{"server unchanged", server(true, "v1"), server(true, "v1"), false},
		{"agent becomes Ready", agent(false), agent(true), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Update(event.UpdateEvent{ObjectOld: tt.old, ObjectNew: tt.new})
			if got != tt.want {
				t.Errorf("Update = %v, want %v", got, tt.want)
			}
		})
	}
	if p.Create(event.CreateEvent{Object: server(true, "v1")}) {
		t.Error("Create passed; the node's own watch handles new nodes")
	}
}

func TestSiblingsOfEnqueuesTheOtherNodesOfTheCluster(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := lcv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	node := func(name, cluster string) *lcv1.LightNode {
		n := testNode(name, lcv1.RoleAgent, false, "")
		n.Namespace, n.Spec.ClusterName = "ns", cluster
		return &n
	}
	server := node("server", "demo")
	c := fake.NewClientBuilder().WithScheme(scheme).
		WithIndex(&lcv1.LightNode{}, ClusterNameField, func(o client.Object) []string {
			return []string{o.(*lcv1.LightNode).Spec.ClusterName}
		}).
		WithObjects(server, node("agent-1", "demo"), node("agent-2", "demo"),
			node("other", "elsewhere")).Build()
	r := &LightNodeReconciler{Client: c}

	var got []string
	for _, req := range r.siblingsOf(context.Background(), server) {
		got = append(got, req.Name)
	}
	slices.Sort(got)
	if want := []string{"agent-1", "agent-2"}; !slices.Equal(got, want) {
		t.Errorf("siblings = %v, want %v", got, want)
	}
}
