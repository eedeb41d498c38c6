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
	"sigs.k8s.io/controller-runtime/pkg/log"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/catalog"
	"github.com/lightcluster/lightcluster/internal/metrics"
	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/internal/provision"
	"github.com/lightcluster/lightcluster/internal/ssh"
)

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
		metrics.CountSSHError(reason)
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
