package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NodeRole is the part a machine plays in its cluster.
//
// +kubebuilder:validation:Enum=server;agent
type NodeRole string

const (
	// RoleServer runs the control plane (and, by default, the agent too).
	RoleServer NodeRole = "server"
	// RoleAgent runs workloads only.
	RoleAgent NodeRole = "agent"
)

// TaintEffect is what a taint does to pods that do not tolerate it.
//
// +kubebuilder:validation:Enum=NoSchedule;PreferNoSchedule;NoExecute
type TaintEffect string

// LightNodeSpec is the desired state of a LightNode.
//
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.nodeName) || has(self.nodeName)",message="nodeName cannot be removed once set; the Kubernetes Node keeps that name"
type LightNodeSpec struct {
	// clusterName is the name of the LightCluster, in the same namespace, that this
	// machine belongs to. It cannot be changed.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="clusterName is immutable; delete the LightNode and create a new one to move the machine"
	ClusterName string `json:"clusterName"`

	// role is server (control plane) or agent (worker). It cannot be changed.
	// +required
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="role is immutable; delete the LightNode and create a new one to change the role"
	Role NodeRole `json:"role"`

	// ssh says how to reach and log in to the machine.
	// +required
	SSH SSHSpec `json:"ssh"`

	// nodeName is the name of the Kubernetes Node. Defaults to the machine's hostname
	// in lower case.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="nodeName is immutable; the Kubernetes Node keeps the name it registered with"
	NodeName string `json:"nodeName,omitempty"`

	// nodeIP is the address the node advertises to the cluster. Defaults to the
	// address of the machine's default-route interface.
	// +optional
	// +kubebuilder:validation:MaxLength=45
	// +kubebuilder:validation:XValidation:rule="isIP(self)",message="nodeIP must be an IP address"
	NodeIP string `json:"nodeIP,omitempty"`

	// labels are added to the Kubernetes Node when it registers.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	// +kubebuilder:validation:XValidation:rule="self.all(k, k.size() <= 317 && k.matches('^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$'))",message="labels keys must be qualified names such as example.com/zone or zone"
	// +kubebuilder:validation:XValidation:rule="self.all(k, self[k].size() <= 63)",message="labels values must be at most 63 characters"
	Labels map[string]string `json:"labels,omitempty"`

	// taints are added to the Kubernetes Node when it registers.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	Taints []Taint `json:"taints,omitempty"`

	// dataDir is where lightnode keeps its state on the machine.
	// +optional
	// +kubebuilder:default="/var/lib/lightnode"
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:Pattern=`^/[^\x00\n]*$`
	// +kubebuilder:validation:XValidation:rule="self != '/' && !self.contains('/../') && !self.endsWith('/..') && !self.contains('//')",message="must be an absolute path other than / without '..' or '//'"
	DataDir string `json:"dataDir,omitempty"`

	// installDir is the directory that receives the lightnode binary.
	// +optional
	// +kubebuilder:default="/usr/local/bin"
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:Pattern=`^/[^\x00\n]*$`
	// +kubebuilder:validation:XValidation:rule="self != '/' && !self.contains('/../') && !self.endsWith('/..') && !self.contains('//')",message="must be an absolute path other than / without '..' or '//'"
	InstallDir string `json:"installDir,omitempty"`
}

// SSHSpec says how to reach and log in to a machine.
//
// +kubebuilder:validation:XValidation:rule="self.user == 'root' || has(self.sudo)",message="ssh.sudo is required when ssh.user is not root: installing lightnode needs root"
type SSHSpec struct {
	// address is the machine's IP address or DNS name.
	// +required
	Address Host `json:"address"`

	// port is the SSH port.
	// +optional
	// +kubebuilder:default=22
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port,omitempty"`

	// user is the login name.
	// +optional
	// +kubebuilder:default=root
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^[a-z_][a-z0-9_.-]*$`
	User string `json:"user,omitempty"`

	// privateKeySecretRef names the Secret that holds the private key to log in with.
	// +required
	PrivateKeySecretRef SSHKeySecretRef `json:"privateKeySecretRef"`

	// hostKey pins the machine's SSH host public key, in authorized_keys format
	// ("ssh-ed25519 AAAA..."). When empty, the key seen on first contact is recorded
	// in status.hostKey and required from then on.
	// +optional
	// +kubebuilder:validation:MaxLength=16384
	// +kubebuilder:validation:XValidation:rule="self.matches('^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh.com|sk-ecdsa-sha2-nistp256@openssh.com) [A-Za-z0-9+/]{16,}={0,2}( [^\\\\r\\\\n]*)?\\\\r?\\\\n?$')",message="hostKey must be one public key in authorized_keys format, the line of /etc/ssh/ssh_host_ed25519_key.pub on the machine: 'ssh-ed25519 AAAA... comment'"
	HostKey string `json:"hostKey,omitempty"`

	// sudo runs privileged steps through sudo; required when user is not root. Write
	// `sudo: {}` for passwordless sudo.
	// +optional
	Sudo *SudoSpec `json:"sudo,omitempty"`
}

// SSHKeySecretRef names the Secret that holds an SSH private key.
type SSHKeySecretRef struct {
	// name is the name of the Secret, in the same namespace as the LightNode.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// key is the Secret key that holds the PEM or OpenSSH private key.
	// +optional
	// +kubebuilder:default=ssh-privatekey
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key,omitempty"`

	// passphraseKey is the Secret key that holds the private key's passphrase, for
	// an encrypted key.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	PassphraseKey string `json:"passphraseKey,omitempty"`
}

