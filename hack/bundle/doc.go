// Package bundle pins, in its own Go module, the releases of the programs that lightnode
// carries in its bundle: runc, containerd-shim-runc-v2 and the CNI plugins. Their
// dependency graphs stay out of the main module, and hack/build-bundle.sh builds them
// as Go tools of this module.
package bundle
