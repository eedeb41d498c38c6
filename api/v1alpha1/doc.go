// Package v1alpha1 holds the lightcluster.dev/v1alpha1 API: LightCluster describes one
// lightweight Kubernetes cluster, LightNode one machine that is reached over SSH and
// serves that cluster as a server (control plane) or an agent (worker).
//
// +kubebuilder:object:generate=true
// +groupName=lightcluster.dev
package v1alpha1
