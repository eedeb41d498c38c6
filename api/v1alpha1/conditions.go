package v1alpha1

// Condition types of LightNode.
const (
	// ReachableCondition is True when the operator logged in over SSH and the host
	// key matched.
	ReachableCondition = "Reachable"
	// InstalledCondition is True when the wanted lightnode binary and configuration
	// are on the machine.
	InstalledCondition = "Installed"
	// RunningCondition is True when the lightnode service is active on the machine.
	RunningCondition = "Running"
	// NodeReadyCondition mirrors the Ready condition of the Kubernetes Node.
	NodeReadyCondition = "NodeReady"
)

// Condition types of LightCluster.
const (
	// CertificatesReadyCondition is True when the cluster's CAs, service-account key
	// and join tokens exist.
	CertificatesReadyCondition = "CertificatesReady"
	// KubeconfigReadyCondition is True when the admin kubeconfig Secret is written.
	KubeconfigReadyCondition = "KubeconfigReady"
	// ControlPlaneReadyCondition is True when at least one server answers and all
	// servers are Ready.
	ControlPlaneReadyCondition = "ControlPlaneReady"
	// QuorumAtRiskCondition is True when the cluster's servers cannot survive the
	// loss of one of them the way the datastore type promises: several servers on
	// SQLite, or an even number of etcd members.
	QuorumAtRiskCondition = "QuorumAtRisk"
)

// ReadyCondition is the summary condition of both kinds, the one that GitOps tools
// and `kubectl wait --for=condition=Ready` read.
const ReadyCondition = "Ready"

// Reasons for conditions of either kind.
const (
	// ReasonReady says the observed state matches the desired state.
	ReasonReady = "Ready"
	// ReasonPending says work has not started, usually waiting for another object.
	ReasonPending = "Pending"
	// ReasonPaused says the cluster is paused and no machine is changed.
	ReasonPaused = "Paused"
	// ReasonDeleting says the object is being deleted.
	ReasonDeleting = "Deleting"
	// ReasonSecretNotFound says a referenced Secret or one of its keys is missing.
	ReasonSecretNotFound = "SecretNotFound"
	// ReasonClusterNotFound says the LightCluster named by a LightNode does not exist.
	ReasonClusterNotFound = "ClusterNotFound"

	// ReasonHostKeyMismatch says the machine presented a host key other than the
	// pinned or recorded one; nothing was run. Annotate the LightNode with
	// lightcluster.dev/retrust-host-key=true to accept the new key once.
	ReasonHostKeyMismatch = "HostKeyMismatch"
	// ReasonMachineInUse says another, older LightNode reaches the same address and
	// port; only that one installs on the machine or uninstalls from it.
	ReasonMachineInUse = "MachineInUse"
	// ReasonAuthFailed says the machine refused the SSH login.
	ReasonAuthFailed = "AuthFailed"
	// ReasonSudoFailed says sudo refused to run a privileged step.
	ReasonSudoFailed = "SudoFailed"
	// ReasonUnreachable says the machine did not answer on its SSH port.
	ReasonUnreachable = "Unreachable"
	// ReasonUnsupportedArch says no lightnode binary exists for the machine's CPU.
	ReasonUnsupportedArch = "UnsupportedArch"
	// ReasonUnsupportedInitSystem says the machine runs neither systemd nor OpenRC.
	ReasonUnsupportedInitSystem = "UnsupportedInitSystem"
	// ReasonVersionNotInCatalog says the operator carries no lightnode binary for the
	// cluster's version.
	ReasonVersionNotInCatalog = "VersionNotInCatalog"

	// ReasonInstalling says lightnode is being uploaded or installed.
	ReasonInstalling = "Installing"
	// ReasonInstallFailed says a step of the installation failed; the message names it.
	ReasonInstallFailed = "InstallFailed"
	// ReasonServiceNotRunning says the lightnode service is not active.
	ReasonServiceNotRunning = "ServiceNotRunning"
	// ReasonWaitingForServer says the node waits for a Ready server to join.
	ReasonWaitingForServer = "WaitingForServer"
	// ReasonNodeNotRegistered says no Kubernetes Node of that name exists yet.
	ReasonNodeNotRegistered = "NodeNotRegistered"
	// ReasonNodeNotReady says the Kubernetes Node exists but is not Ready.
	ReasonNodeNotReady = "NodeNotReady"

	// ReasonServersNotReady says one or more servers are not Ready.
	ReasonServersNotReady = "ServersNotReady"
	// ReasonAgentsNotReady says one or more agents are not Ready.
	ReasonAgentsNotReady = "AgentsNotReady"
	// ReasonNoServers says the cluster has no LightNode with role server.
	ReasonNoServers = "NoServers"
	// ReasonSQLiteMultipleServers says a SQLite cluster has more than one server;
	// SQLite cannot be shared, so only the initial server holds the state.
	ReasonSQLiteMultipleServers = "SQLiteMultipleServers"
	// ReasonEvenEtcdMembers says an embedded-etcd cluster has an even number of
	// servers, which tolerates no more failures than one server fewer.
	ReasonEvenEtcdMembers = "EvenEtcdMembers"
	// ReasonQuorumSafe says the server count suits the datastore.
	ReasonQuorumSafe = "QuorumSafe"

	// ReasonInvalidSecret says a Secret the operator wrote or reads holds data it
	// cannot use; the message names the Secret and the key.
	ReasonInvalidSecret = "InvalidSecret"
	// ReasonInvalidEndpoint says the cluster's endpoint cannot go into a kubeconfig
	// used off the machines, such as a loopback address; set controlPlaneEndpoint.
	ReasonInvalidEndpoint = "InvalidEndpoint"
	// ReasonUninstallSkipped says the machine could not be reached in time while the
	// LightNode was deleted; lightnode may still be installed there.
	ReasonUninstallSkipped = "UninstallSkipped"
)

// Labels, annotations and finalizers that the operator sets or reads.
const (
	// ClusterNameLabel is set on every Secret that belongs to a cluster.
	ClusterNameLabel = "lightcluster.dev/cluster-name"
	// RetrustHostKeyAnnotation, set to "true" on a LightNode, accepts the host key
	// that the machine presents next time, once; the operator removes it.
	RetrustHostKeyAnnotation = "lightcluster.dev/retrust-host-key"
	// ClusterFinalizer keeps a LightCluster until its nodes and Secrets are gone.
	ClusterFinalizer = "lightcluster.dev/cluster"
	// NodeFinalizer keeps a LightNode until its machine is uninstalled.
	NodeFinalizer = "lightcluster.dev/node"
)
