package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

func TestParsePrivateKeyPEMFormats(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sec1, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := EncodePrivateKeyPEM(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	ecParams := pem.EncodeToMemory(&pem.Block{Type: pemECParameters, Bytes: []byte{6, 8}})

	tests := []struct {
		name string
		data []byte
		want interface{ Equal(crypto.PrivateKey) bool }
	}{
		{name: "PKCS #8", data: pkcs8, want: ecKey},
		{name: "SEC 1", data: pemBlock(pemECPrivateKey, sec1), want: ecKey},
		{name: "SEC 1 after EC parameters", want: ecKey,
			data: append(ecParams, pemBlock(pemECPrivateKey, sec1)...)},
		{name: "PKCS #1", data: pemBlock(pemRSAPrivateKey, x509.MarshalPKCS1PrivateKey(rsaKey)),
			want: rsaKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePrivateKeyPEM(tt.data)
			if err != nil {
				t.Fatalf("ParsePrivateKeyPEM: %v", err)
			}
			if !tt.want.Equal(got) {
				t.Error("parsed key differs from the encoded one")
			}
		})
	}
}

func TestParsePEMRejects(t *testing.T) {
	ca := mustCA(t, "ca")
	tests := []struct {
		name    string
		parse   func([]byte) error
		data    []byte
		wantMsg string
	}{
		{name: "certificate from empty data", parse: parseCert, data: nil,
			wantMsg: "no PEM certificate"},
		{name: "certificate from key", parse: parseCert, data: ca.KeyPEM(),
			wantMsg: `unexpected PEM block "PRIVATE KEY"`},
		{name: "key from certificate", parse: parseKey, data: ca.CertPEM(),
			wantMsg: `unexpected PEM block "CERTIFICATE"`},
		{name: "key from text", parse: parseKey, data: []byte("secret"),
			wantMsg: "no PEM private key"},
		{name: "corrupt key", parse: parseKey, data: pemBlock(pemPrivateKey, []byte{1, 2}),
			wantMsg: "parse private key"},
		{name: "public key from certificate", parse: parsePub, data: ca.CertPEM(),
			wantMsg: `unexpected PEM block "CERTIFICATE"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.parse(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %v, want %q", err, tt.wantMsg)
			}
		})
	}
}

func TestParseCertPEMBundle(t *testing.T) {
	a, b := mustCA(t, "a"), mustCA(t, "b")
	certs, err := ParseCertPEM(append(a.CertPEM(), b.CertPEM()...))
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 2 || certs[1].Subject.CommonName != "b" {
		t.Errorf("parsed %d certificates, want a then b", len(certs))
	}
}

func TestCABundleHash(t *testing.T) {
	// The SHA-256 of the empty input is a published constant.
	const emptySum = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := CABundleHash(nil); got != emptySum {
		t.Errorf("CABundleHash(nil) = %s, want %s", got, emptySum)
	}
	bundle := mustCA(t, "ca").CertPEM()
	if got := CABundleHash(bundle); len(got) != 64 || got == emptySum {
		t.Errorf("CABundleHash(bundle) = %q, want 64 hex characters", got)
	}
}

// pemBlock encodes one PEM block.
func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// parseCert, parseKey and parsePub adapt the parsers to one signature.
func parseCert(data []byte) error { _, err := ParseCertPEM(data); return err }
func parseKey(data []byte) error  { _, err := ParsePrivateKeyPEM(data); return err }
func parsePub(data []byte) error  { _, err := ParsePublicKeyPEM(data); return err }
