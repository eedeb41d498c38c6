package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"time"

	"github.com/lightcluster/lightcluster/node-binary/certs"
)

// readyPoll is how often waitReady asks the API server.
const readyPoll = 250 * time.Millisecond

// waitReady polls the API server's /readyz until it answers ok, a component fails,
// ctx is done or readyTimeout passes.
func (r *runner) waitReady(ctx context.Context, failed <-chan error) error {
	client, err := r.adminHTTPClient()
	if err != nil {
		return err
	}
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(readyPoll)
	defer tick.Stop()
	lastLog := time.Now()
	for {
		if r.ready(ctx, client) {
			return nil
		}
		select {
		case err := <-failed:
			return err
		case <-ctx.Done():
			return nil
		case <-deadline.C:
			return &componentError{component: "kube-apiserver",
				err: fmt.Errorf("%w after %s", errNotReady, readyTimeout)}
		case <-tick.C:
		}
		if time.Since(lastLog) > 30*time.Second {
			r.log.Info("Waiting for the API server to be ready")
			lastLog = time.Now()
		}
	}
}

func (r *runner) ready(ctx context.Context, client *http.Client) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.localURL()+"/readyz", nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// adminHTTPClient trusts the server CA and authenticates as the admin.
func (r *runner) adminHTTPClient() (*http.Client, error) {
	cert, err := tls.LoadX509KeyPair(r.dirs.TLS(certs.AdminCertFile), r.dirs.TLS(certs.AdminKeyFile))
	if err != nil {
		return nil, fmt.Errorf("admin certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(r.cas.ServerCA.Certificate())
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: pool, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
	}}}, nil
}
