package kubeconfig

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/lightcluster/lightcluster/internal/pki"
)

// credentials holds a CA and an admin client certificate issued by it.
type credentials struct {
	caPEM, certPEM, keyPEM []byte
}

// newCredentials issues test credentials or stops the test.
func newCredentials(t *testing.T) credentials {
	t.Helper()
	ca, err := pki.NewCA("test-server-ca", nil)
	if err != nil {
		t.Fatal(err)
	}
	spec := pki.LeafSpec{CommonName: "system:admin", Organization: []string{"system:masters"},
		Client: true}
	certPEM, keyPEM, err := pki.IssueLeaf(ca, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	return credentials{caPEM: ca.CertPEM(), certPEM: certPEM, keyPEM: keyPEM}
}

func TestAdminRendersAndLoads(t *testing.T) {
	creds := newCredentials(t)
	tests := []struct {
		name        string
		cfg         Config
		wantCluster string
		wantUser    string
		wantContext string
	}{
		{
			name: "client certificate with defaults",
			cfg: Config{ServerURL: "https://10.0.0.5:6443", CAPEM: creds.caPEM,
				ClientCertPEM: creds.certPEM, ClientKeyPEM: creds.keyPEM},
			wantCluster: "default", wantUser: "default", wantContext: "default",
		},
		{
			name: "token with names",
			cfg: Config{ClusterName: "prod", ServerURL: ServerURL("fd00::5", 6443),
				CAPEM: creds.caPEM, Token: "abc.def", UserName: "operator",
				Context: "prod-operator", RejectLoopback: true},
			wantCluster: "prod", wantUser: "operator", wantContext: "prod-operator",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Admin(tt.cfg)
			if err != nil {
				t.Fatalf("Admin: %v", err)
			}
			loaded, err := clientcmd.Load(data)
			if err != nil {
				t.Fatalf("clientcmd.Load: %v", err)
			}

			if loaded.CurrentContext != tt.wantContext {
				t.Errorf("current context = %q, want %q", loaded.CurrentContext, tt.wantContext)
			}
			ctx := loaded.Contexts[tt.wantContext]
			if ctx == nil || ctx.Cluster != tt.wantCluster || ctx.AuthInfo != tt.wantUser {
				t.Fatalf("context %q = %+v, want cluster %q and user %q", tt.wantContext, ctx,
					tt.wantCluster, tt.wantUser)
			}
			cluster, user := loaded.Clusters[tt.wantCluster], loaded.AuthInfos[tt.wantUser]
			if cluster.Server != tt.cfg.ServerURL ||
				!bytes.Equal(cluster.CertificateAuthorityData, creds.caPEM) {
				t.Errorf("cluster = %s with CA of %d bytes, want %s with the test CA",
					cluster.Server, len(cluster.CertificateAuthorityData), tt.cfg.ServerURL)
			}
			if !bytes.Equal(user.ClientCertificateData, tt.cfg.ClientCertPEM) ||
				!bytes.Equal(user.ClientKeyData, tt.cfg.ClientKeyPEM) ||
				user.Token != tt.cfg.Token {
				t.Error("user credentials differ from the config")
			}

			rest, err := clientcmd.RESTConfigFromKubeConfig(data)
			if err != nil || rest.Host != tt.cfg.ServerURL {
				t.Errorf("REST config = %v, %v, want host %s", rest, err, tt.cfg.ServerURL)
			}
		})
	}
}

