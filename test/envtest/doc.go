// Package envtest holds tests that need a real API server: the CRDs are installed with
// kubectl into a kube-apiserver and etcd started by controller-runtime's envtest, and
// objects are checked against the schema and its CEL rules. The tests are behind the
// envtest build tag and run with `make test-envtest`.
package envtest
