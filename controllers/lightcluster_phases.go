package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/clusterclient"
	"github.com/lightcluster/lightcluster/internal/kubeconfig"
	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/internal/token"
)

// ServerURLAnnotation on the kubeconfig Secret records the server URL it was
// rendered for, so that the Secret is rewritten only when the endpoint moves.
const ServerURLAnnotation = "lightcluster.dev/server-url"

// EventCertificatesCreated is the reason of the Event about a new CA set.
const EventCertificatesCreated = "CertificatesCreated"

// adminUser is the client certificate identity of the published kubeconfig.
const adminUser = "lightcluster-admin"

// reconcileCertificates loads the cluster's CA set, generating it once when its
// Secret does not exist.
func (r *LightClusterReconciler) reconcileCertificates(ctx context.Context,
	s *clusterScope) error {
	c := s.cluster
	secret, err := r.getSecret(ctx, c.Namespace, CASecretName(c.Name))
	if err != nil {
		return err
	}

	if secret == nil {
		if s.caSet, err = pki.GenerateCASet(r.Clock); err != nil {
			return fmt.Errorf("generate CA set: %w", err)
		}
		if err := r.createClusterSecret(ctx, c, CASecretName(c.Name),
			s.caSet.SecretData()); err != nil {
			return err
		}
		r.Recorder.Eventf(c, nil, corev1.EventTypeNormal, EventCertificatesCreated, "Generate",
			"Generated the cluster's CAs and service-account key in Secret %s",
			CASecretName(c.Name))
	} else if s.caSet, err = pki.CASetFromSecretData(secret.Data); err != nil {
		setCondition(&c.Status.Conditions, c.Generation, lcv1.CertificatesReadyCondition,
			metav1.ConditionFalse, lcv1.ReasonInvalidSecret,
			fmt.Sprintf("Secret %s cannot be used: %v", CASecretName(c.Name), err))
		return errTerminal
	}
	return nil
}

// reconcileTokens creates the server and agent join tokens once, pinned to the
// server CA.
func (r *LightClusterReconciler) reconcileTokens(ctx context.Context, s *clusterScope) error {
	c := s.cluster
	secret, err := r.getSecret(ctx, c.Namespace, TokenSecretName(c.Name))
	if err != nil {
		return err
	}

	if secret == nil {
		data, err := newTokens(s.caSet.ServerCA.CertPEM())
		if err != nil {
			return err
		}
		if err := r.createClusterSecret(ctx, c, TokenSecretName(c.Name), data); err != nil {
			return err
		}
	} else if len(secret.Data[ServerTokenKey]) == 0 || len(secret.Data[AgentTokenKey]) == 0 {
		setCondition(&c.Status.Conditions, c.Generation, lcv1.CertificatesReadyCondition,
			metav1.ConditionFalse, lcv1.ReasonInvalidSecret,
			fmt.Sprintf("Secret %s lacks key %s or %s", TokenSecretName(c.Name),
				ServerTokenKey, AgentTokenKey))
		return errTerminal
	}

	setCondition(&c.Status.Conditions, c.Generation, lcv1.CertificatesReadyCondition,
		metav1.ConditionTrue, lcv1.ReasonReady, "CA set, service-account key and join tokens exist")
	return nil
}

// newTokens returns the Secret data of new server and agent tokens pinned to caPEM.
func newTokens(caPEM []byte) (map[string][]byte, error) {
	server, err := token.Generate(token.RoleServer)
	if err != nil {
		return nil, fmt.Errorf("generate server token: %w", err)
	}
	agent, err := token.Generate(token.RoleAgent)
	if err != nil {
		return nil, fmt.Errorf("generate agent token: %w", err)
	}
	return map[string][]byte{
		ServerTokenKey: []byte(server.Pin(caPEM).Value()),
		AgentTokenKey:  []byte(agent.Pin(caPEM).Value()),
	}, nil
}

// reconcileNodes lists the cluster's LightNodes and chooses the initial server
// once: the oldest server LightNode, by creation time and then name.
func (r *LightClusterReconciler) reconcileNodes(ctx context.Context, s *clusterScope) error {
	c := s.cluster
	nodes, err := listClusterNodes(ctx, r.Client, c.Namespace, c.Name)
	if err != nil {
		return err
	}
	s.nodes = nodes

	if c.Status.InitialServer == "" {
		c.Status.InitialServer = oldestServer(nodes)
	}
	return nil
}

