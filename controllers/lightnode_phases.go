package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/catalog"
	"github.com/lightcluster/lightcluster/internal/hostfacts"
	"github.com/lightcluster/lightcluster/internal/metrics"
	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/internal/provision"
	"github.com/lightcluster/lightcluster/internal/ssh"
)

// Event reasons of LightNodes.
const (
	// EventInstalled says lightnode was installed on the machine for the first time.
	EventInstalled = "Installed"
	// EventUpgraded says the machine now runs the cluster's new version.
	EventUpgraded = "Upgraded"
	// EventRepaired says drift was found on the machine and undone; the note lists it.
	EventRepaired = "Repaired"
	// EventJoined says the machine's Kubernetes Node registered and became Ready.
	EventJoined = "Joined"
	// EventUninstalled says lightnode was removed from the machine.
	EventUninstalled = "Uninstalled"
	// EventHostKeyRetrusted says a new host key was accepted through the re-trust
	// annotation.
	EventHostKeyRetrusted = "HostKeyRetrusted"
)

// reconcileCluster stops when the node's cluster is missing or paused.
func (r *LightNodeReconciler) reconcileCluster(_ context.Context, s *nodeScope) error {
	if s.cluster == nil {
		s.holdReady(lcv1.ReasonClusterNotFound, fmt.Sprintf("LightCluster %q does not exist in "+
			"namespace %s; create it or fix spec.clusterName",
			s.node.Spec.ClusterName, s.node.Namespace))
		s.requeueAfter = r.intervals().Poll
		return errTerminal
	}
	if s.cluster.Spec.Paused {
		s.holdReady(lcv1.ReasonPaused, fmt.Sprintf("LightCluster %s is paused: "+
			"nothing is changed on the machine "+
			"until spec.paused is false", s.cluster.Name))
		return errTerminal
	}
	return nil
}

// reconcileTurn keeps the provisioning order: the initial server first, other
// servers once it is Ready, agents once any server is Ready. A node already
// installed keeps being checked whatever the others do.
func (r *LightNodeReconciler) reconcileTurn(ctx context.Context, s *nodeScope) error {
	s.version = s.cluster.Spec.Version
	if s.installed {
		return r.upgradeTurn(ctx, s)
	}
	waitingFor, err := r.waitingFor(ctx, s)
	if err != nil || waitingFor == "" {
		return err
	}
	s.holdReady(lcv1.ReasonWaitingForServer, "Waiting for "+waitingFor)
	s.requeueAfter = r.intervals().Poll
	return errTerminal
}

// waitingFor says what the node waits for before its turn, or "" when it may go.
func (r *LightNodeReconciler) waitingFor(ctx context.Context, s *nodeScope) (string, error) {
	initial := s.cluster.Status.InitialServer
	if s.node.Spec.Role == lcv1.RoleServer {
		if initial == "" {
			return "the cluster to choose its initial server", nil
		}
		if initial == s.node.Name {
			return "", nil
		}
		var first lcv1.LightNode
		key := types.NamespacedName{Namespace: s.node.Namespace, Name: initial}
		if err := r.Get(ctx, key, &first); client.IgnoreNotFound(err) != nil {
			return "", fmt.Errorf("read initial server %s: %w", key, err)
		}
		if !nodeIsReady(&first) {
			return fmt.Sprintf("initial server %s to be Ready", initial), nil
		}
		return "", nil
	}

	nodes, err := listClusterNodes(ctx, r.Client, s.node.Namespace, s.cluster.Name)
	if err != nil {
		return "", err
	}
	for i := range nodes {
		if nodes[i].Spec.Role == lcv1.RoleServer && nodeIsReady(&nodes[i]) {
			return "", nil
		}
	}
	return "a server of cluster " + s.cluster.Name + " to be Ready", nil
}

// upgradeTurn keeps an installed node at its version until its turn to upgrade
// comes: servers one at a time in name order, each once the servers before it run
// the new version and are Ready, then agents once every server does.
func (r *LightNodeReconciler) upgradeTurn(ctx context.Context, s *nodeScope) error {
	installed := s.node.Status.InstalledVersion
	if installed == s.version {
		return nil
	}
	nodes, err := listClusterNodes(ctx, r.Client, s.node.Namespace, s.cluster.Name)
	if err != nil {
		return err
	}
	if blocker := upgradeBlocker(s.node, nodes, s.version); blocker != "" {
		s.upgradeBlocker, s.version = blocker, installed
		log.FromContext(ctx).V(1).Info("Waiting to upgrade", "to", s.cluster.Spec.Version,
			"waitingFor", blocker)
	}
	return nil
}

