package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DatastoreType selects where a cluster's servers keep the Kubernetes state.
//
// +kubebuilder:validation:Enum=sqlite;etcd;external
type DatastoreType string

const (
	// DatastoreSQLite keeps state in SQLite through kine on the single server.
	DatastoreSQLite DatastoreType = "sqlite"
	// DatastoreEtcd runs etcd embedded in every server.
	DatastoreEtcd DatastoreType = "etcd"
	// DatastoreExternal uses an etcd, PostgreSQL or MySQL endpoint outside the cluster.
	DatastoreExternal DatastoreType = "external"
)

// FlannelBackend selects how flannel carries pod traffic between nodes.
//
// +kubebuilder:validation:Enum=vxlan;host-gw;wireguard-native;none
type FlannelBackend string

const (
	// FlannelVXLAN encapsulates pod traffic in VXLAN; works on any network.
	FlannelVXLAN FlannelBackend = "vxlan"
	// FlannelHostGW routes pod traffic directly; needs all nodes on one L2 network.
	FlannelHostGW FlannelBackend = "host-gw"
	// FlannelWireGuard encrypts pod traffic with the kernel's WireGuard.
	FlannelWireGuard FlannelBackend = "wireguard-native"
	// FlannelNone runs no flannel; the user brings a CNI.
	FlannelNone FlannelBackend = "none"
)

// LightClusterSpec is the desired state of a LightCluster.
type LightClusterSpec struct {
	// version is the Kubernetes version that every node of the cluster runs, such as
	// v1.37.2. Changing it upgrades the servers one at a time, then the agents.
	// +required
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^v(0|[1-9][0-9]*)\\\\.(0|[1-9][0-9]*)\\\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\\\+[0-9A-Za-z.-]+)?$')",message="version must be a Kubernetes release such as v1.37.2"
	Version string `json:"version"`

	// datastore says where the servers keep the cluster state.
	// +optional
	// +kubebuilder:default={type: sqlite}
	Datastore Datastore `json:"datastore,omitempty"`

	// network holds the cluster's address ranges, DNS and pod network backend.
	// +optional
	// +kubebuilder:default={clusterCIDR: "10.42.0.0/16", serviceCIDR: "10.43.0.0/16", clusterDNS: "10.43.0.10", clusterDomain: "cluster.local", flannelBackend: vxlan}
	Network Network `json:"network,omitempty"`

	// tlsSANs are extra IP addresses or DNS names for the API server certificate,
	// in addition to each server's own addresses and hostname.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=32
	TLSSANs []SAN `json:"tlsSANs,omitempty"`

	// controlPlaneEndpoint is a stable address in front of the servers (a load
	// balancer or virtual IP). When set, kubeconfigs and agents use it; otherwise
	// they use the initial server's SSH address.
	// +optional
	ControlPlaneEndpoint *Endpoint `json:"controlPlaneEndpoint,omitempty"`

	// paused stops all changes to the cluster's machines while true. Status is
	// still observed and reported.
	// +optional
	Paused bool `json:"paused,omitempty"`
}

// Datastore says where the servers keep the cluster state.
//
// +kubebuilder:validation:XValidation:rule="self.type == 'external' ? has(self.external) : !has(self.external)",message="datastore.external is required when datastore.type is external and must be omitted otherwise"
type Datastore struct {
	// type is sqlite (one server, kine with SQLite), etcd (embedded etcd on every
	// server; use an odd number of servers) or external. It cannot be changed.
	// +optional
	// +kubebuilder:default=sqlite
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="datastore.type is immutable; create a new cluster to change the datastore"
	Type DatastoreType `json:"type,omitempty"`

	// external locates a datastore outside the cluster; required for type external.
	// +optional
	External *ExternalDatastore `json:"external,omitempty"`
}

// ExternalDatastore locates an etcd, PostgreSQL or MySQL datastore outside the cluster.
type ExternalDatastore struct {
	// endpointSecretRef names the Secret key that holds the datastore endpoint, such
	// as postgres://user:password@db:5432/k8s. It is a Secret because endpoints
	// usually carry credentials.
	// +required
	EndpointSecretRef SecretKeyRef `json:"endpointSecretRef"`

	// tlsSecretRef names a Secret with keys ca.crt, tls.crt and tls.key that the
	// servers use to reach the datastore over TLS.
	// +optional
	TLSSecretRef *SecretRef `json:"tlsSecretRef,omitempty"`
}

