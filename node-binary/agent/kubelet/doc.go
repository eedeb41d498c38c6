// Package kubelet runs the upstream kubelet inside the lightnode process.
//
// Render writes the kubelet's configuration file from what the agent decided (cgroup
// driver, runtime socket, certificates, cluster DNS); Run loads it the way the kubelet
// command does, applies extra kubelet flags on top, and runs the kubelet with the
// caller's context rather than the command's own signal handling, which may be set up
// only once per process.
package kubelet
