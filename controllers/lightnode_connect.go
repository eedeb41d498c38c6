package controllers

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/metrics"
	"github.com/lightcluster/lightcluster/internal/provision"
	"github.com/lightcluster/lightcluster/internal/ssh"
)

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
