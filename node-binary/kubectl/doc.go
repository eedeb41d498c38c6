// Package kubectl runs the upstream kubectl inside the lightnode binary, both as
// `lightnode kubectl` and when the binary is invoked under the name kubectl.
//
// When KUBECONFIG is unset and no --kubeconfig is given, it uses the admin
// kubeconfig a lightnode server writes, if that file exists.
package kubectl
