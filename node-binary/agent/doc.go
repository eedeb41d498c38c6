// Package agent runs the worker half of a lightnode node: `lightnode agent`, and the
// agent inside `lightnode server`.
//
// Run joins the cluster with the token (node-binary/join: the CA pinned by the token,
// the node password, the kubelet and kube-proxy certificates), unpacks the bundle of
// runc, the runc shim, the CNI plugins and the pause image (node-binary/bundle), and
// then starts, in order:
//
//  1. containerd, as a child process of the same binary, after importing nothing yet;
//     once its socket answers, every image archive of <data-dir>/agent/images and the
//     bundled pause image are imported, so no image needs a registry;
//  2. the kubelet and kube-proxy, in this process (agent/kubelet, agent/proxy);
//  3. flannel (agent/flannel), which waits for the Node's pod CIDR and then writes the
//     CNI configuration (agent/cni) that lets the kubelet report the node Ready.
//
// The cluster's network settings (pod and service networks, cluster DNS, flannel
// backend) are given by the server when the agent runs inside it; the agent then
// records them on its Node (ClusterAnnotation) so that standalone agents, which know
// only the server URL and token, read them from there.
//
// When a component stops, Run returns an error naming it; when ctx is done, it stops
// containerd (the containers keep running in their shims) and returns nil. While the
// server cannot be reached at start-up, Run retries the join, or starts with the
// credentials of an earlier join; the kubelet, kube-proxy and flannel reconnect on
// their own when the server comes back.
package agent
