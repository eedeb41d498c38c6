package join

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/internal/token"
)

func TestConnectionFailureIsRetriable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}
	tok, err := token.Generate(token.RoleAgent)
	if err != nil {
		t.Fatalf("generate token: %v", err)
	}

	jc, err := NewClient("https://"+addr, tok)
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	_, err = jc.AgentCredentials(context.Background(), "n1", "pw", AgentRequest{})
	if !IsRetriable(err) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("got %v, want a retriable ErrUnavailable", err)
	}
	assertNoSecret(t, "error", err.Error(), tok.Secret(), "pw")
}

func TestServerErrorsMapToSentinels(t *testing.T) {
	tests := []struct {
		status    int
		want      error
		retriable bool
	}{
		{http.StatusUnauthorized, ErrTokenRejected, false},
		{http.StatusForbidden, ErrNodePasswordRejected, false},
		{http.StatusBadRequest, ErrBadRequest, false},
		{http.StatusNotFound, ErrBadRequest, false},
		{http.StatusTooManyRequests, ErrUnavailable, true},
		{http.StatusServiceUnavailable, ErrUnavailable, true},
		{http.StatusInternalServerError, ErrUnavailable, true},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewTLSServer(http.HandlerFunc(
				func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == CACertsPath {
						_, _ = w.Write(pki.EncodeCertPEM(srv.Certificate()))
						return
					}
					http.Error(w, "refused", tt.status)
				}))
			t.Cleanup(srv.Close)
			tok, err := token.New(token.RoleAgent, "secret")
			if err != nil {
				t.Fatalf("new token: %v", err)
			}
			jc, err := NewClient(srv.URL, tok)
			if err != nil {
				t.Fatalf("new client: %v", err)
			}

			_, err = jc.AgentCredentials(context.Background(), "n1", "pw", AgentRequest{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if IsRetriable(err) != tt.retriable {
				t.Errorf("IsRetriable = %v, want %v", IsRetriable(err), tt.retriable)
			}
		})
	}
}

func TestNewClientRejectsBadInput(t *testing.T) {
	tok, err := token.Generate(token.RoleAgent)
	if err != nil {
		t.Fatalf("generate token: %v", err)
	}
	tests := []struct {
		name string
		url  string
		tok  token.Token
	}{
		{"http URL", "http://10.0.0.1:6443", tok},
		{"no host", "https://", tok},
		{"credentials in URL", "https://user:hunter2@10.0.0.1:6443", tok},
		{"zero token", "https://10.0.0.1:6443", token.Token{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClient(tt.url, tt.tok)
			if err == nil {
				t.Fatalf("NewClient accepted %q", tt.url)
			}
			assertNoSecret(t, "error", err.Error(), "hunter2", tok.Secret())
		})
	}
}

func TestEnsureNodePassword(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node", "password")

	first, err := EnsureNodePassword(path)
	if err != nil {
		t.Fatalf("first call: %v", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat password file: %v", err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("password file mode %v, want 0600", mode)
	}
	if len(first) != 2*nodePasswordBytes {
		t.Errorf("password has %d characters, want %d", len(first), 2*nodePasswordBytes)
	}

	second, err := EnsureNodePassword(path)
	if err != nil {
		t.Fatalf("second call: %v", err)
	}
	if second != first {
		t.Errorf("second call returned another password")
	}
}

func TestEnsureNodePasswordRejectsEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(path, []byte("\n"), 0o600); err != nil {
		t.Fatalf("write: %v", err)
	}
	if _, err := EnsureNodePassword(path); err == nil {
		t.Fatalf("an empty password file was accepted")
	}
}
