package containerd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// unreachableRegistry is where pulls go for registries that have no mirror: a local
// port nothing listens on, so a pull fails at once and no packet leaves the node.
const unreachableRegistry = "http://127.0.0.1:1"

// defaultHostDir is the hosts directory entry containerd uses for every registry
// without a directory of its own.
const defaultHostDir = "_default"

// hostEntry is one server of a hosts.toml file and the TLS settings to reach it.
type hostEntry struct {
	url string
	tls *TLSConfig
}

// WriteHosts replaces the registry hosts directory dir with one hosts.toml per
// registry of r (containerd's hosts directory layout): every registry without a
// mirror entry resolves to an unreachable local address; each registry of mirrors
// gets its endpoints, tried in order, before the registry itself. Each endpoint and
// registry carries the TLS settings configured for its host. Credentials are not
// written here; they go into containerd's configuration (see Registries.Auths).
func WriteHosts(dir string, r Registries) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("reset registry hosts %s: %w", dir, err)
	}
	blocked := hostsTOML(hostEntry{url: unreachableRegistry}, nil)
	if err := writeHostsFile(dir, defaultHostDir, blocked); err != nil {
		return err
	}
	for registry, m := range r.Mirrors {
		if registry == "*" {
			registry = defaultHostDir
		} else if !validHost(registry) || registry == defaultHostDir {
			return fmt.Errorf("registry mirror %q: not a registry host name", registry)
		}
		if err := writeHostsFile(dir, registry, r.registryHostsTOML(registry, m)); err != nil {
			return err
		}
	}
	return nil
}

// registryHostsTOML renders the hosts.toml of one registry of mirrors.
func (r Registries) registryHostsTOML(registry string, m Mirror) []byte {
	server := hostEntry{url: unreachableRegistry}
	if registry != defaultHostDir {
		host := upstreamHost(registry)
		server = hostEntry{url: "https://" + host, tls: r.tlsFor(host)}
	}
	mirrors := make([]hostEntry, 0, len(m.Endpoint))
	for _, e := range m.Endpoint {
		mirrors = append(mirrors, hostEntry{url: endpointURL(e), tls: r.tlsFor(endpointHost(e))})
	}
	return hostsTOML(server, mirrors)
}

// upstreamHost returns the host a registry's pulls fall back to after its mirrors.
func upstreamHost(registry string) string {
	if registry == "docker.io" {
		return dockerHubHost
	}
	return registry
}

// hostsTOML renders one hosts.toml: the server with its TLS settings at the top
// level, then each mirror as a host table, in the order they are tried.
func hostsTOML(server hostEntry, mirrors []hostEntry) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "server = %s\n", tomlString(server.url))
	writeTLS(&b, "", server.tls)
	for _, m := range mirrors {
		fmt.Fprintf(&b, "\n[host.%s]\n", tomlString(m.url))
		b.WriteString("  capabilities = [\"pull\", \"resolve\"]\n")
		writeTLS(&b, "  ", m.tls)
	}
	return []byte(b.String())
}

// writeTLS writes the hosts.toml keys of t: ca, client (a certificate and key
// pair), skip_verify.
func writeTLS(b *strings.Builder, indent string, t *TLSConfig) {
	if t == nil {
		return
	}
	if t.CAFile != "" {
		fmt.Fprintf(b, "%sca = %s\n", indent, tomlString(t.CAFile))
	}
	if t.CertFile != "" {
		fmt.Fprintf(b, "%sclient = [[%s, %s]]\n", indent, tomlString(t.CertFile),
			tomlString(t.KeyFile))
	}
	if t.InsecureSkipVerify {
		fmt.Fprintf(b, "%sskip_verify = true\n", indent)
	}
}

// writeHostsFile writes dir/registry/hosts.toml.
func writeHostsFile(dir, registry string, content []byte) error {
	sub := filepath.Join(dir, registry)
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return fmt.Errorf("write registry hosts for %s: %w", registry, err)
	}
	if err := os.WriteFile(filepath.Join(sub, "hosts.toml"), content, 0o644); err != nil {
		return fmt.Errorf("write registry hosts for %s: %w", registry, err)
	}
	return nil
}
