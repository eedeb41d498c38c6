package pki

import (
	"crypto/x509"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// renewBefore is the renewal window the node binary uses.
const renewBefore = 120 * 24 * time.Hour

// serverSpec is a typical API server serving certificate.
var serverSpec = LeafSpec{
	CommonName: "kube-apiserver",
	DNSNames:   []string{"kubernetes", "kubernetes.default"},
	IPs:        []net.IP{net.ParseIP("10.43.0.1"), net.ParseIP("fd00::1")},
	Server:     true,
}

// parseLeaf parses the first certificate of data or stops the test.
func parseLeaf(t *testing.T, data []byte) *x509.Certificate {
	t.Helper()
	certs, err := ParseCertPEM(data)
	if err != nil {
		t.Fatalf("parse leaf: %v", err)
	}
	return certs[0]
}

func TestIssueLeaf(t *testing.T) {
	ca := mustCA(t, "ca")
	spec := LeafSpec{CommonName: "system:admin", Organization: []string{"system:masters"},
		Client: true}

	certPEM, keyPEM, err := IssueLeaf(ca, spec, fixedClock(epoch))
	if err != nil {
		t.Fatalf("IssueLeaf: %v", err)
	}
	cert := parseLeaf(t, certPEM)
	if err := cert.CheckSignatureFrom(ca.Certificate()); err != nil {
		t.Errorf("leaf not signed by CA: %v", err)
	}
	if cert.IsCA {
		t.Error("leaf is a CA")
	}
	if got := cert.NotAfter.Sub(epoch); got != LeafValidity {
		t.Errorf("valid for %v after issue, want %v", got, LeafValidity)
	}
	if !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}) {
		t.Errorf("ExtKeyUsage = %v, want client auth only", cert.ExtKeyUsage)
	}
	if !leafMatchesSpec(cert, spec) {
		t.Errorf("leaf %v does not match its spec", cert.Subject)
	}
	if _, err := parseKeyFor(cert, keyPEM); err != nil {
		t.Errorf("key does not match leaf: %v", err)
	}
}

func TestIssueLeafStopsAtCAExpiry(t *testing.T) {
	ca := mustCA(t, "ca")
	late := ca.Certificate().NotAfter.Add(-30 * 24 * time.Hour)

	certPEM, _, err := IssueLeaf(ca, serverSpec, fixedClock(late))
	if err != nil {
		t.Fatalf("IssueLeaf: %v", err)
	}
	if got := parseLeaf(t, certPEM).NotAfter; !got.Equal(ca.Certificate().NotAfter) {
		t.Errorf("NotAfter = %v, want the CA expiry %v", got, ca.Certificate().NotAfter)
	}
}

func TestIssueLeafRejectsBadSpec(t *testing.T) {
	ca := mustCA(t, "ca")
	tests := []struct {
		name string
		spec LeafSpec
	}{
		{name: "no common name", spec: LeafSpec{Server: true}},
		{name: "no usage", spec: LeafSpec{CommonName: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := IssueLeaf(ca, tt.spec, nil); err == nil {
				t.Error("IssueLeaf succeeded")
			}
		})
	}
}

