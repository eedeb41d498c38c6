package pki

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"time"
)

// LeafValidity is how long an issued leaf certificate is valid, unless its CA expires
// sooner.
const LeafValidity = 365 * 24 * time.Hour

// LeafSpec describes a leaf certificate to issue.
type LeafSpec struct {
	// CommonName is the subject common name; Kubernetes reads it as the user name.
	CommonName string
	// Organization lists the subject organizations; Kubernetes reads them as groups.
	Organization []string
	// DNSNames are the DNS subject alternative names.
	DNSNames []string
	// IPs are the IP address subject alternative names.
	IPs []net.IP
	// Client allows the certificate to authenticate TLS clients.
	Client bool
	// Server allows the certificate to authenticate TLS servers.
	Server bool
}

// validate checks that spec describes a usable certificate.
func (spec LeafSpec) validate() error {
	if spec.CommonName == "" {
		return errors.New("common name is empty")
	}
	if !spec.Client && !spec.Server {
		return errors.New("neither client nor server usage requested")
	}
	return nil
}

// extKeyUsages returns the extended key usages spec asks for.
func (spec LeafSpec) extKeyUsages() []x509.ExtKeyUsage {
	var usages []x509.ExtKeyUsage
	if spec.Server {
		usages = append(usages, x509.ExtKeyUsageServerAuth)
	}
	if spec.Client {
		usages = append(usages, x509.ExtKeyUsageClientAuth)
	}
	return usages
}

// IssueLeaf signs a new certificate for spec with ca, using a new ECDSA P-256 key. It is
// valid for LeafValidity from the time of clock, but never past the expiry of ca; an
// expired ca is ErrCAExpired. It returns the certificate and key as PEM.
func IssueLeaf(ca *CA, spec LeafSpec, clock Clock) (certPEM, keyPEM []byte, err error) {
	if err := spec.validate(); err != nil {
		return nil, nil, fmt.Errorf("issue certificate %q: %w", spec.CommonName, err)
	}
	now := clock.Now()
	if !now.Before(ca.cert.NotAfter) {
		return nil, nil, fmt.Errorf("issue certificate %q: %w: %s expired at %s",
			spec.CommonName, ErrCAExpired, ca.cert.Subject.CommonName,
			ca.cert.NotAfter.Format(time.RFC3339))
	}
	key, err := newKey()
	if err != nil {
		return nil, nil, fmt.Errorf("issue certificate %q: %w", spec.CommonName, err)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, nil, fmt.Errorf("issue certificate %q: %w", spec.CommonName, err)
	}

	subject := pkix.Name{CommonName: spec.CommonName, Organization: spec.Organization}
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		DNSNames:              spec.DNSNames,
		IPAddresses:           spec.IPs,
		NotBefore:             now.Add(-backdate),
		NotAfter:              earliest(now.Add(LeafValidity), ca.cert.NotAfter),
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           spec.extKeyUsages(),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca.cert, key.Public(), ca.key)
	if err != nil {
		return nil, nil, fmt.Errorf("issue certificate %q: sign: %w", spec.CommonName, err)
	}

	keyPEM, err = EncodePrivateKeyPEM(key)
	if err != nil {
		return nil, nil, err
	}
	return encodeCertDER(der), keyPEM, nil
}

// earliest returns the earlier of two times.
func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
