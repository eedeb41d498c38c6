package join

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"k8s.io/client-go/kubernetes/fake"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/internal/token"
)

// testCluster is a join handler behind an httptest TLS server whose certificate is
// signed by the cluster's server CA, with its tokens and a fake API server.
type testCluster struct {
	cas         *pki.CASet
	serverToken token.Token
	agentToken  token.Token
	client      *fake.Clientset
	srv         *httptest.Server

	mu          sync.Mutex
	authedPaths []string
}

// newTestCluster starts a cluster whose join handler answers over TLS.
func newTestCluster(t *testing.T) *testCluster {
	t.Helper()
	cas, err := pki.GenerateCASet(nil)
	if err != nil {
		t.Fatalf("generate CA set: %v", err)
	}
	c := &testCluster{
		cas:         cas,
		serverToken: newToken(t, token.RoleServer, cas),
		agentToken:  newToken(t, token.RoleAgent, cas),
		client:      fake.NewClientset(),
	}
	h, err := NewHandler(Options{
		CAs:         cas,
		ServerToken: c.serverToken,
		AgentToken:  c.agentToken,
		Passwords:   NewSecretStore(c.client),
		Datastore: func(context.Context) (DatastoreInfo, error) {
			return DatastoreInfo{Kind: "etcd", EtcdMembers: []EtcdMember{
				{Name: "s1", PeerURLs: []string{"https://10.0.0.1:2380"}},
			}}, nil
		},
	})
	if err != nil {
		t.Fatalf("new handler: %v", err)
	}

	c.srv = httptest.NewUnstartedServer(c.recordAuth(h))
	c.srv.TLS = &tls.Config{Certificates: []tls.Certificate{servingCert(t, cas)}}
	c.srv.StartTLS()
	t.Cleanup(c.srv.Close)
	return c
}

// recordAuth notes the path of every request that carries credentials.
func (c *testCluster) recordAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" || r.Header.Get(NodePasswordHeader) != "" {
			c.mu.Lock()
			c.authedPaths = append(c.authedPaths, r.URL.Path)
			c.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// authenticatedRequests returns the paths of the requests that carried credentials.
func (c *testCluster) authenticatedRequests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.authedPaths...)
}

// joinClient returns a client of the cluster's server authenticating with tok.
func (c *testCluster) joinClient(t *testing.T, tok token.Token) *Client {
	t.Helper()
	jc, err := NewClient(c.srv.URL, tok)
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	return jc
}

// rawRequest sends a request without the join client, trusting any certificate, with
// basic credentials when user is not empty.
func (c *testCluster) rawRequest(t *testing.T, method, path, user, secret string,
	headers map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if user != "" {
		req.SetBasicAuth(user, secret)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	hc := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s response: %v", path, err)
	}
	return resp, string(data)
}

// newToken returns a token for role with a random secret, pinned to the cluster's CA.
func newToken(t *testing.T, role token.Role, cas *pki.CASet) token.Token {
	t.Helper()
	tok, err := token.Generate(role)
	if err != nil {
		t.Fatalf("generate token: %v", err)
	}
	return tok.Pin(cas.ServerCA.CertPEM())
}

// servingCert issues the join server's certificate for 127.0.0.1 from the server CA.
func servingCert(t *testing.T, cas *pki.CASet) tls.Certificate {
	t.Helper()
	certPEM, keyPEM, err := pki.IssueLeaf(cas.ServerCA, pki.LeafSpec{
		CommonName: "lightnode", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Server: true,
	}, nil)
	if err != nil {
		t.Fatalf("issue serving certificate: %v", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatalf("load serving certificate: %v", err)
	}
	return cert
}

// assertNoSecret fails when text holds any of the secrets.
func assertNoSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains a secret: %q", what, text)
		}
	}
}
