package join

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/internal/token"
)

func TestCACertsWithoutAuth(t *testing.T) {
	c := newTestCluster(t)

	resp, body := c.rawRequest(t, http.MethodGet, CACertsPath, "", "", nil, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", CACertsPath, resp.StatusCode)
	}
	if body != string(c.cas.ServerCA.CertPEM()) {
		t.Errorf("GET %s: body is not the server CA bundle", CACertsPath)
	}
	if got := pki.CABundleHash([]byte(body)); got != c.serverToken.CAHash() {
		t.Errorf("served bundle hash %s, token pins %s", got, c.serverToken.CAHash())
	}
}

func TestFetchCAVerifiesPin(t *testing.T) {
	c := newTestCluster(t)
	other, err := pki.GenerateCASet(nil)
	if err != nil {
		t.Fatalf("generate other CA set: %v", err)
	}
	short, err := token.New(token.RoleServer, c.serverToken.Secret())
	if err != nil {
		t.Fatalf("short token: %v", err)
	}

	tests := []struct {
		name    string
		tok     token.Token
		wantErr error
	}{
		{"pinned to the cluster", c.serverToken, nil},
		{"short token trusts first contact", short, nil},
		{"pinned to another CA", c.serverToken.Pin(other.ServerCA.CertPEM()), ErrCAHashMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jc := c.joinClient(t, tt.tok)
			bundle, err := jc.FetchCA(context.Background())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("FetchCA: %v, want %v", err, tt.wantErr)
			}
			if err == nil && !bytes.Equal(bundle, c.cas.ServerCA.CertPEM()) {
				t.Errorf("FetchCA returned another bundle than the server CA")
			}
		})
	}
}

func TestWrongCAHashSendsNoCredential(t *testing.T) {
	other, err := pki.GenerateCASet(nil)
	if err != nil {
		t.Fatalf("generate other CA set: %v", err)
	}
	calls := map[string]func(*Client) error{
		"server bootstrap": func(jc *Client) error {
			_, err := jc.ServerBootstrap(context.Background())
			return err
		},
		"agent credentials": func(jc *Client) error {
			_, err := jc.AgentCredentials(context.Background(), "n1", "pw", AgentRequest{})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			c := newTestCluster(t)
			jc := c.joinClient(t, c.serverToken.Pin(other.ServerCA.CertPEM()))

			err := call(jc)
			if !errors.Is(err, ErrCAHashMismatch) {
				t.Fatalf("got %v, want ErrCAHashMismatch", err)
			}
			if !strings.Contains(err.Error(), "CA does not match the token") {
				t.Errorf("message %q does not say the CA does not match", err)
			}
			if IsRetriable(err) {
				t.Errorf("a CA mismatch is reported as retriable")
			}
			if got := c.authenticatedRequests(); len(got) != 0 {
				t.Errorf("server saw credentials on %v before the CA was checked", got)
			}
			assertNoSecret(t, "error", err.Error(), c.serverToken.Secret())
		})
	}
}

func TestTokenRejected(t *testing.T) {
	c := newTestCluster(t)
	serverSecret, agentSecret := c.serverToken.Secret(), c.agentToken.Secret()

	tests := []struct {
		name         string
		method, path string
		user, secret string
	}{
		{"no credentials", http.MethodGet, ServerBootstrapPath, "", ""},
		{"wrong secret", http.MethodGet, ServerBootstrapPath, "server", "not-the-secret"},
		{"truncated secret", http.MethodGet, ServerBootstrapPath, "server",
			serverSecret[:len(serverSecret)-3]},
		{"secret with extra characters", http.MethodGet, ServerBootstrapPath, "server",
			serverSecret + "x"},
		{"empty secret", http.MethodGet, ServerBootstrapPath, "server", ""},
		{"agent token for server bootstrap", http.MethodGet, ServerBootstrapPath, "node",
			agentSecret},
		{"agent secret as server user", http.MethodGet, ServerBootstrapPath, "server",
			agentSecret},
		{"server secret as node user for server bootstrap", http.MethodGet,
			ServerBootstrapPath, "node", serverSecret},
		{"wrong secret for agent credentials", http.MethodPost, AgentCredentialsPath,
			"node", "not-the-secret"},
		{"unknown user for agent credentials", http.MethodPost, AgentCredentialsPath,
			"admin", agentSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := map[string]string{NodeNameHeader: "n1", NodePasswordHeader: "pw"}
			resp, body := c.rawRequest(t, tt.method, tt.path, tt.user, tt.secret, headers, "{}")
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", resp.StatusCode)
			}
			if resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
			assertNoSecret(t, "body", body, serverSecret, agentSecret, tt.secret)
		})
	}
}