// oldestServer returns the name of the oldest server LightNode that is not being
// deleted, or "" when there is none.
func oldestServer(nodes []lcv1.LightNode) string {
	var servers []lcv1.LightNode
	for _, n := range nodes {
		if n.Spec.Role == lcv1.RoleServer && n.DeletionTimestamp.IsZero() {
			servers = append(servers, n)
		}
	}
	if len(servers) == 0 {
		return ""
	}
	return slices.MinFunc(servers, olderFirst).Name
}

// olderFirst orders LightNodes by creation time, then namespace and name.
func olderFirst(a, b lcv1.LightNode) int {
	if c := a.CreationTimestamp.Compare(b.CreationTimestamp.Time); c != 0 {
		return c
	}
	if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

// KubeconfigRenewBefore is how long before its client certificate expires the admin
// kubeconfig is issued anew.
const KubeconfigRenewBefore = 30 * 24 * time.Hour

// reconcileKubeconfig writes the admin kubeconfig Secret for the cluster's
// endpoint, and rewrites it when the endpoint changes or its client certificate
// comes within KubeconfigRenewBefore of expiring.
func (r *LightClusterReconciler) reconcileKubeconfig(ctx context.Context,
	s *clusterScope) error {
	c := s.cluster
	c.Status.KubeconfigSecretName = clusterclient.SecretName(c.Name)
	serverURL := clusterServerURL(c, s.nodes)
	if serverURL == "" {
		setCondition(&c.Status.Conditions, c.Generation, lcv1.KubeconfigReadyCondition,
			metav1.ConditionFalse, lcv1.ReasonNoServers,
			"No endpoint yet: set spec.controlPlaneEndpoint or add a server LightNode")
		return nil
	}
	c.Status.Endpoint = serverURL

	existing, err := r.getSecret(ctx, c.Namespace, c.Status.KubeconfigSecretName)
	if err != nil {
		return err
	}
	if existing != nil && existing.Annotations[ServerURLAnnotation] == serverURL &&
		!r.kubeconfigDue(existing.Data[clusterclient.KubeconfigKey]) {
		r.kubeconfigReady(c)
		return nil
	}

	data, err := r.renderKubeconfig(c, s.caSet, serverURL)
	if err != nil {
		reason := lcv1.ReasonInvalidSecret
		if errors.Is(err, kubeconfig.ErrLoopbackEndpoint) ||
			errors.Is(err, kubeconfig.ErrInvalidServerURL) {
			reason = lcv1.ReasonInvalidEndpoint
		}
		setCondition(&c.Status.Conditions, c.Generation, lcv1.KubeconfigReadyCondition,
			metav1.ConditionFalse, reason, fmt.Sprintf("%v; set spec.controlPlaneEndpoint "+
				"to an address reachable from outside the machines", err))
		return errTerminal
	}
	if err := r.writeKubeconfig(ctx, c, existing, serverURL, data); err != nil {
		return err
	}
	r.kubeconfigReady(c)
	return nil
}

// kubeconfigDue reports whether a stored kubeconfig must be issued anew: it is
// missing, unreadable, or its client certificate expires within KubeconfigRenewBefore.
func (r *LightClusterReconciler) kubeconfigDue(data []byte) bool {
	if len(data) == 0 {
		return true
	}
	expiry, err := kubeconfig.ClientCertExpiry(data)
	if err != nil {
		return true
	}
	return r.Clock.Now().Add(KubeconfigRenewBefore).After(expiry)
}

// kubeconfigReady marks the kubeconfig condition True.
func (r *LightClusterReconciler) kubeconfigReady(c *lcv1.LightCluster) {
	setCondition(&c.Status.Conditions, c.Generation, lcv1.KubeconfigReadyCondition,
		metav1.ConditionTrue, lcv1.ReasonReady,
		fmt.Sprintf("Secret %s holds an admin kubeconfig for %s",
			c.Status.KubeconfigSecretName, c.Status.Endpoint))
}

// clusterServerURL returns the controlPlaneEndpoint, else the initial server's
// address on the API port while it is not being deleted, else the address of the
// oldest other Ready server, else "".
func clusterServerURL(c *lcv1.LightCluster, nodes []lcv1.LightNode) string {
	if ep := c.Spec.ControlPlaneEndpoint; ep != nil {
		port := int(ep.Port)
		if port == 0 {
			port = APIServerPort
		}
		return kubeconfig.ServerURL(string(ep.Host), port)
	}
	serverURL := func(n *lcv1.LightNode) string {
		return kubeconfig.ServerURL(string(n.Spec.SSH.Address), APIServerPort)
	}
	var initial *lcv1.LightNode
	for i := range nodes {
		if nodes[i].Name == c.Status.InitialServer {
			initial = &nodes[i]
		}
	}
	if initial != nil && initial.DeletionTimestamp.IsZero() {
		return serverURL(initial)
	}

	// The initial server is gone or leaving: move to the oldest other Ready server,
	// and stay on the leaving one until there is such a server.
	var ready []lcv1.LightNode
	for _, n := range nodes {
		if n.Spec.Role == lcv1.RoleServer && n.Name != c.Status.InitialServer &&
			nodeIsReady(&n) {
			ready = append(ready, n)
		}
	}
	if len(ready) > 0 {
		oldest := slices.MinFunc(ready, olderFirst)
		return serverURL(&oldest)
	}
	if initial != nil {
		return serverURL(initial)
	}
	return ""
}

// renderKubeconfig issues an admin client certificate and renders the kubeconfig.
func (r *LightClusterReconciler) renderKubeconfig(c *lcv1.LightCluster, caSet *pki.CASet,
	serverURL string) ([]byte, error) {
	certPEM, keyPEM, err := pki.IssueLeaf(caSet.ClientCA, pki.LeafSpec{
		CommonName: adminUser, Organization: []string{"system:masters"}, Client: true,
	}, r.Clock)
	if err != nil {
		return nil, fmt.Errorf("issue admin certificate: %w", err)
	}
	data, err := kubeconfig.Admin(kubeconfig.Config{
		ClusterName: c.Name, ServerURL: serverURL, CAPEM: caSet.ServerCA.CertPEM(),
		ClientCertPEM: certPEM, ClientKeyPEM: keyPEM, UserName: adminUser,
		RejectLoopback: true,
	})
	if err != nil {
		return nil, fmt.Errorf("render kubeconfig: %w", err)
	}
	return data, nil
}

// writeKubeconfig creates the kubeconfig Secret or replaces its value.
func (r *LightClusterReconciler) writeKubeconfig(ctx context.Context, c *lcv1.LightCluster,
	existing *corev1.Secret, serverURL string, data []byte) error {
	value := map[string][]byte{clusterclient.KubeconfigKey: data}
	if existing == nil {
		return r.createClusterSecret(ctx, c, c.Status.KubeconfigSecretName, value,
			ServerURLAnnotation, serverURL)
	}

	patch := client.MergeFrom(existing.DeepCopy())
	existing.Data = value
	metav1.SetMetaDataAnnotation(&existing.ObjectMeta, ServerURLAnnotation, serverURL)
	if err := r.Patch(ctx, existing, patch); err != nil {
		return fmt.Errorf("update Secret %s: %w", existing.Name, err)
	}
	return nil
}

// getSecret returns the Secret namespace/name, or nil when it does not exist.
func (r *LightClusterReconciler) getSecret(ctx context.Context, namespace, name string) (
	*corev1.Secret, error) {
	var secret corev1.Secret
	err := r.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, &secret)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read Secret %s/%s: %w", namespace, name, err)
	}
	return &secret, nil
}

// createClusterSecret creates a Secret owned by c and labelled with its name.
// Annotations come as key, value pairs. A Secret that already exists is never
// overwritten: the error makes the reconcile start again and read it.
func (r *LightClusterReconciler) createClusterSecret(ctx context.Context, c *lcv1.LightCluster,
	name string, data map[string][]byte, annotations ...string) error {
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: c.Namespace, Name: name,
			Labels: map[string]string{lcv1.ClusterNameLabel: c.Name}},
		Type: corev1.SecretTypeOpaque,
		Data: data,
	}
	for i := 0; i+1 < len(annotations); i += 2 {
		metav1.SetMetaDataAnnotation(&secret.ObjectMeta, annotations[i], annotations[i+1])
	}
	if err := controllerutil.SetControllerReference(c, secret, r.Scheme()); err != nil {
		return fmt.Errorf("own Secret %s: %w", name, err)
	}
	if err := r.Create(ctx, secret); err != nil {
		return fmt.Errorf("create Secret %s/%s: %w", c.Namespace, name, err)
	}
	return nil
}
