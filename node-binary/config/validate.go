package config

import (
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
)

// Validate checks the agent settings, which must name a server to join and a token,
// and records their parsed forms (NodeIPs, Labels, Taints). Every problem found is
// reported, each naming its flag.
func (a *Agent) Validate() error {
	var p problems
	a.validateNode(&p)
	a.validateJoin(&p, true)
	return p.err()
}

// validateNode checks the settings shared by agents and servers.
func (a *Agent) validateNode(p *problems) {
	switch {
	case a.DataDir == "":
		p.addf("data-dir", "must be set")
	case !filepath.IsAbs(a.DataDir):
		p.addf("data-dir", "%q must be an absolute path", a.DataDir)
	}

	if a.NodeName == "" {
		p.addf("node-name", "must be set")
	} else if err := checkNodeName(a.NodeName); err != nil {
		p.add("node-name", err)
	}

	a.NodeIPs = parseIPs(p, "node-ip", a.NodeIP)
	a.Labels = parseLabels(p, a.NodeLabel)
	a.Taints = parseTaints(p, a.NodeTaint)

	for _, arg := range a.KubeletArg {
		if arg == "" || strings.HasPrefix(arg, "-") {
			p.addf("kubelet-arg", "%q: write key=value without leading dashes", arg)
		}
	}
	a.ProxyMode = parseProxyArgs(p, a.KubeProxyArg)
}

// parseProxyArgs checks the kube-proxy arguments and returns the proxy mode they set:
// the last one, as with repeated flags, or ProxyModeAuto.
func parseProxyArgs(p *problems, args []string) string {
	mode := ProxyModeAuto
	for _, arg := range args {
		value, err := parseProxyArg(arg)
		if err != nil {
			p.add("kube-proxy-arg", err)
			continue
		}
		mode = value
	}
	return mode
}

// validateJoin checks the server URL and token. An agent always joins; a server joins
// only when ServerURL is set.
func (a *Agent) validateJoin(p *problems, agent bool) {
	if a.ServerURL != "" {
		if err := checkServerURL(a.ServerURL); err != nil {
			p.add("server", err)
		}
	} else if agent {
		p.addf("server", "must be set to the https URL of a server to join")
	}

	if a.Token != "" && a.TokenFile != "" {
		p.addf("token", "cannot be combined with --token-file")
	}
	joining := agent || a.ServerURL != ""
	switch {
	case a.Token == "" && a.TokenFile == "" && joining:
		p.addf("token", "must be set, or --token-file, to join a cluster")
	case a.Token == "" && a.TokenFile != "" && a.EffectiveToken == "":
		p.add("token-file", errors.New("token not read yet; Complete reads it"))
	case a.Token != "":
		a.EffectiveToken = a.Token
	}
}

// parseIPs parses a list of addresses holding at most one per IP family.
func parseIPs(p *problems, flag string, values []string) []netip.Addr {
	var ips []netip.Addr
	for _, v := range values {
		ip, err := parseIP(v)
		if err != nil {
			p.add(flag, err)
			continue
		}
		ips = append(ips, ip)
	}
	sameFamily := len(ips) == 2 && ips[0].Is4() == ips[1].Is4()
	if sameFamily || len(ips) > 2 {
		p.addf(flag, "at most one address per IP family, got %s", strings.Join(values, ","))
	}
	return ips
}

// parseLabels parses node labels, rejecting a key given twice.
func parseLabels(p *problems, values []string) map[string]string {
	labels := make(map[string]string, len(values))
	for _, v := range values {
		key, value, err := parseLabel(v)
		if err != nil {
			p.add("node-label", err)
			continue
		}
		if _, dup := labels[key]; dup {
			p.addf("node-label", "key %q given twice", key)
		}
		labels[key] = value
	}
	return labels
}

// parseTaints parses node taints.
func parseTaints(p *problems, values []string) []Taint {
	var taints []Taint
	for _, v := range values {
		t, err := ParseTaint(v)
		if err != nil {
			p.add("node-taint", err)
			continue
		}
		taints = append(taints, t)
	}
	return taints
}
