package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"errors"
	"testing"
)

func TestNewCA(t *testing.T) {
	ca := mustCA(t, "test-ca")
	cert := ca.Certificate()

	if !cert.IsCA || !cert.BasicConstraintsValid {
		t.Errorf("IsCA = %v, BasicConstraintsValid = %v, want both true",
			cert.IsCA, cert.BasicConstraintsValid)
	}
	wantUsage := x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature |
		x509.KeyUsageKeyEncipherment
	if cert.KeyUsage != wantUsage {
		t.Errorf("KeyUsage = %v, want %v", cert.KeyUsage, wantUsage)
	}
	if got := cert.NotAfter.Sub(epoch); got != CAValidity {
		t.Errorf("valid for %v after issue, want %v", got, CAValidity)
	}
	if cert.NotBefore.After(epoch) {
		t.Errorf("NotBefore %v is after issue time %v", cert.NotBefore, epoch)
	}
	if cert.Subject.CommonName != "test-ca" {
		t.Errorf("CommonName = %q, want test-ca", cert.Subject.CommonName)
	}
	if bits := cert.SerialNumber.BitLen(); cert.SerialNumber.Sign() <= 0 || bits > 128 {
		t.Errorf("serial %v has %d bits, want a positive number of at most 128", cert.SerialNumber,
			bits)
	}
	key, ok := ca.Signer().(*ecdsa.PrivateKey)
	if !ok || key.Curve != elliptic.P256() {
		t.Errorf("key is %T, want ECDSA P-256", ca.Signer())
	}
	if err := cert.CheckSignatureFrom(cert); err != nil {
		t.Errorf("CA is not self-signed: %v", err)
	}
}

func TestNewCASerialsDiffer(t *testing.T) {
	a, b := mustCA(t, "a"), mustCA(t, "b")
	if a.Certificate().SerialNumber.Cmp(b.Certificate().SerialNumber) == 0 {
		t.Errorf("two CAs share serial %v", a.Certificate().SerialNumber)
	}
}

func TestNewCARejectsEmptyName(t *testing.T) {
	if _, err := NewCA("", nil); err == nil {
		t.Error("NewCA with an empty common name succeeded")
	}
}

func TestParseCA(t *testing.T) {
	ca, other := mustCA(t, "ca"), mustCA(t, "other")
	leafPEM, leafKeyPEM, err := IssueLeaf(ca, LeafSpec{CommonName: "leaf", Client: true}, nil)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		cert    []byte
		key     []byte
		wantErr error
	}{
		{name: "valid", cert: ca.CertPEM(), key: ca.KeyPEM()},
		{name: "leaf is not a CA", cert: leafPEM, key: leafKeyPEM, wantErr: ErrNotCA},
		{name: "key of another CA", cert: ca.CertPEM(), key: other.KeyPEM(),
			wantErr: ErrKeyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCA(tt.cert, tt.key)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseCA error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && string(got.CertPEM()) != string(tt.cert) {
				t.Error("CertPEM differs from the parsed data")
			}
		})
	}
}
