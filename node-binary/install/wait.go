package install

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/lightcluster/lightcluster/node-binary/config"
)

// ErrNotReady reports that the service did not come up within the wait timeout. The
// service stays installed and keeps restarting; its logs say why.
var ErrNotReady = errors.New("service did not come up in time")

// readyzTimeout bounds one readiness request.
const readyzTimeout = 5 * time.Second

// waitUntilUp waits until the service is active, for a server until the API answers
// on the loopback address, and for a node that runs the agent until its kubelet is
// healthy, checking every poll interval until the timeout. An active service alone
// proves nothing: its process may be failing and restarting.
func waitUntilUp(ctx context.Context, o Options, mgr serviceManager) error {
	if o.WaitTimeout < 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, o.WaitTimeout)
	defer cancel()
	svc := serviceName(o.Role)
	readyz := readyzURL(o)

	lastSaid := time.Now()
	o.say("Waiting for %s", svc)
	for {
		if mgr.active(ctx, o, o.Role) && (o.Role != RoleServer || apiAnswers(ctx, readyz)) &&
			(!runsAgent(o) || kubeletHealthy(ctx, o.kubeletHealthz)) {
			return nil
		}
		if time.Since(lastSaid) >= waitLogInterval {
			o.say("Still waiting for %s", svc)
			lastSaid = time.Now()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (waited %s); see %s", svc, ErrNotReady,
				o.WaitTimeout, mgr.logHint(o.Role))
		case <-time.After(o.pollInterval):
		}
	}
}

// readyzURL returns the readiness URL of the server on the loopback address.
func readyzURL(o Options) string {
	port := config.DefaultHTTPSListenPort
	if p, err := strconv.Atoi(configValue(o, "https-listen-port")); err == nil && p > 0 {
		port = p
	}
	return "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) + "/readyz"
}

// apiAnswers reports whether the API server answers url with success, or refuses an
// anonymous caller, which also shows it serves.
func apiAnswers(ctx context.Context, url string) bool {
	switch statusOf(ctx, url) {
	case http.StatusOK, http.StatusUnauthorized, http.StatusForbidden:
		return true
	}
	return false
}

// statusOf returns the HTTP status a GET of url on this machine answers with, or 0
// when none comes within readyzTimeout. An https certificate is not checked: the
// connection never leaves the machine and carries no credential.
func statusOf(ctx context.Context, url string) int {
	ctx, cancel := context.WithTimeout(ctx, readyzTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0
	}
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		Proxy:           nil,
	}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// runsAgent reports whether the installed service runs a kubelet: an agent, or a
// server without disable-agent.
func runsAgent(o Options) bool {
	return o.Role == RoleAgent || configValue(o, "disable-agent") != "true"
}

// kubeletHealthy reports whether the kubelet answers its health check at url with ok.
func kubeletHealthy(ctx context.Context, url string) bool {
	return statusOf(ctx, url) == http.StatusOK
}
