package kubeconfig

import (
	"testing"
	"time"

	"github.com/lightcluster/lightcluster/internal/pki"
)

func TestClientCertExpiry(t *testing.T) {
	issued := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := pki.Clock(func() time.Time { return issued })
	ca, err := pki.NewCA("test-ca", clock)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := pki.IssueLeaf(ca, pki.LeafSpec{CommonName: "admin", Client: true},
		clock)
	if err != nil {
		t.Fatal(err)
	}
	withCert, err := Admin(Config{ServerURL: "https://10.0.0.5:6443", CAPEM: ca.CertPEM(),
		ClientCertPEM: certPEM, ClientKeyPEM: keyPEM})
	if err != nil {
		t.Fatal(err)
	}
	withToken, err := Admin(Config{ServerURL: "https://10.0.0.5:6443", CAPEM: ca.CertPEM(),
		Token: "abc.def"})
	if err != nil {
		t.Fatal(err)
	}

	got, err := ClientCertExpiry(withCert)
	if err != nil {
		t.Fatalf("ClientCertExpiry: %v", err)
	}
	if want := issued.Add(pki.LeafValidity); got.Sub(want).Abs() > time.Hour {
		t.Errorf("expiry = %s, want about %s", got, want)
	}
	for name, data := range map[string][]byte{"token user": withToken,
		"not a kubeconfig": []byte("{]")} {
		if _, err := ClientCertExpiry(data); err == nil {
			t.Errorf("%s: ClientCertExpiry succeeded, want an error", name)
		}
	}
}
