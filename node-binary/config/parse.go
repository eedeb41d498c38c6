package config

import (
	"fmt"
	"io/fs"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// parseCIDR parses one network prefix and rejects prefixes with host bits set.
func parseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("invalid CIDR %q", s)
	}
	if p != p.Masked() {
		return netip.Prefix{}, fmt.Errorf("invalid CIDR %q: host bits set, use %s", s, p.Masked())
	}
	return p, nil
}

// parseIP parses one IPv4 or IPv6 address without a zone.
func parseIP(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("invalid IP address %q", s)
	}
	return a.Unmap(), nil
}

// parsePort parses a TCP port number in the range 1-65535.
func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("invalid port %q", s)
	}
	if err := checkPort(n); err != nil {
		return 0, err
	}
	return n, nil
}

// checkPort reports a port number outside 1-65535.
func checkPort(n int) error {
	if n < 1 || n > 65535 {
		return fmt.Errorf("port %d out of range 1-65535", n)
	}
	return nil
}

// parseMode parses an octal permission mode such as 0600.
func parseMode(s string) (fs.FileMode, error) {
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o777 {
		return 0, fmt.Errorf("invalid file mode %q, want octal permissions such as 0600", s)
	}
	return fs.FileMode(n), nil
}

// parseServerURL parses the URL of a server to join, which must use https.
func parseServerURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("invalid URL %q, want https://<host>:<port>", s)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("URL %q must use https", s)
	}
	return u, nil
}

// parseLabel parses a node label written as key=value.
func parseLabel(s string) (key, value string, err error) {
	key, value, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", fmt.Errorf("invalid label %q, want key=value", s)
	}
	if msgs := validation.IsQualifiedName(key); len(msgs) > 0 {
		return "", "", fmt.Errorf("invalid label key %q: %s", key, strings.Join(msgs, "; "))
	}
	if msgs := validation.IsValidLabelValue(value); len(msgs) > 0 {
		return "", "", fmt.Errorf("invalid label value %q: %s", value, strings.Join(msgs, "; "))
	}
	return key, value, nil
}

// checkLabel reports a malformed node label.
func checkLabel(s string) error {
	_, _, err := parseLabel(s)
	return err
}

// checkTaint reports a malformed node taint.
func checkTaint(s string) error {
	_, err := ParseTaint(s)
	return err
}

// checkCIDR reports a malformed network prefix.
func checkCIDR(s string) error {
	_, err := parseCIDR(s)
	return err
}

// checkIP reports a malformed IP address.
func checkIP(s string) error {
	_, err := parseIP(s)
	return err
}

// checkMode reports a malformed permission mode.
func checkMode(s string) error {
	_, err := parseMode(s)
	return err
}

// checkServerURL reports a server URL that is malformed or not https.
func checkServerURL(s string) error {
	_, err := parseServerURL(s)
	return err
}

// checkDNSSubdomain reports a name that is not a DNS-1123 subdomain.
func checkDNSSubdomain(s string) error {
	if msgs := validation.IsDNS1123Subdomain(s); len(msgs) > 0 {
		return fmt.Errorf("invalid name %q: %s", s, strings.Join(msgs, "; "))
	}
	return nil
}

// checkNodeName reports a name a Node cannot have: it must be a DNS-1123 subdomain, and
// also a valid label value, since the kubelet labels its Node kubernetes.io/hostname
// with it.
func checkNodeName(s string) error {
	if err := checkDNSSubdomain(s); err != nil {
		return err
	}
	if msgs := validation.IsValidLabelValue(s); len(msgs) > 0 {
		return fmt.Errorf("invalid name %q: %s", s, strings.Join(msgs, "; "))
	}
	return nil
}

// checkTLSSAN reports a subject alternative name that is neither an IP address nor a
// DNS name.
func checkTLSSAN(s string) error {
	if _, err := parseIP(s); err == nil {
		return nil
	}
	if len(validation.IsDNS1123Subdomain(s)) == 0 {
		return nil
	}
	return fmt.Errorf("invalid TLS SAN %q, want an IP address or a DNS name", s)
}

// parseProxyArg parses a kube-proxy argument written key=value and returns the proxy
// mode it sets.
func parseProxyArg(s string) (string, error) {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" || strings.HasPrefix(key, "-") {
		return "", fmt.Errorf("%q: write key=value without leading dashes", s)
	}
	if key != proxyModeArg {
		return "", fmt.Errorf("%q: only %s can be set; lightnode sets kube-proxy's other "+
			"settings", s, proxyModeArg)
	}
	if err := oneOf(ProxyModes...)(value); err != nil {
		return "", fmt.Errorf("%q: %w", s, err)
	}
	return value, nil
}

// checkProxyArg reports a kube-proxy argument that parseProxyArg rejects.
func checkProxyArg(s string) error {
	_, err := parseProxyArg(s)
	return err
}

// oneOf returns a check that accepts only the given values.
func oneOf(allowed ...string) func(string) error {
	return func(s string) error {
		for _, a := range allowed {
			if s == a {
				return nil
			}
		}
		return fmt.Errorf("invalid value %q, want one of %s", s, strings.Join(allowed, ", "))
	}
}
