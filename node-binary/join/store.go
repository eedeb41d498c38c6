package join

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Sentinel errors of a PasswordStore.
var (
	// ErrNoPassword reports that no node password is stored for a node.
	ErrNoPassword = errors.New("no node password stored")
	// ErrPasswordExists reports that a node password is already stored for a node.
	ErrPasswordExists = errors.New("node password already stored")
)

// PasswordStore keeps one node password hash per node name.
type PasswordStore interface {
	// Get returns the hash stored for node, or ErrNoPassword.
	Get(ctx context.Context, node string) ([]byte, error)
	// Create stores hash for node, or fails with ErrPasswordExists.
	Create(ctx context.Context, node string, hash []byte) error
	// Delete forgets the hash of node; a node without one is no error.
	Delete(ctx context.Context, node string) error
}

// Names of the Secrets that keep node passwords.
const (
	// PasswordNamespace is the namespace of the node password Secrets.
	PasswordNamespace = "kube-system"
	// PasswordSecretType is the type of the node password Secrets.
	PasswordSecretType corev1.SecretType = "lightcluster.dev/node-password"
	// PasswordHashKey is the Secret data key of the bcrypt hash.
	PasswordHashKey = "hash"
	// passwordSecretSuffix follows the node name in the Secret name.
	passwordSecretSuffix = ".node-password.lightnode"
)

// PasswordSecretName returns the name of the Secret that keeps the password of node.
func PasswordSecretName(node string) string {
	return node + passwordSecretSuffix
}

// SecretStore is a PasswordStore that keeps each hash in the Secret
// kube-system/<node>.node-password.lightnode.
type SecretStore struct {
	client kubernetes.Interface
}

// NewSecretStore returns a SecretStore that reads and writes Secrets through client.
func NewSecretStore(client kubernetes.Interface) *SecretStore {
	return &SecretStore{client: client}
}

// Get returns the hash stored for node, or ErrNoPassword.
func (s *SecretStore) Get(ctx context.Context, node string) ([]byte, error) {
	name := PasswordSecretName(node)
	secret, err := s.client.CoreV1().Secrets(PasswordNamespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, ErrNoPassword
	}
	if err != nil {
		return nil, fmt.Errorf("get secret %s/%s: %w", PasswordNamespace, name, err)
	}
	hash := secret.Data[PasswordHashKey]
	if len(hash) == 0 {
		return nil, fmt.Errorf("secret %s/%s: key %s is empty", PasswordNamespace, name,
			PasswordHashKey)
	}
	return hash, nil
}

// Create stores hash for node, or fails with ErrPasswordExists.
func (s *SecretStore) Create(ctx context.Context, node string, hash []byte) error {
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name:      PasswordSecretName(node),
			Namespace: PasswordNamespace,
		},
		Type:      PasswordSecretType,
		Immutable: new(true),
		Data:      map[string][]byte{PasswordHashKey: hash},
	}
	_, err := s.client.CoreV1().Secrets(PasswordNamespace).Create(ctx, secret, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return ErrPasswordExists
	}
	if err != nil {
		return fmt.Errorf("create secret %s/%s: %w", PasswordNamespace, secret.Name, err)
	}
	return nil
}

// Delete removes the Secret of node; a missing Secret is no error.
func (s *SecretStore) Delete(ctx context.Context, node string) error {
	name := PasswordSecretName(node)
	err := s.client.CoreV1().Secrets(PasswordNamespace).Delete(ctx, name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete secret %s/%s: %w", PasswordNamespace, name, err)
	}
	return nil
}