// upgradeBlocker names the first server that must run version and be Ready
// before node may upgrade to it, or returns "".
func upgradeBlocker(node *lcv1.LightNode, nodes []lcv1.LightNode, version string) string {
	for i := range nodes {
		n := &nodes[i]
		if n.Name == node.Name || n.Spec.Role != lcv1.RoleServer || !n.DeletionTimestamp.IsZero() {
			continue
		}
		before := node.Spec.Role == lcv1.RoleAgent || n.Name < node.Name
		if before && (n.Status.InstalledVersion != version || !nodeIsReady(n)) {
			return "server " + n.Name
		}
	}
	return ""
}

// reconcileConnect logs in to the machine with the node's host key policy and
// records the host key on first contact or after a re-trust.
func (r *LightNodeReconciler) reconcileConnect(ctx context.Context, s *nodeScope) error {
	session, err := r.connect(ctx, s.node)
	if err != nil {
		reason := sshReason(err)
		metrics.CountSSHError(reason)
		setNodeCondition(s, lcv1.ReachableCondition, metav1.ConditionFalse, reason,
			reachableMessage(reason, err))
		if reason != lcv1.ReasonHostKeyMismatch {
			s.requeueAfter = r.intervals().Poll
		}
		return errTerminal
	}
	s.session = session

	seen := session.HostKey()
	retrust := s.node.Annotations[lcv1.RetrustHostKeyAnnotation] == "true"
	if s.node.Status.HostKey == "" || retrust {
		s.node.Status.HostKey = seen.AuthorizedKey
	}
	if retrust {
		if err := r.dropRetrustAnnotation(ctx, s.node); err != nil {
			return err
		}
		r.Recorder.Eventf(s.node, nil, corev1.EventTypeNormal, EventHostKeyRetrusted, "Connect",
			"Accepted host key %s", seen.Fingerprint)
	}
	setNodeCondition(s, lcv1.ReachableCondition, metav1.ConditionTrue, lcv1.ReasonReady,
		fmt.Sprintf("Logged in; host key %s", seen.Fingerprint))
	return nil
}

// connect loads the node's credentials from its own namespace and logs in.
func (r *LightNodeReconciler) connect(ctx context.Context, node *lcv1.LightNode) (
	*provision.Session, error) {
	creds, err := provision.LoadCredentials(ctx, r.APIReader, node)
	if err != nil {
		return nil, err
	}
	retrust := node.Annotations[lcv1.RetrustHostKeyAnnotation] == "true"
	host := provision.NewHost(node, creds, retrust)
	if r.ConfigPath != nil {
		host.ConfigFile = r.ConfigPath(node)
	}
	return provision.Connect(ctx, host, r.Dial)
}

// dropRetrustAnnotation removes the re-trust annotation, so it acts once.
func (r *LightNodeReconciler) dropRetrustAnnotation(ctx context.Context,
	node *lcv1.LightNode) error {
	status := node.Status.DeepCopy()
	patch := client.MergeFrom(node.DeepCopy())
	delete(node.Annotations, lcv1.RetrustHostKeyAnnotation)
	if err := r.Patch(ctx, node, patch); err != nil {
		return fmt.Errorf("remove annotation %s: %w", lcv1.RetrustHostKeyAnnotation, err)
	}
	// The patch response carries the stored status; keep the one being built.
	node.Status = *status
	return nil
}

// sshReason classifies a connection error as a condition reason.
func sshReason(err error) string {
	switch {
	case errors.Is(err, provision.ErrSecretNotFound):
		return lcv1.ReasonSecretNotFound
	case errors.Is(err, ssh.ErrHostKeyMismatch):
		return lcv1.ReasonHostKeyMismatch
	case errors.Is(err, ssh.ErrSudoPassword), errors.Is(err, ssh.ErrSudoPasswordRequired):
		return lcv1.ReasonSudoFailed
	case errors.Is(err, ssh.ErrAuth), errors.Is(err, ssh.ErrInvalidKey),
		errors.Is(err, ssh.ErrPassphraseRequired):
		return lcv1.ReasonAuthFailed
	default:
		return lcv1.ReasonUnreachable
	}
}

