package token

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/lightcluster/lightcluster/internal/pki"
)

// Role says which kind of node a token admits; its value is the username in the token.
type Role string

const (
	// RoleServer admits control-plane nodes.
	RoleServer Role = "server"
	// RoleAgent admits worker nodes.
	RoleAgent Role = "node"
)

// secretBytes is the number of random bytes in a generated secret (32 hex characters).
const secretBytes = 16

// Token is a parsed or generated join token. The zero value is not a valid token.
type Token struct {
	caHash string
	role   Role
	secret string
}

// Generate returns a token for role with a new random secret and no CA hash; Pin adds one.
func Generate(role Role) (Token, error) {
	if err := role.validate(); err != nil {
		return Token{}, err
	}
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return Token{}, fmt.Errorf("generate token secret: %w", err)
	}
	return Token{role: role, secret: hex.EncodeToString(b)}, nil
}

// New returns a token for role with the given secret and no CA hash. The secret must be
// non-empty and hold neither whitespace nor colons, so that its short form parses back.
func New(role Role, secret string) (Token, error) {
	if err := role.validate(); err != nil {
		return Token{}, err
	}
	if err := validateSecret(secret); err != nil {
		return Token{}, err
	}
	return Token{role: role, secret: secret}, nil
}

// validate checks that r is a known role.
func (r Role) validate() error {
	if r != RoleServer && r != RoleAgent {
		return fmt.Errorf("unknown token role %q", string(r))
	}
	return nil
}

// validateSecret checks that a short-form secret can be written and parsed back.
func validateSecret(secret string) error {
	if secret == "" {
		return fmt.Errorf("%w: empty secret", ErrMalformed)
	}
	if strings.ContainsAny(secret, ": \t\r\n") {
		return fmt.Errorf("%w: secret holds a colon or whitespace", ErrMalformed)
	}
	return nil
}

// Pin returns a copy of t that carries the hash of the CA bundle, as served to joining
// nodes.
func (t Token) Pin(bundlePEM []byte) Token {
	t.caHash = pki.CABundleHash(bundlePEM)
	return t
}

// Pinned reports whether t carries a CA hash.
func (t Token) Pinned() bool {
	return t.caHash != ""
}

// CAHash returns the hex SHA-256 of the CA bundle that t pins, or "" for a short token.
func (t Token) CAHash() string {
	return t.caHash
}

// Role returns the role named by a full token, or "" for a short token.
func (t Token) Role() Role {
	return t.role
}

// Secret returns the secret part of t. It is sensitive.
func (t Token) Secret() string {
	return t.secret
}

// Value returns the usable token: the full form when t is pinned and has a role, the
// short form otherwise. It is sensitive.
func (t Token) Value() string {
	if !t.Pinned() || t.role == "" {
		return t.secret
	}
	return t.prefix() + t.secret
}

// Redacted returns t with its secret replaced by "<redacted>", safe to log.
func (t Token) Redacted() string {
	if !t.Pinned() || t.role == "" {
		return redacted
	}
	return t.prefix() + redacted
}

// redacted stands in for a secret in printed tokens.
const redacted = "<redacted>"

// prefix returns the full form up to the secret.
func (t Token) prefix() string {
	return fullPrefix + t.caHash + "::" + string(t.role) + ":"
}

// VerifyCA checks that bundlePEM is the CA bundle t pins. It returns ErrCAHashMismatch
// when it is not and ErrNotPinned when t carries no hash.
func (t Token) VerifyCA(bundlePEM []byte) error {
	if !t.Pinned() {
		return ErrNotPinned
	}
	got := pki.CABundleHash(bundlePEM)
	if subtle.ConstantTimeCompare([]byte(got), []byte(t.caHash)) != 1 {
		return ErrCAHashMismatch
	}
	return nil
}

// Matches reports whether the secret of t is expectedSecret. The comparison takes the
// same time whatever the secrets, including their lengths.
func (t Token) Matches(expectedSecret string) bool {
	if t.secret == "" {
		return false
	}
	got, want := sha256.Sum256([]byte(t.secret)), sha256.Sum256([]byte(expectedSecret))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// Sentinel errors of token parsing and verification.
var (
	// ErrMalformed reports a token that cannot be parsed; the wrapping error says which
	// part is wrong, never the secret. Retrying with the same token cannot succeed.
	ErrMalformed = errors.New("malformed token")
	// ErrCAHashMismatch reports that the CA bundle a server presented is not the one the
	// token pins: the server is not the expected cluster, or the token is out of date.
	ErrCAHashMismatch = errors.New("CA bundle does not match the token's CA hash")
	// ErrNotPinned reports that a short token carries no CA hash to verify against.
	ErrNotPinned = errors.New("token carries no CA hash")
)
