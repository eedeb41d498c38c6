package controllers

import (
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

func TestMachineClaimOrder(t *testing.T) {
	second := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	later := metav1.NewTime(second.Add(time.Second))
	claimant := func(ns string, created metav1.Time, loggedIn bool) lcv1.LightNode {
		n := lcv1.LightNode{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "server",
			CreationTimestamp: created}}
		if loggedIn {
			n.Status.HostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2e"
		}
		return n
	}
	tests := []struct {
		name      string
		claimants []lcv1.LightNode
		wantNS    string
	}{{
		// Created in the same second as the owner, and first by namespace.
		name:      "owner that logged in keeps the machine against a same-second newcomer",
		claimants: []lcv1.LightNode{claimant("lc-test-x", second, true), claimant("lc-test-a", second, false)},
		wantNS:    "lc-test-x",
	}, {
		name:      "older claimant first when neither logged in",
		claimants: []lcv1.LightNode{claimant("b", second, false), claimant("a", later, false)},
		wantNS:    "b",
	}, {
		name:      "namespace decides a tie",
		claimants: []lcv1.LightNode{claimant("b", second, false), claimant("a", second, false)},
		wantNS:    "a",
	}, {
		name:      "older claimant first when both logged in",
		claimants: []lcv1.LightNode{claimant("a", later, true), claimant("b", second, true)},
		wantNS:    "b",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reversed := slices.Clone(tt.claimants)
			slices.Reverse(reversed)
			for _, order := range [][]lcv1.LightNode{tt.claimants, reversed} {
				if got := slices.MinFunc(order, claimFirst); got.Namespace != tt.wantNS {
					t.Errorf("owner is %s/%s, want namespace %s", got.Namespace, got.Name, tt.wantNS)
				}
			}
		})
	}
}
