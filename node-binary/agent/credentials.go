package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lightcluster/lightcluster/internal/kubeconfig"
	"github.com/lightcluster/lightcluster/internal/token"
	"github.com/lightcluster/lightcluster/node-binary/join"
)

// Bounds of the join retries while the server is unavailable.
const (
	joinRetryMin = time.Second
	joinRetryMax = 15 * time.Second
	waitLogEvery = 30 * time.Second
)

// ensureCredentials joins through the server and writes the certificates and
// kubeconfigs. While the server is unavailable it retries, unless an earlier join left
// credentials, which it then starts with.
func (r *runner) ensureCredentials(ctx context.Context) error {
	tok, err := token.Parse(r.token)
	if err != nil {
		return fmt.Errorf("join: %w", err)
	}
	client, err := join.NewClient(r.cfg.ServerURL, tok)
	if err != nil {
		return fmt.Errorf("join: %w", err)
	}
	password, err := join.EnsureNodePassword(r.opts.NodePasswordFile)
	if err != nil {
		return fmt.Errorf("join: %w", err)
	}

	backoff, lastLog := joinRetryMin, time.Time{}
	for {
		creds, err := r.fetchCredentials(ctx, client, password)
		if err == nil {
			return r.writeCredentials(creds)
		}
		if !join.IsRetriable(err) {
			return fmt.Errorf("join %s: %w", client.Server(), err)
		}
		if r.haveCredentials() {
			r.log.Warn("Server unavailable; starting with the credentials of an earlier join",
				"server", client.Server(), "err", err)
			return nil
		}
		if time.Since(lastLog) >= waitLogEvery {
			r.log.Info("Waiting for the server to join", "server", client.Server(), "err", err)
			lastLog = time.Now()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, joinRetryMax)
	}
}

// fetchCredentials asks the server for the node's certificates.
func (r *runner) fetchCredentials(ctx context.Context, c *join.Client,
	password string) (*join.AgentCredentials, error) {
	body := join.AgentRequest{Hostname: r.hostname}
	for _, ip := range r.nodeIPs {
		body.IPs = append(body.IPs, ip.String())
	}
	return c.AgentCredentials(ctx, r.nodeName, password, body)
}

// haveCredentials reports whether both kubeconfigs of an earlier join exist.
func (r *runner) haveCredentials() bool {
	for _, p := range []string{r.dirs.KubeletKubeconfig(), r.dirs.ProxyKubeconfig(),
		r.dirs.TLS(kubeletServingCert)} {
		if _, err := os.Stat(p); err != nil {
			return false
		}
	}
	return true
}

// writeCredentials writes the certificates, keys and kubeconfigs of creds.
func (r *runner) writeCredentials(c *join.AgentCredentials) error {
	files := map[string][]byte{
		serverCAFile:       c.ServerCA,
		clientCAFile:       c.ClientCA,
		kubeletClientCert:  c.KubeletClientCert,
		kubeletClientKey:   c.KubeletClientKey,
		kubeletServingCert: c.KubeletServingCert,
		kubeletServingKey:  c.KubeletServingKey,
		proxyClientCert:    c.KubeProxyCert,
		proxyClientKey:     c.KubeProxyKey,
	}
	for name, data := range files {
		if len(data) == 0 {
			return fmt.Errorf("join: the server sent no %s", name)
		}
		if err := writeFile(r.dirs.TLS(name), data, 0o600); err != nil {
			return err
		}
	}
	if err := r.writeKubeconfig(r.dirs.KubeletKubeconfig(), "kubelet", c.ServerCA,
		c.KubeletClientCert, c.KubeletClientKey); err != nil {
		return err
	}
	return r.writeKubeconfig(r.dirs.ProxyKubeconfig(), "kube-proxy", c.ServerCA,
		c.KubeProxyCert, c.KubeProxyKey)
}

// writeKubeconfig renders a kubeconfig for the server URL with a client certificate.
func (r *runner) writeKubeconfig(path, user string, ca, cert, key []byte) error {
	data, err := kubeconfig.Admin(kubeconfig.Config{
		ServerURL:     r.cfg.ServerURL,
		CAPEM:         ca,
		ClientCertPEM: cert,
		ClientKeyPEM:  key,
		UserName:      user,
	})
	if err != nil {
		return fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	return writeFile(path, data, 0o600)
}

// writeFile replaces path with data atomically, creating its directory.
func writeFile(path string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := path + ".tmp"
	err := os.WriteFile(tmp, data, mode)
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
