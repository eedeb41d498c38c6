package pki

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"net"
	"slices"
	"time"
)

// EnsureLeaf keeps the certificate at certPath and the key at keyPath valid for spec. It
// issues a new pair from ca when either file is missing or unparsable, the key does not
// match the certificate, the certificate was not signed by ca, it expires within
// renewBefore of the time of clock, or it lacks the common name, an organization, a SAN or
// a usage of spec. Otherwise it leaves both files untouched. It reports whether it issued.
// The CA itself is never renewed.
func EnsureLeaf(certPath, keyPath string, ca *CA, spec LeafSpec, clock Clock,
	renewBefore time.Duration) (bool, error) {
	current, err := readLeaf(certPath, keyPath)
	if err != nil {
		return false, err
	}
	if current != nil && leafIsCurrent(current, ca, spec, clock.Now().Add(renewBefore)) {
		return false, nil
	}

	certPEM, keyPEM, err := IssueLeaf(ca, spec, clock)
	if err != nil {
		return false, fmt.Errorf("renew %s: %w", certPath, err)
	}
	// The key goes first so that a certificate on disk always has its key beside it.
	if err := writeFileAtomic(keyPath, keyPEM, keyFileMode); err != nil {
		return false, err
	}
	if err := writeFileAtomic(certPath, certPEM, certFileMode); err != nil {
		return false, err
	}
	return true, nil
}

// readLeaf returns the certificate at certPath when both files exist, parse, and the key
// belongs to the certificate; it returns nil when the pair must be issued again. Only
// failures to read an existing file are errors.
func readLeaf(certPath, keyPath string) (*x509.Certificate, error) {
	certPEM, hasCert, err := readOptional(certPath)
	if err != nil {
		return nil, err
	}
	keyPEM, hasKey, err := readOptional(keyPath)
	if err != nil {
		return nil, err
	}
	if !hasCert || !hasKey {
		return nil, nil
	}

	certs, err := ParseCertPEM(certPEM)
	if err != nil {
		return nil, nil
	}
	if _, err := parseKeyFor(certs[0], keyPEM); err != nil {
		return nil, nil
	}
	return certs[0], nil
}

// leafIsCurrent reports whether cert was signed by ca, is still valid at renewAt, and
// carries everything spec asks for.
func leafIsCurrent(cert *x509.Certificate, ca *CA, spec LeafSpec, renewAt time.Time) bool {
	signed := bytes.Equal(cert.RawIssuer, ca.cert.RawSubject) &&
		cert.CheckSignatureFrom(ca.cert) == nil
	if !signed {
		return false
	}
	if !renewAt.Before(cert.NotAfter) {
		return false
	}
	return leafMatchesSpec(cert, spec)
}

// leafMatchesSpec reports whether cert has the common name of spec and at least its
// organizations, SANs and usages. Extra names in cert are accepted.
func leafMatchesSpec(cert *x509.Certificate, spec LeafSpec) bool {
	return cert.Subject.CommonName == spec.CommonName &&
		containsAll(cert.Subject.Organization, spec.Organization) &&
		containsAll(cert.DNSNames, spec.DNSNames) &&
		containsAllIPs(cert.IPAddresses, spec.IPs) &&
		containsAll(cert.ExtKeyUsage, spec.extKeyUsages())
}

// containsAll reports whether have holds every element of want.
func containsAll[T comparable](have, want []T) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// containsAllIPs reports whether have holds every address of want, comparing IPv4
// addresses in either of their encodings.
func containsAllIPs(have, want []net.IP) bool {
	for _, w := range want {
		if !slices.ContainsFunc(have, w.Equal) {
			return false
		}
	}
	return true
}
