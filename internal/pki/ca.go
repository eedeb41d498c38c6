package pki

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"time"
)

// CAValidity is how long a generated certificate authority is valid.
const CAValidity = 10 * 365 * 24 * time.Hour

// backdate moves NotBefore into the past so that hosts whose clocks lag slightly behind
// accept a certificate that has just been issued.
const backdate = 5 * time.Minute

// CA is a certificate authority: a self-signed certificate, its private key, and the PEM
// encodings they were loaded from or generated as.
type CA struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
	keyPEM  []byte
}

// NewCA generates a self-signed certificate authority named commonName with a new ECDSA
// P-256 key, valid for CAValidity from the time of clock.
func NewCA(commonName string, clock Clock) (*CA, error) {
	if commonName == "" {
		return nil, errors.New("generate CA: common name is empty")
	}
	key, err := newKey()
	if err != nil {
		return nil, fmt.Errorf("generate CA %s: %w", commonName, err)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, fmt.Errorf("generate CA %s: %w", commonName, err)
	}

	now := clock.Now()
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(CAValidity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature |
			x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("generate CA %s: sign certificate: %w", commonName, err)
	}
	return newCAFromDER(der, key)
}

// newCAFromDER builds a CA from a freshly signed certificate and its key.
func newCAFromDER(der []byte, key crypto.Signer) (*CA, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse generated CA certificate: %w", err)
	}
	keyPEM, err := EncodePrivateKeyPEM(key)
	if err != nil {
		return nil, err
	}
	return &CA{cert: cert, key: key, certPEM: EncodeCertPEM(cert), keyPEM: keyPEM}, nil
}

// ParseCA loads a certificate authority from PEM data. The first certificate of certPEM
// must be a CA (ErrNotCA otherwise) and keyPEM must hold its key (ErrKeyMismatch otherwise).
// The PEM data is kept as given, so CertPEM and KeyPEM return it unchanged.
func ParseCA(certPEM, keyPEM []byte) (*CA, error) {
	cert, err := parseCACert(certPEM)
	if err != nil {
		return nil, err
	}
	key, err := parseKeyFor(cert, keyPEM)
	if err != nil {
		return nil, err
	}
	return newParsedCA(cert, key, certPEM, keyPEM), nil
}

// newParsedCA builds a CA from parsed values, keeping copies of the PEM data they came from.
func newParsedCA(cert *x509.Certificate, key crypto.Signer, certPEM, keyPEM []byte) *CA {
	return &CA{cert: cert, key: key, certPEM: bytes.Clone(certPEM), keyPEM: bytes.Clone(keyPEM)}
}

// parseCACert parses the first certificate of data and checks that it can sign.
func parseCACert(data []byte) (*x509.Certificate, error) {
	certs, err := ParseCertPEM(data)
	if err != nil {
		return nil, err
	}
	cert := certs[0]
	if !cert.BasicConstraintsValid || !cert.IsCA || cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, ErrNotCA
	}
	return cert, nil
}

// parseKeyFor parses a private key and checks that it belongs to cert.
func parseKeyFor(cert *x509.Certificate, keyPEM []byte) (crypto.Signer, error) {
	key, err := ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	if !publicKeysEqual(key.Public(), cert.PublicKey) {
		return nil, fmt.Errorf("%w certificate", ErrKeyMismatch)
	}
	return key, nil
}

// Certificate returns the CA certificate.
func (ca *CA) Certificate() *x509.Certificate {
	return ca.cert
}

// Signer returns the CA private key.
func (ca *CA) Signer() crypto.Signer {
	return ca.key
}

// CertPEM returns the PEM encoding of the CA certificate, suitable as a trust bundle.
func (ca *CA) CertPEM() []byte {
	return bytes.Clone(ca.certPEM)
}

// KeyPEM returns the PEM encoding of the CA private key.
func (ca *CA) KeyPEM() []byte {
	return bytes.Clone(ca.keyPEM)
}