// reachableMessage says what failed and, for a host key mismatch, how to accept
// the new key.
func reachableMessage(reason string, err error) string {
	if reason == lcv1.ReasonHostKeyMismatch {
		return fmt.Sprintf("%v; nothing was run. If the machine was reinstalled, annotate "+
			"the LightNode %s=true to accept its new key once", err, lcv1.RetrustHostKeyAnnotation)
	}
	return err.Error()
}

// reconcileFacts gathers the host facts and stops on a machine lightnode cannot run on.
func (r *LightNodeReconciler) reconcileFacts(ctx context.Context, s *nodeScope) error {
	facts, err := s.session.Facts(ctx)
	if err != nil {
		metrics.CountSSHError(lcv1.ReasonUnreachable)
		setNodeCondition(s, lcv1.ReachableCondition, metav1.ConditionFalse,
			sshReason(err), err.Error())
		s.requeueAfter = r.intervals().Poll
		return errTerminal
	}
	s.facts = facts
	s.node.Status.Facts = statusFacts(facts)

	if err := facts.Supported(); err != nil {
		reason := lcv1.ReasonUnsupportedArch
		if !errors.Is(err, hostfacts.ErrUnsupportedArch) {
			reason = lcv1.ReasonUnsupportedInitSystem
		}
		setNodeCondition(s, lcv1.InstalledCondition, metav1.ConditionFalse, reason,
			fmt.Sprintf("lightnode cannot run on this machine: %v", err))
		s.requeueAfter = r.intervals().Recheck
		return errTerminal
	}
	return nil
}

// statusFacts converts gathered facts to their status form.
func statusFacts(f hostfacts.Facts) *lcv1.HostFacts {
	return &lcv1.HostFacts{OS: f.OSID, OSVersion: f.OSVersion, Arch: f.Arch,
		Kernel: f.Kernel, InitSystem: string(f.Init), Hostname: f.Hostname,
		CPUs: int32(f.CPUs), MemoryBytes: f.MemoryBytes, DataDirFreeBytes: f.DataDirFreeBytes}
}

// reconcileInstall makes the machine's binary, CA files and config match, runs
// `lightnode install` when anything changed or the service is not active, and
// says in an event what it installed or repaired.
func (r *LightNodeReconciler) reconcileInstall(ctx context.Context, s *nodeScope) error {
	start := time.Now()
	bin, err := r.lookupBinary(s)
	if err != nil {
		return err
	}
	config, caFiles, err := r.desiredFiles(ctx, s)
	if err != nil {
		return err
	}

	changed, st, err := r.converge(ctx, s, bin, config, caFiles)
	metrics.ObserveProvision(string(s.node.Spec.Role), start, err)
	if err != nil {
		reason := lcv1.ReasonInstallFailed
		if errors.Is(err, ssh.ErrSudoPassword) || errors.Is(err, ssh.ErrSudoPasswordRequired) {
			reason = lcv1.ReasonSudoFailed
		}
		setNodeCondition(s, lcv1.InstalledCondition, metav1.ConditionFalse, reason, err.Error())
		return err
	}

	r.recordInstall(ctx, s, changed)
	s.node.Status.InstalledVersion = s.version
	s.node.Status.BinaryDigest = "sha256:" + st.BinaryDigest
	message := fmt.Sprintf("lightnode %s installed as %s", s.version, s.node.Spec.Role)
	if s.upgradeBlocker != "" {
		message += fmt.Sprintf("; the upgrade to %s waits for %s to run it and be Ready",
			s.cluster.Spec.Version, s.upgradeBlocker)
	}
	setNodeCondition(s, lcv1.InstalledCondition, metav1.ConditionTrue, lcv1.ReasonReady,
		message)
	if !st.ServiceActive {
		setNodeCondition(s, lcv1.RunningCondition, metav1.ConditionFalse,
			lcv1.ReasonServiceNotRunning, fmt.Sprintf("Service lightnode-%s is not active "+
				"after install; see its journal on the machine", s.node.Spec.Role))
		s.requeueAfter = r.intervals().Poll
		return errTerminal
	}
	setNodeCondition(s, lcv1.RunningCondition, metav1.ConditionTrue, lcv1.ReasonReady,
		fmt.Sprintf("Service lightnode-%s is active", s.node.Spec.Role))
	return nil
}

