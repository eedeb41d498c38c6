package manifests

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"net/netip"
	"path"
	"regexp"
	"strings"
	"text/template"
)

// OwnedMarker is the first line of every default manifest lightnode writes. A file that
// starts with it is lightnode's and is rewritten at every start; deleting the line
// makes the file the user's.
const OwnedMarker = "# lightnode: default manifest, rewritten at every start; " +
	"delete this line to keep your edits"

// CoreDNSImage is the CoreDNS image that lightnode carries in its bundle. Its tag is
// the version of github.com/coredns/coredns in hack/coredns/go.mod, which
// hack/build-bundle.sh builds and tags the image with.
const CoreDNSImage = "lightcluster.dev/coredns:1.15.0"

// Settings are the cluster settings that the default manifests are rendered with.
type Settings struct {
	// ClusterDNS lists the cluster DNS service addresses, one per IP family.
	ClusterDNS []netip.Addr
	// ClusterDomain is the cluster's DNS domain, such as cluster.local.
	ClusterDomain string
	// DNSUpstreams lists where CoreDNS forwards names outside the cluster: addresses
	// (IP or IP:port) or /etc/resolv.conf for the node's resolvers. Empty means
	// nowhere: names outside the cluster's zones are refused.
	DNSUpstreams []string
}

// Default is one rendered default manifest.
type Default struct {
	// Component is the name --disable knows it by, such as coredns.
	Component string
	// File is the file name in the manifests directory, such as coredns.yaml.
	File string
	// Data is the rendered manifest; its first line is OwnedMarker.
	Data []byte
}

// defaultsDir holds the templates of the default manifests, one per component.
//
//go:embed defaults/*.yaml
var defaultsDir embed.FS

// upstreamPattern is what a DNS upstream may look like once validated: an IPv4 or
// IPv6 address with an optional port, or an absolute path.
var upstreamPattern = regexp.MustCompile(`^(\[?[0-9A-Fa-f.:]+\]?(:[0-9]+)?|/[A-Za-z0-9._/-]+)$`)

// Components lists the components that have a default manifest, sorted.
func Components() []string {
	names, _ := fs.Glob(defaultsDir, "defaults/*.yaml")
	components := make([]string, 0, len(names))
	for _, n := range names {
		components = append(components, strings.TrimSuffix(path.Base(n), ".yaml"))
	}
	return components
}

// Defaults renders every default manifest with s, sorted by component.
func Defaults(s Settings) ([]Default, error) {
	data, err := templateData(s)
	if err != nil {
		return nil, err
	}
	var out []Default
	for _, component := range Components() {
		file := component + ".yaml"
		text, err := defaultsDir.ReadFile("defaults/" + file)
		if err != nil {
			return nil, fmt.Errorf("default manifest %s: %w", file, err)
		}
		tmpl, err := template.New(file).Option("missingkey=error").Parse(string(text))
		if err != nil {
			return nil, fmt.Errorf("default manifest %s: %w", file, err)
		}
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, data); err != nil {
			return nil, fmt.Errorf("render default manifest %s: %w", file, err)
		}
		out = append(out, Default{Component: component, File: file, Data: buf.Bytes()})
	}
	return out, nil
}

// renderData is what the templates see.
type renderData struct {
	Marker         string
	Image          string
	Domain         string
	DNS            string
	ClusterIPs     []string
	IPFamilyPolicy string
	Zones          string
	Upstreams      []string
	UpstreamText   string
}

// templateData checks s and derives the values the templates use.
func templateData(s Settings) (renderData, error) {
	d := renderData{Marker: OwnedMarker, Image: CoreDNSImage, Domain: s.ClusterDomain,
		Upstreams: s.DNSUpstreams}
	switch n := len(s.ClusterDNS); {
	case n == 0:
		return d, fmt.Errorf("render default manifests: no cluster DNS address")
	case n > 2, n == 2 && s.ClusterDNS[0].Is4() == s.ClusterDNS[1].Is4():
		return d, fmt.Errorf("render default manifests: cluster DNS addresses %v are not "+
			"one per IP family", s.ClusterDNS)
	case n == 2:
		d.IPFamilyPolicy = "RequireDualStack"
	default:
		d.IPFamilyPolicy = "SingleStack"
	}
	for _, ip := range s.ClusterDNS {
		d.ClusterIPs = append(d.ClusterIPs, ip.String())
	}
	d.DNS = strings.Join(d.ClusterIPs, ", ")

	if !domainPattern.MatchString(s.ClusterDomain) {
		return d, fmt.Errorf("render default manifests: cluster domain %q is not a DNS name",
			s.ClusterDomain)
	}
	for _, u := range s.DNSUpstreams {
		if !upstreamPattern.MatchString(u) {
			return d, fmt.Errorf("render default manifests: DNS upstream %q is neither an "+
				"address nor a path", u)
		}
	}
	d.Zones, d.UpstreamText = ".:53", strings.Join(s.DNSUpstreams, " ")
	if len(s.DNSUpstreams) == 0 {
		d.Zones = s.ClusterDomain + ":53 in-addr.arpa:53 ip6.arpa:53"
		d.UpstreamText = "none (names outside the cluster are refused)"
	}
	return d, nil
}

// dnsLabel is one lower-case label of a DNS name.
const dnsLabel = `[a-z0-9]([-a-z0-9]*[a-z0-9])?`

// domainPattern is a lower-case DNS name of labels separated by dots.
var domainPattern = regexp.MustCompile(`^` + dnsLabel + `(\.` + dnsLabel + `)*$`)
