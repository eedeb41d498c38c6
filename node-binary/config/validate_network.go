package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// validateNetworking checks the pod and service networks, the cluster DNS address,
// domain and flannel backend.
func (s *Server) validateNetworking(p *problems) {
	s.ClusterCIDRs = parseCIDRs(p, "cluster-cidr", s.ClusterCIDR)
	s.ServiceCIDRs = parseCIDRs(p, "service-cidr", s.ServiceCIDR)
	checkFamiliesMatch(p, s.ClusterCIDRs, s.ServiceCIDRs)
	checkNoOverlap(p, s.ClusterCIDRs, s.ServiceCIDRs)

	s.ClusterDNSIPs = parseIPs(p, "cluster-dns", s.ClusterDNS)
	for _, ip := range s.ClusterDNSIPs {
		if !insideAny(ip, s.ServiceCIDRs) {
			p.addf("cluster-dns", "%s is not inside --service-cidr %s",
				ip, strings.Join(s.ServiceCIDR, ","))
		}
	}

	if err := checkDNSSubdomain(s.ClusterDomain); err != nil {
		p.add("cluster-domain", err)
	}
	if err := oneOf(FlannelBackends...)(s.FlannelBackend); err != nil {
		p.add("flannel-backend", err)
	}
	for _, u := range s.DNSUpstream {
		if err := checkDNSUpstream(u); err != nil {
			p.add("dns-upstream", err)
		}
	}
}

// checkDNSUpstream reports a DNS upstream that is neither an IP address, an IP
// address with a port, nor DNSUpstreamResolvConf.
func checkDNSUpstream(s string) error {
	if s == DNSUpstreamResolvConf {
		return nil
	}
	if _, err := parseIP(s); err == nil {
		return nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err == nil && ap.Port() != 0 && ap.Addr().Zone() == "" {
		return nil
	}
	return fmt.Errorf("invalid DNS upstream %q, want IP, IP:port or %s", s,
		DNSUpstreamResolvConf)
}

// parseCIDRs parses one network, or a dual-stack pair of an IPv4 and an IPv6 one.
func parseCIDRs(p *problems, flag string, values []string) []netip.Prefix {
	var prefixes []netip.Prefix
	for _, v := range values {
		c, err := parseCIDR(v)
		if err != nil {
			p.add(flag, err)
			continue
		}
		prefixes = append(prefixes, c)
	}

	switch {
	case len(values) == 0:
		p.addf(flag, "must be set")
	case len(values) > 2:
		p.addf(flag, "at most one network per IP family, got %s", strings.Join(values, ","))
	case len(prefixes) == 2 && is4(prefixes[0]) == is4(prefixes[1]):
		p.addf(flag, "a dual-stack pair needs one IPv4 and one IPv6 network, got %s",
			strings.Join(values, ","))
	}
	return prefixes
}

// checkFamiliesMatch reports service networks whose IP families differ from the pod
// networks', position by position.
func checkFamiliesMatch(p *problems, cluster, service []netip.Prefix) {
	if len(cluster) == 0 || len(service) == 0 {
		return
	}
	if len(cluster) != len(service) {
		p.addf("service-cidr", "must have one network per IP family of --cluster-cidr")
		return
	}
	for i := range cluster {
		if is4(cluster[i]) != is4(service[i]) {
			p.addf("service-cidr", "%s is not in the IP family of --cluster-cidr %s",
				service[i], cluster[i])
		}
	}
}

// checkNoOverlap reports service networks that overlap pod networks.
func checkNoOverlap(p *problems, cluster, service []netip.Prefix) {
	for _, c := range cluster {
		for _, s := range service {
			if c.Overlaps(s) {
				p.addf("service-cidr", "%s overlaps --cluster-cidr %s", s, c)
			}
		}
	}
}

func insideAny(ip netip.Addr, prefixes []netip.Prefix) bool {
	for _, c := range prefixes {
		if c.Contains(ip) {
			return true
		}
	}
	return false
}

func is4(p netip.Prefix) bool { return p.Addr().Is4() }