func TestAdminRejects(t *testing.T) {
	creds := newCredentials(t)
	other := newCredentials(t)
	valid := Config{ServerURL: "https://api.example.com:6443", CAPEM: creds.caPEM,
		ClientCertPEM: creds.certPEM, ClientKeyPEM: creds.keyPEM, RejectLoopback: true}
	with := func(change func(*Config)) Config {
		cfg := valid
		change(&cfg)
		return cfg
	}

	tests := []struct {
		name    string
		cfg     Config
		wantErr error
		wantMsg string
	}{
		{name: "http", cfg: with(func(c *Config) { c.ServerURL = "http://10.0.0.5:6443" }),
			wantErr: ErrInvalidServerURL, wantMsg: "https"},
		{name: "no host", cfg: with(func(c *Config) { c.ServerURL = "https://:6443" }),
			wantErr: ErrInvalidServerURL, wantMsg: "host is empty"},
		{name: "relative", cfg: with(func(c *Config) { c.ServerURL = "10.0.0.5:6443" }),
			wantErr: ErrInvalidServerURL},
		{name: "bad port", cfg: with(func(c *Config) { c.ServerURL = "https://a:99999" }),
			wantErr: ErrInvalidServerURL, wantMsg: "out of range"},
		{name: "credentials in URL",
			cfg:     with(func(c *Config) { c.ServerURL = "https://u:hunter2@a:6443" }),
			wantErr: ErrInvalidServerURL, wantMsg: "credentials"},
		{name: "unparsable URL with credentials",
			cfg:     with(func(c *Config) { c.ServerURL = "https://u:hunter2@a:6443/%zz" }),
			wantErr: ErrInvalidServerURL},
		{name: "IPv4 loopback", cfg: with(func(c *Config) { c.ServerURL = "https://127.0.0.1" }),
			wantErr: ErrLoopbackEndpoint},
		{name: "other IPv4 loopback",
			cfg:     with(func(c *Config) { c.ServerURL = "https://127.8.0.1:6443" }),
			wantErr: ErrLoopbackEndpoint},
		{name: "IPv6 loopback",
			cfg:     with(func(c *Config) { c.ServerURL = ServerURL("::1", 6443) }),
			wantErr: ErrLoopbackEndpoint},
		{name: "IPv4-mapped loopback",
			cfg:     with(func(c *Config) { c.ServerURL = "https://[::ffff:127.0.0.1]:6443" }),
			wantErr: ErrLoopbackEndpoint},
		{name: "localhost", cfg: with(func(c *Config) { c.ServerURL = "https://LocalHost.:6443" }),
			wantErr: ErrLoopbackEndpoint},
		{name: "unspecified",
			cfg:     with(func(c *Config) { c.ServerURL = "https://0.0.0.0:6443" }),
			wantErr: ErrLoopbackEndpoint},
		{name: "no credentials",
			cfg:     with(func(c *Config) { c.ClientCertPEM, c.ClientKeyPEM = nil, nil }),
			wantMsg: "neither"},
		{name: "two credentials", cfg: with(func(c *Config) { c.Token = "hunter2" }),
			wantMsg: "both"},
		{name: "key of another certificate",
			cfg:     with(func(c *Config) { c.ClientKeyPEM = other.keyPEM }),
			wantMsg: "client certificate"},
		{name: "no CA", cfg: with(func(c *Config) { c.CAPEM = nil }), wantMsg: "CA bundle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Admin(tt.cfg)
			if err == nil {
				t.Fatalf("Admin succeeded:\n%s", data)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "BEGIN") {
				t.Errorf("error %q holds a credential", err)
			}
		})
	}
}

func TestAdminAllowsLoopbackOnNode(t *testing.T) {
	creds := newCredentials(t)
	cfg := Config{ServerURL: "https://127.0.0.1:6443", CAPEM: creds.caPEM,
		ClientCertPEM: creds.certPEM, ClientKeyPEM: creds.keyPEM}
	if _, err := Admin(cfg); err != nil {
		t.Errorf("Admin without RejectLoopback: %v", err)
	}
}

func TestServerURL(t *testing.T) {
	tests := []struct {
		host string
		port int
		want string
	}{
		{host: "10.0.0.5", port: 6443, want: "https://10.0.0.5:6443"},
		{host: "api.example.com", port: 443, want: "https://api.example.com:443"},
		{host: "fd00::5", port: 6443, want: "https://[fd00::5]:6443"},
		{host: "[fd00::5]", port: 6443, want: "https://[fd00::5]:6443"},
		{host: "fe80::1%eth0", port: 6443, want: "https://[fe80::1%25eth0]:6443"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got := ServerURL(tt.host, tt.port)
			if got != tt.want {
				t.Errorf("ServerURL(%q, %d) = %q, want %q", tt.host, tt.port, got, tt.want)
			}
			if err := validateServerURL(got, true); err != nil {
				t.Errorf("ServerURL result fails validation: %v", err)
			}
		})
	}
}