// lookupBinary picks the catalog binary for the cluster's version and host's arch.
func (r *LightNodeReconciler) lookupBinary(s *nodeScope) (catalog.Binary, error) {
	bin, err := r.Catalog.Lookup(s.version, s.facts.Arch)
	if err == nil {
		return bin, nil
	}
	reason := lcv1.ReasonVersionNotInCatalog
	if errors.Is(err, catalog.ErrArchNotInCatalog) {
		reason = lcv1.ReasonUnsupportedArch
	}
	setNodeCondition(s, lcv1.InstalledCondition, metav1.ConditionFalse, reason,
		fmt.Sprintf("The operator's catalog has no lightnode %s for %s: %v; add "+
			"%s/%s/%s%s", s.version, s.facts.Arch, err, r.Catalog.Dir(),
			s.version, catalog.BinaryPrefix, s.facts.Arch))
	s.requeueAfter = r.intervals().Poll
	return catalog.Binary{}, errTerminal
}

// converge applies binary, CA files and config, then installs when needed. It
// returns what changed and the final state of the machine.
func (r *LightNodeReconciler) converge(ctx context.Context, s *nodeScope, bin catalog.Binary,
	config []byte, caFiles map[string][]byte) ([]string, provision.Status, error) {
	var changed []string
	uploaded, err := s.session.EnsureBinary(ctx, bin)
	if err != nil {
		return nil, provision.Status{}, err
	}
	if uploaded {
		changed = append(changed, "binary")
	}
	if caFiles != nil {
		wrote, err := s.session.WriteCAs(ctx, caFiles)
		if err != nil {
			return nil, provision.Status{}, err
		}
		if wrote {
			changed = append(changed, "CA files")
		}
	}
	wrote, err := s.session.WriteConfig(ctx, config)
	if err != nil {
		return nil, provision.Status{}, err
	}
	if wrote {
		changed = append(changed, "config")
	}

	st, err := s.session.Check(ctx, s.facts.Init)
	if err != nil || (len(changed) == 0 && st.ServiceActive) {
		return changed, st, err
	}
	if !st.ServiceActive {
		changed = append(changed, "stopped service")
	}
	if err := s.session.Install(ctx); err != nil {
		return nil, provision.Status{}, err
	}
	st, err = s.session.Check(ctx, s.facts.Init)
	return changed, st, err
}

// recordInstall emits Installed, Upgraded or Repaired for what changed.
func (r *LightNodeReconciler) recordInstall(ctx context.Context, s *nodeScope, changed []string) {
	if len(changed) == 0 {
		return
	}
	logger := log.FromContext(ctx)
	version := s.version
	switch {
	case !s.installed:
		logger.Info("Installed lightnode", "version", version, "role", s.node.Spec.Role)
		r.Recorder.Eventf(s.node, nil, corev1.EventTypeNormal, EventInstalled, "Install",
			"Installed lightnode %s as %s", version, s.node.Spec.Role)
	case s.node.Status.InstalledVersion != version:
		logger.Info("Upgraded lightnode", "from", s.node.Status.InstalledVersion, "to", version)
		r.Recorder.Eventf(s.node, nil, corev1.EventTypeNormal, EventUpgraded, "Install",
			"Upgraded lightnode from %s to %s", s.node.Status.InstalledVersion, version)
	default:
		logger.Info("Repaired drift", "changed", changed)
		r.Recorder.Eventf(s.node, nil, corev1.EventTypeWarning, EventRepaired, "Install",
			"Repaired %s on the machine", strings.Join(changed, ", "))
	}
}

