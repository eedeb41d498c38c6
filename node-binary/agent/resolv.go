package agent

import (
	"bufio"
	"bytes"
	"net/netip"
	"os"
	"strings"
)

// hostResolvConf is the host's resolver configuration.
const hostResolvConf = "/etc/resolv.conf"

// resolvConf returns the resolver configuration for pods with the Default DNS
// policy: the host's, unless its name servers are all loopback addresses, which
// mean nothing inside a pod; then a file without name servers, written to fallback.
// No public resolver is ever put in instead.
func resolvConf(fallback string) (string, error) {
	data, err := os.ReadFile(hostResolvConf)
	if err == nil && hasUsableNameserver(data) {
		return hostResolvConf, nil
	}
	content := "# the host's name servers are loopback addresses, unreachable from pods\n"
	if err := writeFile(fallback, []byte(content), 0o644); err != nil {
		return "", err
	}
	return fallback, nil
}

// hasUsableNameserver reports whether a resolv.conf names a non-loopback server.
func hasUsableNameserver(data []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "nameserver" {
			continue
		}
		if ip, err := netip.ParseAddr(f[1]); err == nil && !ip.IsLoopback() {
			return true
		}
	}
	return false
}
