package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// bundle stands in for a CA bundle; the token hashes it as bytes.
var bundle = []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")

// mustGenerate returns a pinned token for role or stops the test.
func mustGenerate(t *testing.T, role Role) Token {
	t.Helper()
	tok, err := Generate(role)
	if err != nil {
		t.Fatalf("Generate(%s): %v", role, err)
	}
	return tok.Pin(bundle)
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		tok  func(t *testing.T) Token
	}{
		{name: "server", tok: func(t *testing.T) Token { return mustGenerate(t, RoleServer) }},
		{name: "agent", tok: func(t *testing.T) Token { return mustGenerate(t, RoleAgent) }},
		{name: "short", tok: func(t *testing.T) Token {
			tok, err := Generate(RoleAgent)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := tt.tok(t)
			parsed, err := Parse(tok.Value() + "\n")
			if err != nil {
				t.Fatalf("Parse(Value()): %v", err)
			}
			if parsed.Value() != tok.Value() || parsed.CAHash() != tok.CAHash() {
				t.Errorf("round trip changed the token: pinned %v, want %v",
					parsed.Pinned(), tok.Pinned())
			}
			if !parsed.Matches(tok.Secret()) {
				t.Error("parsed token does not match its own secret")
			}
		})
	}
}

func TestFullForm(t *testing.T) {
	tok := mustGenerate(t, RoleServer)
	want := "K10" + tok.CAHash() + "::server:" + tok.Secret()
	if tok.Value() != want {
		t.Errorf("Value() = %q, want %q", tok.Value(), want)
	}
	if len(tok.Secret()) != 2*secretBytes {
		t.Errorf("secret has %d characters, want %d", len(tok.Secret()), 2*secretBytes)
	}
	agent := mustGenerate(t, RoleAgent)
	if !strings.Contains(agent.Value(), "::node:") || agent.Role() != RoleAgent {
		t.Errorf("agent token %s does not carry username node", agent.Redacted())
	}
}

func TestGenerateSecretsDiffer(t *testing.T) {
	a, b := mustGenerate(t, RoleServer), mustGenerate(t, RoleServer)
	if a.Matches(b.Secret()) {
		t.Error("two generated tokens share a secret")
	}
}

func TestParseErrors(t *testing.T) {
	full := mustGenerate(t, RoleServer).Value()
	hash := mustGenerate(t, RoleServer).CAHash()
	tests := []struct {
		name    string
		input   string
		wantMsg string
	}{
		{name: "empty", input: "  ", wantMsg: "empty"},
		{name: "truncated in hash", input: full[:40], wantMsg: "missing \"::\""},
		{name: "short hash", input: "K10" + hash[:63] + "::server:abc",
			wantMsg: "63 characters"},
		{name: "long hash", input: "K10" + hash + "0::server:abc", wantMsg: "65 characters"},
		{name: "hash not hex", input: "K10" + strings.Repeat("z", 64) + "::server:abc",
			wantMsg: "not hexadecimal"},
		{name: "bad prefix", input: "K11" + hash + "::server:abc", wantMsg: "start with K10"},
		{name: "prefix lost", input: hash + "::server:abc", wantMsg: "start with K10"},
		{name: "missing username", input: "K10" + hash + "::abc", wantMsg: "missing username"},
		{name: "empty username", input: "K10" + hash + ":::abc", wantMsg: "missing username"},
		{name: "unknown username", input: "K10" + hash + "::admin:abc",
			wantMsg: "neither server nor node"},
		{name: "missing secret", input: "K10" + hash + "::server:", wantMsg: "missing secret"},
		{name: "short form with colon", input: "node:abc", wantMsg: "colon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.input)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse error = %v, want ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), "abc") {
				t.Errorf("error %q quotes the secret", err)
			}
		})
	}
}

func TestVerifyCA(t *testing.T) {
	pinned := mustGenerate(t, RoleAgent)
	short, err := Parse(pinned.Secret())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		tok     Token
		bundle  []byte
		wantErr error
	}{
		{name: "same bundle", tok: pinned, bundle: bundle},
		{name: "other bundle", tok: pinned, bundle: append(bytes.Clone(bundle), '\n'),
			wantErr: ErrCAHashMismatch},
		{name: "short token", tok: short, bundle: bundle, wantErr: ErrNotPinned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.tok.VerifyCA(tt.bundle); !errors.Is(err, tt.wantErr) {
				t.Errorf("VerifyCA = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestVerifyCAAcceptsUppercaseHash(t *testing.T) {
	tok := mustGenerate(t, RoleServer)
	upper := "K10" + strings.ToUpper(tok.CAHash()) + "::server:" + tok.Secret()
	parsed, err := Parse(upper)
	if err != nil {
		t.Fatal(err)
	}
	if err := parsed.VerifyCA(bundle); err != nil {
		t.Errorf("VerifyCA with an uppercase hash: %v", err)
	}
}

func TestMatches(t *testing.T) {
	tok := mustGenerate(t, RoleServer)
	tests := []struct {
		name   string
		secret string
		want   bool
	}{
		{name: "same", secret: tok.Secret(), want: true},
		{name: "prefix", secret: tok.Secret()[:10]},
		{name: "longer", secret: tok.Secret() + "0"},
		{name: "empty", secret: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tok.Matches(tt.secret); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
	if (Token{}).Matches("") {
		t.Error("the zero Token matches an empty secret")
	}
}

func TestRedaction(t *testing.T) {
	tok := mustGenerate(t, RoleServer)
	short, err := Parse(tok.Secret())
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("Joining", "token", tok)
	encoded, err := json.Marshal(struct{ Token Token }{tok})
	if err != nil {
		t.Fatal(err)
	}

	printed := map[string]string{
		"%v":      fmt.Sprintf("%v", tok),
		"%s":      fmt.Sprintf("%s", tok),
		"%+v":     fmt.Sprintf("%+v", tok),
		"%#v":     fmt.Sprintf("%#v", tok),
		"%q":      fmt.Sprintf("%q", tok),
		"%x":      fmt.Sprintf("%x", tok),
		"pointer": fmt.Sprintf("%v", &tok),
		"struct":  fmt.Sprintf("%+v", struct{ T Token }{tok}),
		"short":   fmt.Sprintf("%v", short),
		"error":   fmt.Errorf("join with %v", tok).Error(),
		"slog":    logged.String(),
		"json":    string(encoded),
	}
	for name, out := range printed {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(out, tok.Secret()) {
				t.Errorf("output %q holds the secret", out)
			}
			if !strings.Contains(out, "redacted") {
				t.Errorf("output %q does not show the redaction", out)
			}
		})
	}
	want := "K10" + tok.CAHash() + "::server:<redacted>"
	if got := fmt.Sprint(tok); got != want {
		t.Errorf("Sprint = %q, want %q", got, want)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		role    Role
		secret  string
		wantErr bool
	}{
		{name: "valid", role: RoleAgent, secret: "s3cret"},
		{name: "unknown role", role: "admin", secret: "s3cret", wantErr: true},
		{name: "empty secret", role: RoleServer, wantErr: true},
		{name: "colon", role: RoleServer, secret: "a:b", wantErr: true},
		{name: "space", role: RoleServer, secret: "a b", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := New(tt.role, tt.secret)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New error = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && !tok.Matches(tt.secret) {
				t.Error("token does not match its secret")
			}
		})
	}
}
