package server

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/node-binary/certs"
	"github.com/lightcluster/lightcluster/node-binary/config"
)

// ensureTLS loads the CA set, generating only what is missing, and keeps the leaf
// certificates valid.
func (r *runner) ensureTLS() error {
	cas, written, err := pki.EnsureCASet(r.dirs.TLSDir(), r.opts.Clock)
	if err != nil {
		return fmt.Errorf("certificate authorities: %w", err)
	}
	if len(written) > 0 {
		r.log.Info("Generated certificate authorities", "files", written)
	}
	r.cas = cas

	issued, err := certs.Ensure(r.dirs.TLSDir(), cas, r.certSpec(), r.opts.Clock)
	if err != nil {
		return err
	}
	if len(issued) > 0 {
		r.log.Info("Issued certificates", "files", issued)
	}
	return nil
}

func (r *runner) certSpec() certs.Spec {
	spec := certs.Spec{
		Hostname:      r.hostname(),
		IPs:           r.nodeAddrs(),
		ClusterDomain: r.cfg.ClusterDomain,
		TLSSANs:       r.cfg.TLSSAN,
	}
	for _, p := range r.cfg.ServiceCIDRs {
		spec.ServiceIPs = append(spec.ServiceIPs, p.Masked().Addr().Next())
	}
	return spec
}

// nodeAddrs are the addresses the server is known by: node IPs, the advertise
// address and a specific bind address.
func (r *runner) nodeAddrs() []netip.Addr {
	addrs := append([]netip.Addr{}, r.cfg.NodeIPs...)
	if r.cfg.AdvertiseIP.IsValid() {
		addrs = append(addrs, r.cfg.AdvertiseIP)
	}
	if r.cfg.BindIP.IsValid() && !r.cfg.BindIP.IsUnspecified() {
		addrs = append(addrs, r.cfg.BindIP)
	}
	addrs = append(addrs, r.advertiseIP())
	return addrs
}

// advertiseIP is the address other nodes reach this server at: the advertise
// address, else the first node IP, else a specific bind address, else the address of
// the default route.
func (r *runner) advertiseIP() netip.Addr {
	switch {
	case r.cfg.AdvertiseIP.IsValid():
		return r.cfg.AdvertiseIP
	case len(r.cfg.NodeIPs) > 0:
		return r.cfg.NodeIPs[0]
	case r.cfg.BindIP.IsValid() && !r.cfg.BindIP.IsUnspecified():
		return r.cfg.BindIP
	}
	return defaultRouteIP()
}

// defaultRouteIP finds the source address of the default route without sending
// anything, or loopback when there is none.
func defaultRouteIP() netip.Addr {
	conn, err := net.Dial("udp4", "192.0.2.1:9")
	if err != nil {
		return netip.MustParseAddr("127.0.0.1")
	}
	defer conn.Close()
	ap, err := netip.ParseAddrPort(conn.LocalAddr().String())
	if err != nil {
		return netip.MustParseAddr("127.0.0.1")
	}
	return ap.Addr()
}

// localIP is the address components of this process reach the API server at.
func localIP(cfg *config.Server) netip.Addr {
	if cfg.BindIP.IsValid() && !cfg.BindIP.IsUnspecified() {
		return cfg.BindIP
	}
	if cfg.BindIP.Is6() {
		return netip.IPv6Loopback()
	}
	return netip.MustParseAddr("127.0.0.1")
}
