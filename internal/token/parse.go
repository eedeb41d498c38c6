package token

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// fullPrefix starts every full token; it names version 1 of the K3s token format.
const fullPrefix = "K10"

// hashLength is the length of a hex SHA-256 CA hash.
const hashLength = 64

// Parse reads a token in full or short form, ignoring surrounding whitespace. Errors wrap
// ErrMalformed and never quote the token. A string holding "::" is taken as a full token,
// so a full token that lost its prefix is not mistaken for a short one.
func Parse(s string) (Token, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Token{}, fmt.Errorf("%w: empty", ErrMalformed)
	}
	if !strings.HasPrefix(s, fullPrefix) && !strings.Contains(s, "::") {
		if err := validateSecret(s); err != nil {
			return Token{}, err
		}
		return Token{secret: s}, nil
	}
	return parseFull(s)
}

// parseFull reads K10<hash>::<username>:<secret>.
func parseFull(s string) (Token, error) {
	rest, ok := strings.CutPrefix(s, fullPrefix)
	if !ok {
		return Token{}, fmt.Errorf("%w: full token does not start with %s", ErrMalformed,
			fullPrefix)
	}
	hash, credentials, ok := strings.Cut(rest, "::")
	if !ok {
		return Token{}, fmt.Errorf("%w: missing \"::\" after the CA hash", ErrMalformed)
	}
	if err := validateHash(hash); err != nil {
		return Token{}, err
	}

	username, secret, ok := strings.Cut(credentials, ":")
	if !ok || username == "" {
		return Token{}, fmt.Errorf("%w: missing username", ErrMalformed)
	}
	role := Role(username)
	if err := role.validate(); err != nil {
		return Token{}, fmt.Errorf("%w: username is neither %s nor %s", ErrMalformed,
			RoleServer, RoleAgent)
	}
	if secret == "" {
		return Token{}, fmt.Errorf("%w: missing secret", ErrMalformed)
	}
	return Token{caHash: strings.ToLower(hash), role: role, secret: secret}, nil
}

// validateHash checks that hash is a complete hex SHA-256, which catches truncated tokens.
func validateHash(hash string) error {
	if len(hash) != hashLength {
		return fmt.Errorf("%w: CA hash has %d characters, want %d", ErrMalformed, len(hash),
			hashLength)
	}
	if _, err := hex.DecodeString(hash); err != nil {
		return fmt.Errorf("%w: CA hash is not hexadecimal", ErrMalformed)
	}
	return nil
}
