package agent

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
)

// defaultRouteInterface returns the name of the interface that carries the IPv4
// default route, read from a /proc/net/route table.
func defaultRouteInterface(table io.Reader) (string, error) {
	sc := bufio.NewScanner(table)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// Iface Destination Gateway Flags ...; destination 00000000 is the default.
		if len(f) > 3 && f[1] == "00000000" && f[0] != "Iface" {
			return f[0], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no IPv4 default route")
}

// defaultNodeIP returns the first IPv4 address of the interface that carries the
// default route.
func defaultNodeIP() (netip.Addr, error) {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return netip.Addr{}, fmt.Errorf("node IP: %w", err)
	}
	defer f.Close()
	name, err := defaultRouteInterface(f)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("node IP: %w; set --node-ip", err)
	}
	iface, err := net.InterfaceByName(name)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("node IP: %w", err)
	}
	addrs, err := iface.Addrs()
	if err != nil {
		return netip.Addr{}, fmt.Errorf("node IP: interface %s: %w", name, err)
	}
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Is4() {
			return p.Addr(), nil
		}
	}
	return netip.Addr{}, fmt.Errorf("node IP: interface %s has no IPv4 address; set --node-ip",
		name)
}
