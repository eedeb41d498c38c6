package join

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lightcluster/lightcluster/internal/token"
)

// Limits of the join client.
const (
	// requestTimeout bounds one request; the caller's context may bound it further.
	requestTimeout = 30 * time.Second
	// maxResponseBytes bounds what the client reads from a response.
	maxResponseBytes = 1 << 20
	// maxMessageBytes bounds the server message an error quotes.
	maxMessageBytes = 200
)

// Client joins a node to the cluster that serves at one server URL. It is safe for
// sequential use; FetchCA runs once, before any credential is sent.
type Client struct {
	server string
	token  token.Token
	caPEM  []byte
	http   *http.Client
}

// NewClient returns a client for the server at serverURL (https://host:port) that
// authenticates with tok. A pinned tok makes the client refuse a server whose CA does
// not match; a short tok trusts the CA the server presents on first contact.
func NewClient(serverURL string, tok token.Token) (*Client, error) {
	u, err := url.Parse(serverURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("server URL %q: want https://host:port", redactURL(serverURL))
	}
	if tok.Secret() == "" {
		return nil, errors.New("join client: a token is required")
	}
	return &Client{server: strings.TrimSuffix(u.String(), "/"), token: tok}, nil
}

// Server returns the server URL the client joins through.
func (c *Client) Server() string { return c.server }

// CA returns the server CA bundle once FetchCA succeeded, or nil.
func (c *Client) CA() []byte { return c.caPEM }

// FetchCA downloads the server CA bundle from /cacerts without verifying TLS, checks
// it against the token's CA hash (ErrCAHashMismatch), and from then on verifies every
// connection against it. It returns the bundle. No credential is sent before the check.
func (c *Client) FetchCA(ctx context.Context) ([]byte, error) {
	if c.caPEM != nil {
		return c.caPEM, nil
	}
	insecure := &http.Client{Transport: newTransport(&tls.Config{InsecureSkipVerify: true})}
	req, err := c.newRequest(ctx, http.MethodGet, CACertsPath, nil)
	if err != nil {
		return nil, err
	}
	bundle, err := c.do(insecure, req)
	if err != nil {
		return nil, err
	}

	if c.token.Pinned() && c.token.VerifyCA(bundle) != nil {
		return nil, fmt.Errorf("fetch CA from %s: %w", c.server, ErrCAHashMismatch)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(bundle) {
		return nil, fmt.Errorf("fetch CA from %s: response holds no PEM certificate", c.server)
	}
	c.caPEM = bundle
	c.http = &http.Client{Transport: newTransport(&tls.Config{RootCAs: pool})}
	return bundle, nil
}

// ServerBootstrap fetches the CA set and datastore information a joining server needs.
// It authenticates as a server, so an agent token gets ErrTokenRejected.
func (c *Client) ServerBootstrap(ctx context.Context) (*ServerBootstrap, error) {
	var out ServerBootstrap
	if err := c.call(ctx, http.MethodGet, ServerBootstrapPath, token.RoleServer, nil, nil,
		&out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AgentCredentials asks for the certificates of the node named nodeName, which is bound
// to password on its first join; a different password for a joined name is
// ErrNodePasswordRejected.
func (c *Client) AgentCredentials(ctx context.Context, nodeName, password string,
	body AgentRequest) (*AgentCredentials, error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode agent request: %w", err)
	}
	headers := map[string]string{NodeNameHeader: nodeName, NodePasswordHeader: password}

	var out AgentCredentials
	if err := c.call(ctx, http.MethodPost, AgentCredentialsPath, token.RoleAgent, headers,
		payload, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// call fetches the CA first, then sends an authenticated request over verified TLS and
// decodes the JSON response into out. The basic auth user is the token's role, or
// defaultRole for a short token.
func (c *Client) call(ctx context.Context, method, path string, defaultRole token.Role,
	headers map[string]string, body []byte, out any) error {
	if _, err := c.FetchCA(ctx); err != nil {
		return err
	}
	req, err := c.newRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	user := c.token.Role()
	if user == "" {
		user = defaultRole
	}
	req.SetBasicAuth(string(user), c.token.Secret())
	for k, v := range headers {
		req.Header.Set(k, v)
	}

	data, err := c.do(c.http, req)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode %s response from %s: %w", path, c.server, err)
	}
	return nil
}

// newRequest builds a request for path on the server.
func (c *Client) newRequest(ctx context.Context, method, path string,
	body []byte) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, r)
	if err != nil {
		return nil, fmt.Errorf("request %s%s: %w", c.server, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// do sends req and returns the body of a 200 response; other outcomes become the
// package's sentinel errors.
func (c *Client) do(hc *http.Client, req *http.Request) ([]byte, error) {
	path := req.URL.Path
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s%s: %w: %w", c.server, path, ErrUnavailable, err)
	}
	defer func() { _ = resp.Body.Close() }()

	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("read %s%s: %w: %w", c.server, path, ErrUnavailable, err)
	}
	if resp.StatusCode == http.StatusOK {
		return data, nil
	}
	return nil, c.statusError(path, resp.StatusCode, data)
}

// statusError turns a failed response into an error wrapping the matching sentinel.
func (c *Client) statusError(path string, status int, body []byte) error {
	msg := serverMessage(body)
	switch {
	case status == http.StatusUnauthorized:
		return fmt.Errorf("%w by %s", ErrTokenRejected, c.server)
	case status == http.StatusForbidden:
		return fmt.Errorf("%w by %s: %s", ErrNodePasswordRejected, c.server, msg)
	case status == http.StatusTooManyRequests || status >= 500:
		return fmt.Errorf("%s%s: %w: HTTP %d: %s", c.server, path, ErrUnavailable, status, msg)
	}
	return fmt.Errorf("%s%s: %w: HTTP %d: %s", c.server, path, ErrBadRequest, status, msg)
}

// serverMessage returns the first line of a server's error body, shortened, so that
// an error never carries a whole page.
func serverMessage(body []byte) string {
	line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	if len(line) > maxMessageBytes {
		line = line[:maxMessageBytes] + "..."
	}
	return line
}

// newTransport returns a transport with cfg and bounded waits.
func newTransport(cfg *tls.Config) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	cfg.MinVersion = tls.VersionTLS12
	t.TLSClientConfig = cfg
	t.Proxy = nil
	t.ResponseHeaderTimeout = requestTimeout
	return t
}

// redactURL drops user information from a URL for messages.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	if strings.Contains(s, "@") {
		return "<unparsable URL>"
	}
	return s
}