func TestEnsureLeaf(t *testing.T) {
	ca, otherCA := mustCA(t, "ca"), mustCA(t, "other-ca")
	issueWith := func(ca *CA, spec LeafSpec) func(*testing.T, string, string) {
		return func(t *testing.T, certPath, keyPath string) {
			certPEM, keyPEM, err := IssueLeaf(ca, spec, fixedClock(epoch))
			if err != nil {
				t.Fatal(err)
			}
			writeFiles(t, filepath.Dir(certPath), map[string][]byte{
				filepath.Base(certPath): certPEM, filepath.Base(keyPath): keyPEM})
		}
	}
	moreSANs := serverSpec
	moreSANs.DNSNames = append(slices.Clone(serverSpec.DNSNames), "api.example.com")
	fewerSANs := serverSpec
	fewerSANs.IPs = serverSpec.IPs[:1]

	tests := []struct {
		name      string
		prepare   func(t *testing.T, certPath, keyPath string)
		spec      LeafSpec
		now       time.Time
		wantIssue bool
	}{
		{name: "missing", prepare: func(*testing.T, string, string) {}, spec: serverSpec,
			now: epoch, wantIssue: true},
		{name: "fresh", prepare: issueWith(ca, serverSpec), spec: serverSpec,
			now: epoch.AddDate(0, 0, 100)},
		{name: "near expiry", prepare: issueWith(ca, serverSpec), spec: serverSpec,
			now: epoch.AddDate(0, 0, 300), wantIssue: true},
		{name: "SAN added", prepare: issueWith(ca, serverSpec), spec: moreSANs,
			now: epoch, wantIssue: true},
		{name: "SAN subset already present", prepare: issueWith(ca, serverSpec),
			spec: fewerSANs, now: epoch},
		{name: "common name changed", prepare: issueWith(ca, serverSpec),
			spec: LeafSpec{CommonName: "other", Server: true}, now: epoch, wantIssue: true},
		{name: "organization added", prepare: issueWith(ca, serverSpec),
			spec: withOrg(serverSpec, "system:masters"), now: epoch, wantIssue: true},
		{name: "client usage added", prepare: issueWith(ca, serverSpec),
			spec: withClient(serverSpec), now: epoch, wantIssue: true},
		{name: "signed by another CA", prepare: issueWith(otherCA, serverSpec),
			spec: serverSpec, now: epoch, wantIssue: true},
		{name: "unparsable", prepare: writeJunk, spec: serverSpec, now: epoch,
			wantIssue: true},
		{name: "key of another leaf", prepare: swapKey(ca), spec: serverSpec, now: epoch,
			wantIssue: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			certPath, keyPath := filepath.Join(dir, "leaf.crt"), filepath.Join(dir, "leaf.key")
			tt.prepare(t, certPath, keyPath)
			before := readDir(t, dir, []string{"leaf.crt", "leaf.key"})

			issued, err := EnsureLeaf(certPath, keyPath, ca, tt.spec, fixedClock(tt.now),
				renewBefore)
			if err != nil {
				t.Fatalf("EnsureLeaf: %v", err)
			}
			if issued != tt.wantIssue {
				t.Errorf("issued = %v, want %v", issued, tt.wantIssue)
			}
			after := readDir(t, dir, []string{"leaf.crt", "leaf.key"})
			if tt.wantIssue {
				assertValidLeaf(t, after, ca, tt.spec, tt.now)
			} else {
				assertSameFiles(t, before, after)
			}
		})
	}
}

// assertValidLeaf checks that the files EnsureLeaf wrote satisfy spec at now.
func assertValidLeaf(t *testing.T, files map[string][]byte, ca *CA, spec LeafSpec,
	now time.Time) {
	t.Helper()
	cert := parseLeaf(t, files["leaf.crt"])
	if !leafIsCurrent(cert, ca, spec, now.Add(renewBefore)) {
		t.Error("issued leaf does not satisfy the spec")
	}
	if _, err := parseKeyFor(cert, files["leaf.key"]); err != nil {
		t.Errorf("issued key does not match: %v", err)
	}
}

// writeJunk writes files that are not PEM.
func writeJunk(t *testing.T, certPath, keyPath string) {
	t.Helper()
	for _, path := range []string{certPath, keyPath} {
		if err := os.WriteFile(path, []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// swapKey writes a valid leaf paired with the key of a different leaf.
func swapKey(ca *CA) func(*testing.T, string, string) {
	return func(t *testing.T, certPath, keyPath string) {
		certPEM, _, err := IssueLeaf(ca, serverSpec, fixedClock(epoch))
		if err != nil {
			t.Fatal(err)
		}
		_, keyPEM, err := IssueLeaf(ca, serverSpec, fixedClock(epoch))
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, filepath.Dir(certPath), map[string][]byte{
			filepath.Base(certPath): certPEM, filepath.Base(keyPath): keyPEM})
	}
}

// withOrg returns spec with an extra organization.
func withOrg(spec LeafSpec, org string) LeafSpec {
	spec.Organization = append(slices.Clone(spec.Organization), org)
	return spec
}

// withClient returns spec with client usage added.
func withClient(spec LeafSpec) LeafSpec {
	spec.Client = true
	return spec
}

func TestEnsureLeafNeverRenewsTheCA(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, mustCASet(t).Files())
	before := readDir(t, dir, CASetFileNames())
	set, err := LoadCASet(dir)
	if err != nil {
		t.Fatal(err)
	}

	// Ten years on, every CA is expired: no leaf can be issued and no CA file changes.
	late := fixedClock(epoch.AddDate(10, 0, 1))
	certPath, keyPath := filepath.Join(dir, "apiserver.crt"), filepath.Join(dir, "apiserver.key")
	issued, err := EnsureLeaf(certPath, keyPath, set.ServerCA, serverSpec, late, renewBefore)
	if !errors.Is(err, ErrCAExpired) || issued {
		t.Errorf("EnsureLeaf = %v, %v, want ErrCAExpired", issued, err)
	}
	if _, created, err := EnsureCASet(dir, late); err != nil || len(created) != 0 {
		t.Errorf("EnsureCASet = %v, %v, want nothing created", created, err)
	}
	assertSameFiles(t, before, readDir(t, dir, CASetFileNames()))
	if _, err := os.Stat(certPath); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a leaf was written from an expired CA: %v", err)
	}
}
