// Package chart tests the operator's packaging without a cluster: it renders the Helm
// chart in charts/lightcluster-operator with `helm template` (the helm command built
// from the module's tool dependency) and the kustomization in config/default with
// kustomize's library, decodes the objects into their API types and checks their
// fields, and checks that the chart's CRDs and RBAC rules are the generated ones of
// config/, and that the notes printed after installing say what to apply next.
//
// The tests are in the unit tier: after the first build of helm they take seconds.
// HELM names a helm binary to use instead of `go tool helm`.
package chart