// Network holds a cluster's address ranges, DNS and pod network backend. A range is
// one CIDR, or two of different IP families separated by a comma for dual-stack.
//
// +kubebuilder:validation:XValidation:rule="self.clusterCIDR.split(',').all(c, isCIDR(c)) && self.serviceCIDR.split(',').all(c, isCIDR(c)) && self.clusterCIDR.split(',').size() == self.serviceCIDR.split(',').size() && cidr(self.clusterCIDR.split(',')[0]).ip().family() == cidr(self.serviceCIDR.split(',')[0]).ip().family() ? !cidr(self.clusterCIDR.split(',')[0]).containsIP(cidr(self.serviceCIDR.split(',')[0]).ip()) && !cidr(self.serviceCIDR.split(',')[0]).containsIP(cidr(self.clusterCIDR.split(',')[0]).ip()) && (self.clusterCIDR.split(',').size() == 1 || (!cidr(self.clusterCIDR.split(',')[1]).containsIP(cidr(self.serviceCIDR.split(',')[1]).ip()) && !cidr(self.serviceCIDR.split(',')[1]).containsIP(cidr(self.clusterCIDR.split(',')[1]).ip()))) : true",message="clusterCIDR and serviceCIDR must not overlap"
// +kubebuilder:validation:XValidation:rule="self.clusterCIDR.split(',').all(c, isCIDR(c)) && self.serviceCIDR.split(',').all(c, isCIDR(c)) ? self.clusterCIDR.split(',').map(c, cidr(c).ip().family()) == self.serviceCIDR.split(',').map(c, cidr(c).ip().family()) : true",message="clusterCIDR and serviceCIDR must have the same IP families in the same order"
// +kubebuilder:validation:XValidation:rule="self.serviceCIDR.split(',').all(c, isCIDR(c)) && isIP(self.clusterDNS) ? self.serviceCIDR.split(',').exists(c, cidr(c).containsIP(self.clusterDNS)) : true",message="clusterDNS must be an address inside serviceCIDR"
// +kubebuilder:validation:XValidation:rule="self.serviceCIDR.split(',').all(c, isCIDR(c)) && isIP(self.clusterDNS) ? !self.serviceCIDR.split(',').exists(c, string(cidr(c).ip()) == self.clusterDNS) : true",message="clusterDNS must not be the network address of serviceCIDR"
type Network struct {
	// clusterCIDR is the range that pod addresses come from, 10.42.0.0/16 by
	// default; each node gets a /24 (IPv4) or /64 (IPv6) of it. For dual-stack give an
	// IPv4 and an IPv6 CIDR separated by a comma. It cannot be changed.
	// +optional
	// +kubebuilder:default="10.42.0.0/16"
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.split(',').all(c, isCIDR(c))",message="clusterCIDR must be a CIDR such as 10.42.0.0/16, or an IPv4 and an IPv6 CIDR separated by a comma"
	// +kubebuilder:validation:XValidation:rule="self.split(',').size() <= 2",message="clusterCIDR holds at most two CIDRs, one of each IP family"
	// +kubebuilder:validation:XValidation:rule="self.split(',').size() == 2 && self.split(',').all(c, isCIDR(c)) ? cidr(self.split(',')[0]).ip().family() != cidr(self.split(',')[1]).ip().family() : true",message="the two CIDRs of clusterCIDR must be of different IP families"
	// +kubebuilder:validation:XValidation:rule="!self.contains(' ')",message="clusterCIDR must not contain spaces; separate dual-stack CIDRs with a comma alone"
	// +kubebuilder:validation:XValidation:rule="self.split(',').all(c, !isCIDR(c) || cidr(c) == cidr(c).masked())",message="clusterCIDR must be a network address without host bits, such as 10.42.0.0/16"
	// +kubebuilder:validation:XValidation:rule="self.split(',').all(c, !isCIDR(c) || cidr(c).prefixLength() <= (cidr(c).ip().family() == 4 ? 24 : 64))",message="clusterCIDR must hold at least one node's range: at most /24 for IPv4 and /64 for IPv6"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="clusterCIDR is immutable; pods already hold addresses from it"
	ClusterCIDR string `json:"clusterCIDR,omitempty"`

	// serviceCIDR is the range that Service cluster IPs come from, 10.43.0.0/16 by
	// default; dual-stack as for clusterCIDR, in the same family order. It cannot be
	// changed.
	// +optional
	// +kubebuilder:default="10.43.0.0/16"
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.split(',').all(c, isCIDR(c))",message="serviceCIDR must be a CIDR such as 10.43.0.0/16, or an IPv4 and an IPv6 CIDR separated by a comma"
	// +kubebuilder:validation:XValidation:rule="self.split(',').size() <= 2",message="serviceCIDR holds at most two CIDRs, one of each IP family"
	// +kubebuilder:validation:XValidation:rule="self.split(',').size() == 2 && self.split(',').all(c, isCIDR(c)) ? cidr(self.split(',')[0]).ip().family() != cidr(self.split(',')[1]).ip().family() : true",message="the two CIDRs of serviceCIDR must be of different IP families"
	// +kubebuilder:validation:XValidation:rule="!self.contains(' ')",message="serviceCIDR must not contain spaces; separate dual-stack CIDRs with a comma alone"
	// +kubebuilder:validation:XValidation:rule="self.split(',').all(c, !isCIDR(c) || cidr(c) == cidr(c).masked())",message="serviceCIDR must be a network address without host bits, such as 10.43.0.0/16"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="serviceCIDR is immutable; Services already hold addresses from it"
	ServiceCIDR string `json:"serviceCIDR,omitempty"`

	// clusterDNS is the Service address of the cluster DNS server that pods use.
	// +optional
	// +kubebuilder:default="10.43.0.10"
	// +kubebuilder:validation:MaxLength=45
	// +kubebuilder:validation:XValidation:rule="isIP(self)",message="clusterDNS must be an IP address such as 10.43.0.10"
	ClusterDNS string `json:"clusterDNS,omitempty"`

	// clusterDomain is the DNS domain of Services and pods.
	// +optional
	// +kubebuilder:default="cluster.local"
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	ClusterDomain string `json:"clusterDomain,omitempty"`

	// flannelBackend is vxlan (the default), host-gw, wireguard-native, or none for a
	// CNI of your own.
	// +optional
	// +kubebuilder:default=vxlan
	FlannelBackend FlannelBackend `json:"flannelBackend,omitempty"`
}

