// Package clusterclient gives the operator a client for a workload cluster, built
// from the admin kubeconfig that the operator keeps in the cluster's
// <name>-kubeconfig Secret.
//
// Controllers depend on the Factory type only, so tests can hand out a client of
// their own, such as one for the envtest API server.
package clusterclient
