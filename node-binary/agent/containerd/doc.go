// Package containerd runs the container runtime of a lightnode agent: containerd,
// compiled into lightnode and started as a child process of the same binary
// (`lightnode containerd --config FILE`, see Main), with the CRI plugin that the
// kubelet talks to.
//
// Render writes containerd's configuration: its root and state directories, the CRI
// plugin with the bundled pause image as the sandbox image, the bundled CNI plugins,
// runc from the bundle, the cgroup driver the kubelet uses and a snapshotter that
// works on the host (overlayfs, or native where an overlay mount fails, as on top of
// another overlay). Registry access goes through a hosts directory (WriteHosts) that
// sends every pull to an unreachable local address, so a node never fetches from a
// public registry; mirrors from /etc/lightnode/registries.yaml are the exception.
//
// Start runs the child process and waits for its socket; ImportDir imports the image
// archives of a directory (docker or OCI archives, plain, gzip or zstd) into the
// namespace the kubelet uses, so that pods run from images that were carried to the
// node rather than pulled.
package containerd