// desiredFiles renders the node's config and, for servers, loads the CA files.
func (r *LightNodeReconciler) desiredFiles(ctx context.Context, s *nodeScope) (
	[]byte, map[string][]byte, error) {
	c := s.cluster
	tokens, err := r.clusterSecret(ctx, s, TokenSecretName(c.Name))
	if err != nil {
		return nil, nil, err
	}
	in := provision.ConfigInput{Cluster: c, Node: s.node,
		NodeName:    provision.NodeName(s.node, s.facts.Hostname),
		Initial:     c.Status.InitialServer == s.node.Name,
		ServerURL:   c.Status.Endpoint,
		ServerToken: string(tokens.Data[ServerTokenKey]),
		AgentToken:  string(tokens.Data[AgentTokenKey]),
	}
	if !in.Initial && in.ServerURL == "" {
		return nil, nil, r.waitForCluster(s, "the cluster's endpoint")
	}

	var caFiles map[string][]byte
	if s.node.Spec.Role == lcv1.RoleServer {
		if caFiles, err = r.caFiles(ctx, s); err != nil {
			return nil, nil, err
		}
		if in.DatastoreEndpoint, err = r.datastoreEndpoint(ctx, s); err != nil {
			return nil, nil, err
		}
	}
	config, err := provision.RenderConfig(in)
	if err != nil {
		return nil, nil, err
	}
	return config, caFiles, nil
}

// caFiles returns the CA set files of the node's cluster.
func (r *LightNodeReconciler) caFiles(ctx context.Context, s *nodeScope) (
	map[string][]byte, error) {
	secret, err := r.clusterSecret(ctx, s, CASecretName(s.cluster.Name))
	if err != nil {
		return nil, err
	}
	set, err := pki.CASetFromSecretData(secret.Data)
	if err != nil {
		setNodeCondition(s, lcv1.InstalledCondition, metav1.ConditionFalse,
			lcv1.ReasonInvalidSecret, fmt.Sprintf("Secret %s: %v", secret.Name, err))
		return nil, errTerminal
	}
	return set.Files(), nil
}

// datastoreEndpoint reads the external datastore endpoint, for external clusters.
func (r *LightNodeReconciler) datastoreEndpoint(ctx context.Context, s *nodeScope) (
	string, error) {
	ext := s.cluster.Spec.Datastore.External
	if s.cluster.Spec.Datastore.Type != lcv1.DatastoreExternal || ext == nil {
		return "", nil
	}
	var secret corev1.Secret
	key := types.NamespacedName{Namespace: s.node.Namespace, Name: ext.EndpointSecretRef.Name}
	err := r.APIReader.Get(ctx, key, &secret)
	if err == nil && len(secret.Data[ext.EndpointSecretRef.Key]) > 0 {
		return string(secret.Data[ext.EndpointSecretRef.Key]), nil
	}
	if err != nil && !apierrors.IsNotFound(err) {
		return "", fmt.Errorf("read Secret %s: %w", key, err)
	}
	setNodeCondition(s, lcv1.InstalledCondition, metav1.ConditionFalse,
		lcv1.ReasonSecretNotFound, fmt.Sprintf("Secret %s with key %q (the datastore "+
			"endpoint) does not exist", key, ext.EndpointSecretRef.Key))
	s.requeueAfter = r.intervals().Poll
	return "", errTerminal
}

// clusterSecret reads one of the Secrets the cluster controller writes, waiting
// when it is not there yet.
func (r *LightNodeReconciler) clusterSecret(ctx context.Context, s *nodeScope, name string) (
	*corev1.Secret, error) {
	var secret corev1.Secret
	key := types.NamespacedName{Namespace: s.node.Namespace, Name: name}
	err := r.Get(ctx, key, &secret)
	if apierrors.IsNotFound(err) {
		return nil, r.waitForCluster(s, "Secret "+name)
	}
	if err != nil {
		return nil, fmt.Errorf("read Secret %s: %w", key, err)
	}
	return &secret, nil
}

// waitForCluster reports that the node waits for what the cluster controller writes.
func (r *LightNodeReconciler) waitForCluster(s *nodeScope, what string) error {
	setNodeCondition(s, lcv1.InstalledCondition, metav1.ConditionFalse, lcv1.ReasonPending,
		fmt.Sprintf("Waiting for %s of LightCluster %s", what, s.cluster.Name))
	s.requeueAfter = r.intervals().Poll
	return errTerminal
}
