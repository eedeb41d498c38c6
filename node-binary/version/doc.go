// Package version reports which build of lightnode is running: the Kubernetes release
// it carries, the commit it was built from and the Go toolchain.
//
// The build stamps the variables of this package and those of
// k8s.io/component-base/version with -ldflags -X, so that the embedded components and
// the Nodes they register report the same release.
package version
