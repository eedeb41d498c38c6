package kubeconfig

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// ErrInvalidServerURL reports a server URL that is not https with a host.
var ErrInvalidServerURL = errors.New("invalid server URL")

// ErrLoopbackEndpoint reports a server URL whose host only reaches the local machine, in a
// kubeconfig that is used elsewhere.
var ErrLoopbackEndpoint = errors.New("server URL points at the local machine")

// ServerURL returns the https URL of an API server at host and port. host may be a name,
// an IPv4 address, or an IPv6 address with or without brackets.
func ServerURL(host string, port int) string {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	u := url.URL{Scheme: "https", Host: net.JoinHostPort(host, strconv.Itoa(port))}
	return u.String()
}

// validateServerURL checks that raw is an https URL with a host and, when rejectLoopback
// is set, that the host is not the local machine.
func validateServerURL(raw string, rejectLoopback bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		// The parse error repeats the URL, which could hold credentials.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return fmt.Errorf("%w: %w", ErrInvalidServerURL, err)
	}
	if u.User != nil {
		return fmt.Errorf("%w: credentials in the URL are not allowed", ErrInvalidServerURL)
	}
	switch {
	case u.Scheme != "https":
		return fmt.Errorf("%w %q: scheme must be https", ErrInvalidServerURL, raw)
	case u.Hostname() == "":
		return fmt.Errorf("%w %q: host is empty", ErrInvalidServerURL, raw)
	}
	if err := validatePort(u.Port()); err != nil {
		return fmt.Errorf("%w %q: %w", ErrInvalidServerURL, raw, err)
	}
	if rejectLoopback && isLocalHost(u.Hostname()) {
		return fmt.Errorf("%w: %s", ErrLoopbackEndpoint, u.Hostname())
	}
	return nil
}

// validatePort checks an optional URL port.
func validatePort(port string) error {
	if port == "" {
		return nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q is out of range", port)
	}
	return nil
}

// isLocalHost reports whether host names the local machine: localhost or a name under it,
// a loopback address, or the unspecified address, which dials the local machine.
func isLocalHost(host string) bool {
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	addr, _, _ := strings.Cut(host, "%")
	ip := net.ParseIP(addr)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}
