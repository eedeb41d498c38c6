package certs

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lightcluster/lightcluster/internal/pki"
)

func testSpec() Spec {
	return Spec{
		Hostname:      "Node-1",
		IPs:           []netip.Addr{netip.MustParseAddr("192.0.2.10")},
		ServiceIPs:    []netip.Addr{netip.MustParseAddr("10.43.0.1")},
		ClusterDomain: "cluster.local",
		TLSSANs:       []string{"api.example.com", "198.51.100.7"},
	}
}

func fixedClock(t time.Time) pki.Clock { return func() time.Time { return t } }

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestEnsureRenewsLeavesNearExpiryButNotCAs(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	past := fixedClock(now.Add(-300 * 24 * time.Hour))
	cas, _, err := pki.EnsureCASet(dir, past)
	if err != nil {
		t.Fatal(err)
	}
	caBefore := readFile(t, filepath.Join(dir, pki.ServerCACertFile))

	issued, err := Ensure(dir, cas, testSpec(), past)
	if err != nil {
		t.Fatal(err)
	}
	if len(issued) != len(leaves(testSpec())) {
		t.Fatalf("first start issued %v, want every leaf", issued)
	}

	tests := []struct {
		name  string
		clock pki.Clock
		want  int
	}{
		{name: "same time keeps every leaf", clock: past, want: 0},
		{name: "within renewal window renews every leaf", clock: fixedClock(now), want: len(issued)},
		{name: "after renewal keeps every leaf", clock: fixedClock(now), want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Ensure(dir, cas, testSpec(), tt.clock)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Fatalf("issued %v, want %d certificates", got, tt.want)
			}
		})
	}

	if !bytes.Equal(caBefore, readFile(t, filepath.Join(dir, pki.ServerCACertFile))) {
		t.Error("the server CA was rewritten")
	}
}

func TestServingCertificateNames(t *testing.T) {
	dir := t.TempDir()
	cas, _, err := pki.EnsureCASet(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Ensure(dir, cas, testSpec(), nil); err != nil {
		t.Fatal(err)
	}
	certs, err := pki.ParseCertPEM(readFile(t, filepath.Join(dir, APIServerCertFile)))
	if err != nil {
		t.Fatal(err)
	}
	cert := certs[0]

	for _, name := range []string{"localhost", "kubernetes.default.svc.cluster.local", "node-1",
		"api.example.com"} {
		t.Run(name, func(t *testing.T) {
			if !slices.Contains(cert.DNSNames, name) {
				t.Errorf("DNS names %v lack %s", cert.DNSNames, name)
			}
		})
	}
	for _, ip := range []string{"127.0.0.1", "::1", "192.0.2.10", "10.43.0.1", "198.51.100.7"} {
		t.Run(ip, func(t *testing.T) {
			if !slices.ContainsFunc(cert.IPAddresses, func(got net.IP) bool {
				return got.String() == ip
			}) {
				t.Errorf("IP addresses %v lack %s", cert.IPAddresses, ip)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	past := fixedClock(now.Add(-300 * 24 * time.Hour))
	cas, _, err := pki.EnsureCASet(dir, past)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Ensure(dir, cas, testSpec(), past); err != nil {
		t.Fatal(err)
	}

	list, err := Check(dir, fixedClock(now))
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]Status{}
	for _, st := range list {
		byPath[st.Path] = st
	}
	tests := []struct {
		path        string
		isCA, renew bool
	}{
		{path: pki.ServerCACertFile, isCA: true},
		{path: pki.EtcdPeerCACertFile, isCA: true},
		{path: APIServerCertFile, renew: true},
		{path: EtcdClientCertFile, renew: true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			st, ok := byPath[tt.path]
			if !ok {
				t.Fatalf("%s not listed in %v", tt.path, list)
			}
			if st.IsCA != tt.isCA || st.Renew != tt.renew {
				t.Errorf("got CA %v renew %v, want CA %v renew %v", st.IsCA, st.Renew, tt.isCA, tt.renew)
			}
		})
	}
}
