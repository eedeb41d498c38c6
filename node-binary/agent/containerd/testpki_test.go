package containerd

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testPKI is a CA with a server certificate for 127.0.0.1 and a client certificate,
// written as PEM files, for registries that check both ends.
type testPKI struct {
	caFile, certFile, keyFile string
	ca                        *x509.CertPool
	server                    tls.Certificate
}

// newTestPKI writes a fresh CA, server and client certificate into dir.
func newTestPKI(t *testing.T, dir string) testPKI {
	t.Helper()
	caKey, caCert := newCert(t, nil, nil, &x509.Certificate{
		Subject: pkix.Name{CommonName: "test registry CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	})
	serverKey, serverCert := newCert(t, caKey, caCert, &x509.Certificate{
		Subject: pkix.Name{CommonName: "registry"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	clientKey, clientCert := newCert(t, caKey, caCert, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "puller"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})

	clientKeyDER, err := x509.MarshalPKCS8PrivateKey(clientKey)
	if err != nil {
		t.Fatal(err)
	}

	p := testPKI{
		caFile:   writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", caCert.Raw),
		certFile: writePEM(t, filepath.Join(dir, "client.pem"), "CERTIFICATE", clientCert.Raw),
		keyFile:  writePEM(t, filepath.Join(dir, "client-key.pem"), "PRIVATE KEY", clientKeyDER),
		ca:       x509.NewCertPool(),
		server:   tls.Certificate{Certificate: [][]byte{serverCert.Raw}, PrivateKey: serverKey},
	}
	p.ca.AddCert(caCert)
	return p
}

// newCert creates a key and a certificate from template, signed by parent's key (or
// by itself when parent is nil).
func newCert(t *testing.T, parentKey *ecdsa.PrivateKey, parent,
	template *x509.Certificate) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template.SerialNumber = big.NewInt(time.Now().UnixNano())
	template.NotBefore = time.Now().Add(-time.Hour)
	template.NotAfter = time.Now().Add(time.Hour)
	if parent == nil {
		parent, parentKey = template, key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

// writePEM writes der as one PEM block of type typ to path and returns path.
func writePEM(t *testing.T, path, typ string, der []byte) string {
	t.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
