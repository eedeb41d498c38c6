package kubeconfig

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/lightcluster/lightcluster/internal/pki"
)

// Defaults for the names in a rendered kubeconfig.
const (
	DefaultClusterName = "default"
	DefaultUserName    = "default"
)

// Config describes a kubeconfig to render.
type Config struct {
	// ClusterName names the cluster entry; DefaultClusterName when empty.
	ClusterName string
	// ServerURL is the API server endpoint, an https URL with a host (see ServerURL).
	ServerURL string
	// CAPEM is the bundle of CAs that sign the API server's serving certificate.
	CAPEM []byte
	// ClientCertPEM is the client certificate; it needs ClientKeyPEM and excludes Token.
	ClientCertPEM []byte
	// ClientKeyPEM is the private key of ClientCertPEM.
	ClientKeyPEM []byte
	// Token is a bearer token, used instead of a client certificate.
	Token string
	// UserName names the user entry; DefaultUserName when empty.
	UserName string
	// Context names the context entry, which becomes the current context; ClusterName
	// when empty.
	Context string
	// RejectLoopback refuses a ServerURL whose host is a loopback or unspecified address
	// or localhost, with ErrLoopbackEndpoint. Kubeconfigs used off the node set it.
	RejectLoopback bool
}

// Admin renders cfg as kubeconfig YAML. It authenticates with the client certificate or
// the bearer token of cfg, exactly one of which must be set. Errors never include
// credentials.
func Admin(cfg Config) ([]byte, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("render kubeconfig for %s: %w", cfg.ClusterName, err)
	}
	data, err := clientcmd.Write(*cfg.build())
	if err != nil {
		return nil, fmt.Errorf("render kubeconfig for %s: %w", cfg.ClusterName, err)
	}
	return data, nil
}

// setDefaults fills in the names left empty.
func (cfg *Config) setDefaults() {
	if cfg.ClusterName == "" {
		cfg.ClusterName = DefaultClusterName
	}
	if cfg.UserName == "" {
		cfg.UserName = DefaultUserName
	}
	if cfg.Context == "" {
		cfg.Context = cfg.ClusterName
	}
}

// validate checks the endpoint, the CA bundle and the credentials of cfg.
func (cfg *Config) validate() error {
	if err := validateServerURL(cfg.ServerURL, cfg.RejectLoopback); err != nil {
		return err
	}
	if _, err := pki.ParseCertPEM(cfg.CAPEM); err != nil {
		return fmt.Errorf("CA bundle: %w", err)
	}
	return cfg.validateCredentials()
}

// validateCredentials checks that cfg holds exactly one usable credential.
func (cfg *Config) validateCredentials() error {
	hasCert := len(cfg.ClientCertPEM) > 0 || len(cfg.ClientKeyPEM) > 0
	switch {
	case hasCert && cfg.Token != "":
		return errors.New("both a client certificate and a token are set")
	case cfg.Token != "":
		return nil
	case !hasCert:
		return errors.New("neither a client certificate nor a token is set")
	}
	if _, err := tls.X509KeyPair(cfg.ClientCertPEM, cfg.ClientKeyPEM); err != nil {
		return fmt.Errorf("client certificate: %w", err)
	}
	return nil
}

// build returns cfg as a client configuration with the CA and credentials embedded.
func (cfg *Config) build() *clientcmdapi.Config {
	cluster := clientcmdapi.NewCluster()
	cluster.Server = cfg.ServerURL
	cluster.CertificateAuthorityData = cfg.CAPEM

	user := clientcmdapi.NewAuthInfo()
	user.ClientCertificateData = cfg.ClientCertPEM
	user.ClientKeyData = cfg.ClientKeyPEM
	user.Token = cfg.Token

	context := clientcmdapi.NewContext()
	context.Cluster = cfg.ClusterName
	context.AuthInfo = cfg.UserName

	out := clientcmdapi.NewConfig()
	out.Clusters[cfg.ClusterName] = cluster
	out.AuthInfos[cfg.UserName] = user
	out.Contexts[cfg.Context] = context
	out.CurrentContext = cfg.Context
	return out
}

// ClientCertExpiry returns when the client certificate of the current context's user
// in the kubeconfig data expires.
func ClientCertExpiry(data []byte) (time.Time, error) {
	cfg, err := clientcmd.Load(data)
	if err != nil {
		return time.Time{}, fmt.Errorf("load kubeconfig: %w", err)
	}
	ctx, ok := cfg.Contexts[cfg.CurrentContext]
	if !ok {
		return time.Time{}, fmt.Errorf("kubeconfig has no current context %q", cfg.CurrentContext)
	}
	user, ok := cfg.AuthInfos[ctx.AuthInfo]
	if !ok || len(user.ClientCertificateData) == 0 {
		return time.Time{}, fmt.Errorf("kubeconfig user %q has no client certificate",
			ctx.AuthInfo)
	}
	block, _ := pem.Decode(user.ClientCertificateData)
	if block == nil {
		return time.Time{}, errors.New("kubeconfig client certificate is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse kubeconfig client certificate: %w", err)
	}
	return cert.NotAfter, nil
}
