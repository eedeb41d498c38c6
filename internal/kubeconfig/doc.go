// Package kubeconfig renders the kubeconfig files through which people, the operator and
// lightnode components reach a cluster's API server.
//
// A rendered kubeconfig holds one cluster, one user and one context, with the CA and the
// credentials embedded, so that the file works on its own wherever it is copied. The
// operator publishes such a file in the <cluster>-kubeconfig Secret, where it must point at
// an endpoint reachable from outside the node: RejectLoopback enforces that.
package kubeconfig
