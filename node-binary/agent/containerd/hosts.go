package containerd

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// unreachableRegistry is where pulls go for registries that have no mirror: a local
// port nothing listens on, so a pull fails at once and no packet leaves the node.
const unreachableRegistry = "http://127.0.0.1:1"

// defaultHostDir is the hosts directory entry containerd uses for every registry
// without a directory of its own.
const defaultHostDir = "_default"

// WriteHosts replaces the registry hosts directory dir: every registry without a mirror
// resolves to an unreachable local address; each registry of mirrors gets its
// endpoints, tried in order, before the registry itself.
func WriteHosts(dir string, mirrors map[string][]string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("reset registry hosts %s: %w", dir, err)
	}
	if err := writeHostsFile(dir, defaultHostDir, hostsTOML(unreachableRegistry, nil)); err != nil {
		return err
	}
	for registry, endpoints := range mirrors {
		if registry == "*" {
			registry = defaultHostDir
		}
		if strings.ContainsAny(registry, `/\`) || registry == "." || registry == ".." {
			return fmt.Errorf("registry mirror %q: not a registry host name", registry)
		}
		upstream := upstreamOf(registry)
		if err := writeHostsFile(dir, registry, hostsTOML(upstream, endpoints)); err != nil {
			return err
		}
	}
	return nil
}

// upstreamOf returns the server a registry's hosts file falls back to.
func upstreamOf(registry string) string {
	switch registry {
	case defaultHostDir:
		return unreachableRegistry
	case "docker.io":
		return "https://registry-1.docker.io"
	}
	return "https://" + registry
}

// hostsTOML renders one hosts.toml: the mirrors first, then the server.
func hostsTOML(server string, mirrors []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "server = %s\n", strconv.Quote(server))
	for _, m := range mirrors {
		if !strings.Contains(m, "://") {
			m = "https://" + m
		}
		fmt.Fprintf(&b, "\n[host.%s]\n  capabilities = [\"pull\", \"resolve\"]\n", strconv.Quote(m))
	}
	return []byte(b.String())
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