// SudoSpec says how to become root through sudo.
type SudoSpec struct {
	// passwordSecretRef names the Secret key that holds the sudo password. Omit it
	// for passwordless sudo. The password is sent on sudo's standard input, never on
	// a command line.
	// +optional
	PasswordSecretRef *SecretKeyRef `json:"passwordSecretRef,omitempty"`
}

// Taint is a Kubernetes Node taint.
type Taint struct {
	// key is the taint key, a qualified name such as dedicated or example.com/gpu.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=317
	// +kubebuilder:validation:Pattern=`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`
	Key string `json:"key"`

	// value is the taint value.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$`
	Value string `json:"value,omitempty"`

	// effect is NoSchedule, PreferNoSchedule or NoExecute.
	// +required
	Effect TaintEffect `json:"effect"`
}

// HostFacts are what the operator found out about a machine.
type HostFacts struct {
	// os is the operating system id from /etc/os-release, such as debian.
	// +optional
	OS string `json:"os,omitempty"`

	// osVersion is the operating system version, such as 12.
	// +optional
	OSVersion string `json:"osVersion,omitempty"`

	// arch is the CPU architecture in Go's naming, such as amd64 or arm64.
	// +optional
	Arch string `json:"arch,omitempty"`

	// kernel is the kernel release.
	// +optional
	Kernel string `json:"kernel,omitempty"`

	// initSystem is systemd or openrc.
	// +optional
	InitSystem string `json:"initSystem,omitempty"`

	// hostname is the machine's host name.
	// +optional
	Hostname string `json:"hostname,omitempty"`

	// cpus is the number of online CPUs.
	// +optional
	CPUs int32 `json:"cpus,omitempty"`

	// memoryBytes is the total memory.
	// +optional
	MemoryBytes int64 `json:"memoryBytes,omitempty"`

	// dataDirFreeBytes is the free space on the file system that holds the data dir.
	// +optional
	DataDirFreeBytes int64 `json:"dataDirFreeBytes,omitempty"`
}

// NodePhase is a one-word summary of a LightNode's conditions.
//
// +kubebuilder:validation:Enum=Pending;Connecting;Installing;Joining;Ready;Degraded;Failed;Deleting
type NodePhase string

// Node phases, derived from the conditions on every reconcile.
const (
	NodePending    NodePhase = "Pending"
	NodeConnecting NodePhase = "Connecting"
	NodeInstalling NodePhase = "Installing"
	NodeJoining    NodePhase = "Joining"
	NodeReady      NodePhase = "Ready"
	NodeDegraded   NodePhase = "Degraded"
	NodeFailed     NodePhase = "Failed"
	NodeDeleting   NodePhase = "Deleting"
)

// LightNodeStatus is the observed state of a LightNode.
type LightNodeStatus struct {
	// observedGeneration is the metadata.generation that this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// phase summarises the conditions in one word.
	// +optional
	Phase NodePhase `json:"phase,omitempty"`

	// conditions are the latest observations of the machine's state.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=32
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// hostKey is the SSH host public key that the machine presented and that is
	// required from then on, in authorized_keys format.
	// +optional
	// +kubebuilder:validation:MaxLength=16384
	HostKey string `json:"hostKey,omitempty"`

	// facts describe the machine.
	// +optional
	Facts *HostFacts `json:"facts,omitempty"`

	// installedVersion is the Kubernetes version of the installed lightnode.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	InstalledVersion string `json:"installedVersion,omitempty"`

	// binaryDigest is the SHA-256 of the installed lightnode binary.
	// +optional
	// +kubebuilder:validation:MaxLength=71
	BinaryDigest string `json:"binaryDigest,omitempty"`

	// nodeName is the name under which the Kubernetes Node registered.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	NodeName string `json:"nodeName,omitempty"`

	// nodeIP is the address that the Kubernetes Node reports.
	// +optional
	// +kubebuilder:validation:MaxLength=45
	NodeIP string `json:"nodeIP,omitempty"`
}

// LightNode is one machine, reached over SSH, that serves a LightCluster as a server
// or an agent.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=ln,categories=lightcluster-all
// +kubebuilder:printcolumn:name="Cluster",type=string,JSONPath=`.spec.clusterName`
// +kubebuilder:printcolumn:name="Role",type=string,JSONPath=`.spec.role`
// +kubebuilder:printcolumn:name="Address",type=string,JSONPath=`.spec.ssh.address`
// +kubebuilder:printcolumn:name="Node",type=string,JSONPath=`.status.nodeName`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.status.installedVersion`,priority=10
// +kubebuilder:printcolumn:name="Arch",type=string,JSONPath=`.status.facts.arch`,priority=10
// +kubebuilder:printcolumn:name="OS",type=string,JSONPath=`.status.facts.os`,priority=10
// +kubebuilder:printcolumn:name="Node-IP",type=string,JSONPath=`.status.nodeIP`,priority=10
type LightNode struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired state of the machine.
	// +required
	Spec LightNodeSpec `json:"spec"`

	// status is the observed state of the machine.
	// +optional
	Status LightNodeStatus `json:"status,omitempty"`
}

// LightNodeList is a list of LightNodes.
//
// +kubebuilder:object:root=true
type LightNodeList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []LightNode `json:"items"`
}

func init() {
	SchemeBuilder.Register(&LightNode{}, &LightNodeList{})
}