// Endpoint is a host and port.
type Endpoint struct {
	// host is an IP address or DNS name.
	// +required
	Host Host `json:"host"`

	// port is the TCP port.
	// +optional
	// +kubebuilder:default=6443
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port,omitempty"`
}

// NodeCounts counts the nodes of one role.
type NodeCounts struct {
	// desired is the number of LightNodes of this role in the cluster.
	// +optional
	Desired int32 `json:"desired"`

	// ready is the number of those whose Kubernetes Node is Ready.
	// +optional
	Ready int32 `json:"ready"`
}

// ClusterPhase is a one-word summary of a cluster's conditions.
//
// +kubebuilder:validation:Enum=Pending;Provisioning;Ready;Degraded;Paused;Deleting;Failed
type ClusterPhase string

// Cluster phases, derived from the conditions on every reconcile.
const (
	ClusterPending      ClusterPhase = "Pending"
	ClusterProvisioning ClusterPhase = "Provisioning"
	ClusterReady        ClusterPhase = "Ready"
	ClusterDegraded     ClusterPhase = "Degraded"
	ClusterPaused       ClusterPhase = "Paused"
	ClusterDeleting     ClusterPhase = "Deleting"
	ClusterFailed       ClusterPhase = "Failed"
)

// LightClusterStatus is the observed state of a LightCluster.
type LightClusterStatus struct {
	// observedGeneration is the metadata.generation that this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// phase summarises the conditions in one word.
	// +optional
	Phase ClusterPhase `json:"phase,omitempty"`

	// conditions are the latest observations of the cluster's state.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=32
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// servers counts the control-plane nodes.
	// +optional
	Servers NodeCounts `json:"servers,omitempty"`

	// agents counts the worker nodes.
	// +optional
	Agents NodeCounts `json:"agents,omitempty"`

	// version is the lowest Kubernetes version that a Ready node of the cluster runs.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	Version string `json:"version,omitempty"`

	// endpoint is the URL of the cluster's API server that kubeconfigs point at.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Endpoint string `json:"endpoint,omitempty"`

	// initialServer names the LightNode that bootstraps the cluster; other servers
	// join it. It is chosen once.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	InitialServer string `json:"initialServer,omitempty"`

	// kubeconfigSecretName names the Secret whose key "value" holds an admin
	// kubeconfig for the cluster.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	KubeconfigSecretName string `json:"kubeconfigSecretName,omitempty"`
}

// LightCluster is a lightweight Kubernetes cluster made of the LightNodes that name it.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=lc,categories=lightcluster-all
// +kubebuilder:validation:XValidation:rule="size(self.metadata.name) <= 63 && self.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",message="metadata.name of a LightCluster must be a DNS label (at most 63 lower-case letters, digits and '-'), since LightNodes name it in spec.clusterName"
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.spec.version`
// +kubebuilder:printcolumn:name="Datastore",type=string,JSONPath=`.spec.datastore.type`
// +kubebuilder:printcolumn:name="Servers",type=integer,JSONPath=`.status.servers.ready`,description="Ready servers"
// +kubebuilder:printcolumn:name="Agents",type=integer,JSONPath=`.status.agents.ready`,description="Ready agents"
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Endpoint",type=string,JSONPath=`.status.endpoint`,priority=10
// +kubebuilder:printcolumn:name="Paused",type=boolean,JSONPath=`.spec.paused`,priority=10
type LightCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired state of the cluster.
	// +required
	Spec LightClusterSpec `json:"spec"`

	// status is the observed state of the cluster.
	// +optional
	Status LightClusterStatus `json:"status,omitempty"`
}

// LightClusterList is a list of LightClusters.
//
// +kubebuilder:object:root=true
type LightClusterList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []LightCluster `json:"items"`
}

func init() {
	SchemeBuilder.Register(&LightCluster{}, &LightClusterList{})
}
