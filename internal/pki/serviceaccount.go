package pki

import (
	"bytes"
	"crypto"
	"fmt"
)

// ServiceAccountKey is the key pair with which the API server signs service-account tokens
// and verifies them.
type ServiceAccountKey struct {
	key    crypto.Signer
	keyPEM []byte
	pubPEM []byte
}

// NewServiceAccountKey generates an ECDSA P-256 service-account key pair.
func NewServiceAccountKey() (*ServiceAccountKey, error) {
	key, err := newKey()
	if err != nil {
		return nil, fmt.Errorf("generate service-account key: %w", err)
	}
	keyPEM, err := EncodePrivateKeyPEM(key)
	if err != nil {
		return nil, err
	}
	pubPEM, err := EncodePublicKeyPEM(key.Public())
	if err != nil {
		return nil, err
	}
	return &ServiceAccountKey{key: key, keyPEM: keyPEM, pubPEM: pubPEM}, nil
}

// parseServiceAccountKey loads a service-account private key and derives its public key.
func parseServiceAccountKey(keyPEM []byte) (*ServiceAccountKey, error) {
	key, err := ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	pubPEM, err := EncodePublicKeyPEM(key.Public())
	if err != nil {
		return nil, err
	}
	return &ServiceAccountKey{key: key, keyPEM: bytes.Clone(keyPEM), pubPEM: pubPEM}, nil
}

// usePublicKey checks that pubPEM is the public half of the service-account key and keeps
// it as given.
func (sa *ServiceAccountKey) usePublicKey(pubPEM []byte) error {
	pub, err := ParsePublicKeyPEM(pubPEM)
	if err != nil {
		return err
	}
	if !publicKeysEqual(sa.key.Public(), pub) {
		return fmt.Errorf("%w private key", ErrKeyMismatch)
	}
	sa.pubPEM = bytes.Clone(pubPEM)
	return nil
}

// Signer returns the service-account private key.
func (sa *ServiceAccountKey) Signer() crypto.Signer {
	return sa.key
}

// PrivateKeyPEM returns the PEM encoding of the private key.
func (sa *ServiceAccountKey) PrivateKeyPEM() []byte {
	return bytes.Clone(sa.keyPEM)
}

// PublicKeyPEM returns the PEM encoding of the public key.
func (sa *ServiceAccountKey) PublicKeyPEM() []byte {
	return bytes.Clone(sa.pubPEM)
}
