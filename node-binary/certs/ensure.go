package certs

import (
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lightcluster/lightcluster/internal/pki"
)

// RenewBefore is how long before its expiry a leaf certificate is renewed on start.
const RenewBefore = 120 * 24 * time.Hour

// Spec describes the server whose leaf certificates Ensure issues.
type Spec struct {
	// Hostname is the machine's host name, added to the serving certificates.
	Hostname string
	// IPs are the node's addresses (node IPs, advertise and bind address when
	// specific); loopback addresses are always added.
	IPs []netip.Addr
	// ServiceIPs are the first addresses of the service networks, which the
	// kubernetes Service points at.
	ServiceIPs []netip.Addr
	// ClusterDomain is the cluster's DNS domain, as in cluster.local.
	ClusterDomain string
	// TLSSANs are extra names and addresses for the API server certificate.
	TLSSANs []string
}

// leaf is one certificate to keep valid: the service it belongs to, its files, its CA
// and what it holds.
type leaf struct {
	service   string
	cert, key string
	ca        func(*pki.CASet) *pki.CA
	spec      pki.LeafSpec
}

// Ensure keeps every leaf certificate of a server valid under dir (normally
// <data-dir>/server/tls), issuing from cas what is missing, does not match spec or
// expires within RenewBefore of the time of clock. It returns the paths of the
// certificates it issued, relative to dir.
func Ensure(dir string, cas *pki.CASet, spec Spec, clock pki.Clock) ([]string, error) {
	var issued []string
	for _, l := range leaves(spec) {
		ok, err := pki.EnsureLeaf(filepath.Join(dir, l.cert), filepath.Join(dir, l.key),
			l.ca(cas), l.spec, clock, RenewBefore)
		if err != nil {
			return issued, fmt.Errorf("ensure %s: %w", filepath.Join(dir, l.cert), err)
		}
		if ok {
			issued = append(issued, l.cert)
		}
	}
	return issued, nil
}

func leaves(spec Spec) []leaf {
	server := servingSpec(spec)
	etcd := etcdSpec(spec)
	return []leaf{
		{ServiceAPIServer, APIServerCertFile, APIServerKeyFile, serverCA, server},
		{ServiceAdmin, AdminCertFile, AdminKeyFile, clientCA, client(AdminUser, MastersGroup)},
		{ServiceControllerManager, ControllerCertFile, ControllerKeyFile, clientCA,
			client(ControllerUser)},
		{ServiceScheduler, SchedulerCertFile, SchedulerKeyFile, clientCA,
			client(SchedulerUser)},
		{ServiceAPIServer, KubeletClientCertFile, KubeletClientKeyFile, clientCA,
			client(KubeletClientUser, MastersGroup)},
		{ServiceAuthProxy, ProxyClientCertFile, ProxyClientKeyFile, requestHeaderCA,
			client(ProxyClientUser)},
		{ServiceEtcd, EtcdServerCertFile, EtcdServerKeyFile, etcdServerCA, etcd},
		{ServiceEtcd, EtcdPeerCertFile, EtcdPeerKeyFile, etcdPeerCA, etcd},
		{ServiceEtcd, EtcdClientCertFile, EtcdClientKeyFile, etcdServerCA,
			client(EtcdClientUser)},
	}
}

func serverCA(s *pki.CASet) *pki.CA        { return s.ServerCA }
func clientCA(s *pki.CASet) *pki.CA        { return s.ClientCA }
func requestHeaderCA(s *pki.CASet) *pki.CA { return s.RequestHeaderCA }
func etcdServerCA(s *pki.CASet) *pki.CA    { return s.EtcdServerCA }
func etcdPeerCA(s *pki.CASet) *pki.CA      { return s.EtcdPeerCA }

func client(user string, groups ...string) pki.LeafSpec {
	return pki.LeafSpec{CommonName: user, Organization: groups, Client: true}
}

// servingSpec is the API server's certificate: every name and address by which
// clients inside and outside the cluster reach it.
func servingSpec(spec Spec) pki.LeafSpec {
	dns := []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"}
	if spec.ClusterDomain != "" {
		dns = append(dns, "kubernetes.default.svc."+strings.TrimSuffix(spec.ClusterDomain, "."))
	}
	ips := loopbacks()
	ips = appendIPs(ips, spec.IPs...)
	ips = appendIPs(ips, spec.ServiceIPs...)
	dns = appendName(dns, spec.Hostname)
	for _, san := range spec.TLSSANs {
		if ip, err := netip.ParseAddr(san); err == nil {
			ips = appendIPs(ips, ip)
			continue
		}
		dns = appendName(dns, san)
	}
	return pki.LeafSpec{
		CommonName: "kube-apiserver", DNSNames: dns, IPs: netIPs(ips), Server: true,
	}
}

// etcdSpec serves etcd clients and peers, which connect by address.
func etcdSpec(spec Spec) pki.LeafSpec {
	ips := appendIPs(loopbacks(), spec.IPs...)
	dns := appendName([]string{"localhost"}, spec.Hostname)
	return pki.LeafSpec{
		CommonName: "etcd", DNSNames: dns, IPs: netIPs(ips), Server: true, Client: true,
	}
}

func loopbacks() []netip.Addr {
	return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}
}

func appendIPs(list []netip.Addr, ips ...netip.Addr) []netip.Addr {
	for _, ip := range ips {
		ip = ip.Unmap()
		if ip.IsValid() && !ip.IsUnspecified() && !slices.Contains(list, ip) {
			list = append(list, ip)
		}
	}
	return list
}

func appendName(list []string, name string) []string {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" || slices.Contains(list, name) {
		return list
	}
	return append(list, name)
}

func netIPs(ips []netip.Addr) []net.IP {
	out := make([]net.IP, 0, len(ips))
	for _, ip := range ips {
		out = append(out, net.IP(ip.AsSlice()))
	}
	return out
}