func TestClientTokenRejected(t *testing.T) {
	c := newTestCluster(t)
	secret := c.serverToken.Secret()
	wrong, err := token.New(token.RoleServer, "wrongsecret")
	if err != nil {
		t.Fatalf("new token: %v", err)
	}
	truncated, err := token.New(token.RoleServer, secret[:len(secret)/2])
	if err != nil {
		t.Fatalf("new token: %v", err)
	}
	pem := c.cas.ServerCA.CertPEM()

	tests := []struct {
		name string
		tok  token.Token
	}{
		{"wrong secret", wrong.Pin(pem)},
		{"truncated secret", truncated.Pin(pem)},
		{"agent token", c.agentToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.joinClient(t, tt.tok).ServerBootstrap(context.Background())
			if !errors.Is(err, ErrTokenRejected) {
				t.Fatalf("got %v, want ErrTokenRejected", err)
			}
			want := "token rejected by " + c.srv.URL
			if err.Error() != want {
				t.Errorf("message %q, want %q", err, want)
			}
			if IsRetriable(err) {
				t.Errorf("a rejected token is reported as retriable")
			}
			assertNoSecret(t, "error", err.Error(), secret, tt.tok.Secret())
		})
	}
}

func TestServerBootstrap(t *testing.T) {
	c := newTestCluster(t)

	got, err := c.joinClient(t, c.serverToken).ServerBootstrap(context.Background())
	if err != nil {
		t.Fatalf("ServerBootstrap: %v", err)
	}
	want := c.cas.Files()
	for path, data := range want {
		if !bytes.Equal(got.CAFiles[path], data) {
			t.Errorf("CA file %s differs from the cluster's", path)
		}
	}
	if len(got.CAFiles) != len(want) {
		t.Errorf("got %d CA files, want %d", len(got.CAFiles), len(want))
	}
	if _, err := pki.CASetFromFiles(got.CAFiles); err != nil {
		t.Errorf("received CA set does not load: %v", err)
	}
	if got.Datastore.Kind != "etcd" || len(got.Datastore.EtcdMembers) != 1 ||
		got.Datastore.EtcdMembers[0].PeerURLs[0] != "https://10.0.0.1:2380" {
		t.Errorf("datastore info %+v, want the embedded etcd member", got.Datastore)
	}
}

func TestNewHandlerRequiresOptions(t *testing.T) {
	cas, err := pki.GenerateCASet(nil)
	if err != nil {
		t.Fatalf("generate CA set: %v", err)
	}
	tests := []struct {
		name string
		opts Options
	}{
		{"nothing", Options{}},
		{"no token", Options{CAs: cas, Passwords: NewSecretStore(nil)}},
		{"no store", Options{CAs: cas, ServerToken: newToken(t, token.RoleServer, cas)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewHandler(tt.opts); err == nil {
				t.Errorf("NewHandler accepted incomplete options")
			}
		})
	}
}

func TestOtherPathsGoToNext(t *testing.T) {
	cas, err := pki.GenerateCASet(nil)
	if err != nil {
		t.Fatalf("generate CA set: %v", err)
	}
	var seen string
	h, err := NewHandler(Options{
		CAs: cas, ServerToken: newToken(t, token.RoleServer, cas),
		Passwords: NewSecretStore(nil),
		Next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = r.URL.Path
		}),
	})
	if err != nil {
		t.Fatalf("new handler: %v", err)
	}
	req, err := http.NewRequest(http.MethodGet, "https://x/api/v1/nodes", nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	h.ServeHTTP(httptest.NewRecorder(), req)
	if seen != "/api/v1/nodes" {
		t.Errorf("next saw %q, want /api/v1/nodes", seen)
	}
}
