package containerd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// DefaultRegistriesFile is where a node's registry mirrors and credentials are configured.
const DefaultRegistriesFile = "/etc/lightnode/registries.yaml"

// dockerHubHost is the server that pulls from docker.io connect to; a configuration for
// docker.io applies to it as well.
const dockerHubHost = "registry-1.docker.io"

// Registries is registries.yaml, in the layout K3s reads: the mirrors of each
// registry, and how to connect to each registry host (credentials and TLS).
type Registries struct {
	// Mirrors maps a registry host name (docker.io, or * for any) to its mirrors.
	// A registry that is not listed cannot be pulled from.
	Mirrors map[string]Mirror `json:"mirrors,omitempty"`
	// Configs maps a host that pulls connect to (a mirror endpoint's host, or a
	// listed registry itself) to its credentials and TLS settings.
	Configs map[string]RegistryConfig `json:"configs,omitempty"`
}

// Mirror lists the endpoints that serve a registry's images.
type Mirror struct {
	// Endpoint lists mirror URLs, tried in order before the registry itself; an
	// endpoint without a scheme is reached over https.
	Endpoint []string `json:"endpoint,omitempty"`
}

// RegistryConfig says how to connect to one registry host.
type RegistryConfig struct {
	// Auth holds the credentials pulls present to the host.
	Auth *AuthConfig `json:"auth,omitempty"`
	// TLS holds the certificates the connection to the host uses.
	TLS *TLSConfig `json:"tls,omitempty"`
}

// AuthConfig holds the credentials for one registry host: a username and password,
// their base64 form, or an identity token. Printed or encoded as JSON, it shows the
// username only.
type AuthConfig struct {
	// Username is the user name to log in with.
	Username string `json:"username,omitempty"`
	// Password is the password of Username.
	Password string `json:"password,omitempty"`
	// Auth is base64 of "username:password", as in a Docker config file.
	Auth string `json:"auth,omitempty"`
	// IdentityToken is a token exchanged for an access token at the registry.
	IdentityToken string `json:"identity_token,omitempty"`
}

// TLSConfig holds the TLS settings of the connection to one registry host.
type TLSConfig struct {
	// CAFile is a PEM file of the certificate authorities that the host's
	// certificate is checked against, in addition to the system's.
	CAFile string `json:"ca_file,omitempty"`
	// CertFile is the PEM client certificate presented to the host; it needs KeyFile.
	CertFile string `json:"cert_file,omitempty"`
	// KeyFile is the PEM private key of CertFile.
	KeyFile string `json:"key_file,omitempty"`
	// InsecureSkipVerify accepts any certificate the host presents.
	InsecureSkipVerify bool `json:"insecure_skip_verify,omitempty"`
}

// LoadRegistries reads and validates the registries file at path; a missing file
// means no mirrors, so that no registry can be pulled from.
func LoadRegistries(path string) (Registries, error) {
	var r Registries
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("read registries: %w", err)
	}
	if r, err = parseRegistries(data); err != nil {
		return r, fmt.Errorf("registries %s: %w", path, err)
	}
	return r, nil
}

// parseRegistries decodes registries.yaml strictly and validates it.
func parseRegistries(data []byte) (Registries, error) {
	var r Registries

	// A key lightnode does not know is an error rather than a setting silently
	// ignored; the generic decode finds its full path for the message.
	var generic any
	if err := yaml.Unmarshal(data, &generic); err != nil {
		return r, fmt.Errorf("parse: %w", err)
	}
	if key := unknownKey(generic, registriesType, ""); key != "" {
		return r, fmt.Errorf("unknown key %s", key)
	}
	if err := yaml.UnmarshalStrict(data, &r); err != nil {
		return r, fmt.Errorf("parse: %w", err)
	}

	return r, r.Validate()
}

// Auths returns the credentials to render into containerd's configuration, keyed
// by the host that pulls connect to. Pulls from docker.io connect to
// registry-1.docker.io, so docker.io's credentials are given for it too unless it
// has its own.
func (r Registries) Auths() map[string]AuthConfig {
	out := make(map[string]AuthConfig)
	for host, c := range r.Configs {
		if c.Auth != nil {
			out[host] = *c.Auth
		}
	}
	if a, ok := out["docker.io"]; ok {
		if _, own := out[dockerHubHost]; !own {
			out[dockerHubHost] = a
		}
	}
	return out
}

// UnusedConfigs returns, sorted, the hosts under configs that no pull connects to:
// neither a mirror endpoint's host nor a listed registry. Their settings have no
// effect, since registries without a mirror entry stay blocked.
func (r Registries) UnusedConfigs() []string {
	used := make(map[string]bool)
	for registry, m := range r.Mirrors {
		used[registry] = true
		for _, e := range m.Endpoint {
			used[endpointHost(e)] = true
		}
	}
	var unused []string
	for host := range r.Configs {
		if !used[host] && !(host == dockerHubHost && used["docker.io"]) {
			unused = append(unused, host)
		}
	}
	slices.Sort(unused)
	return unused
}

// tlsFor returns the TLS settings for connections to host, or nil.
func (r Registries) tlsFor(host string) *TLSConfig {
	if c, ok := r.Configs[host]; ok && c.TLS != nil {
		return c.TLS
	}
	if host == dockerHubHost {
		return r.Configs["docker.io"].TLS
	}
	return nil
}

// endpointURL returns a mirror endpoint with its scheme, https unless it names one.
func endpointURL(endpoint string) string {
	if !strings.Contains(endpoint, "://") {
		return "https://" + endpoint
	}
	return endpoint
}

// endpointHost returns the host (and port) of a mirror endpoint, or "" if it is not
// a URL.
func endpointHost(endpoint string) string {
	u, err := url.Parse(endpointURL(endpoint))
	if err != nil {
		return ""
	}
	return u.Host
}

// redacted stands in for a secret wherever credentials are printed.
const redacted = "<redacted>"

// String describes a without its secrets.
func (a AuthConfig) String() string {
	return fmt.Sprintf("{username:%q password:%s auth:%s identity_token:%s}", a.Username,
		hidden(a.Password), hidden(a.Auth), hidden(a.IdentityToken))
}

// GoString describes a without its secrets, for %#v.
func (a AuthConfig) GoString() string {
	return a.String()
}

// MarshalJSON encodes a with its secrets replaced, so that a configuration printed as
// JSON, by a structured logger say, never carries them. Decoding is unaffected.
func (a AuthConfig) MarshalJSON() ([]byte, error) {
	type shown AuthConfig
	return json.Marshal(shown{Username: a.Username, Password: hidden(a.Password),
		Auth: hidden(a.Auth), IdentityToken: hidden(a.IdentityToken)})
}

// hidden returns redacted for a secret that is set, and "" for one that is not.
func hidden(secret string) string {
	if secret == "" {
		return ""
	}
	return redacted
}
