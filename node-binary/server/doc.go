// Package server runs the control plane of a lightnode server in one process.
//
// Run prepares the data directory, the certificates (internal/pki and
// node-binary/certs), the join tokens and the kubeconfigs, then starts in order, each
// once the previous one is ready: the datastore (node-binary/datastore), the
// kube-apiserver with the join endpoints (node-binary/join) in front of it, and the
// kube-controller-manager and kube-scheduler. The components are the upstream ones,
// driven through their option and config packages with one context, so that they
// share the process without the command-line entry points' global signal handling.
//
// When a component fails, Run returns an error that names it. When its context is
// cancelled, Run stops the API server and the datastore in that order and returns nil.
package server
