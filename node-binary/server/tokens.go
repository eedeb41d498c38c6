package server

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/lightcluster/lightcluster/internal/token"
)

// ErrTokenCAMismatch reports a configured token whose CA hash is not the hash of this
// server's CA: the token belongs to another cluster.
var ErrTokenCAMismatch = errors.New("token does not match this server's CA")

// ensureToken returns the token of role for this server: given (a configured
// value), else the one stored at path, else a new one. It writes it to path in full
// form, pinned to caPEM, with mode 0600.
func ensureToken(path, given string, role token.Role, caPEM []byte) (token.Token, error) {
	t, err := chooseToken(path, given, role)
	if err != nil {
		return token.Token{}, err
	}
	if t.Pinned() {
		if err := t.VerifyCA(caPEM); err != nil {
			return token.Token{}, fmt.Errorf("%s token: %w", role, ErrTokenCAMismatch)
		}
	}
	full, err := token.New(role, t.Secret())
	if err != nil {
		return token.Token{}, fmt.Errorf("%s token: %w", role, err)
	}
	full = full.Pin(caPEM)
	if err := writeFileAtomic(path, []byte(full.Value()+"\n"), 0o600); err != nil {
		return token.Token{}, err
	}
	return full, nil
}

func chooseToken(path, given string, role token.Role) (token.Token, error) {
	if given != "" {
		t, err := token.Parse(given)
		if err != nil {
			return token.Token{}, fmt.Errorf("%s token: %w", role, err)
		}
		return t, nil
	}
	data, err := os.ReadFile(path)
	if err == nil && strings.TrimSpace(string(data)) != "" {
		t, err := token.Parse(string(data))
		if err != nil {
			return token.Token{}, fmt.Errorf("token file %s: %w", path, err)
		}
		return t, nil
	}
	if err != nil && !os.IsNotExist(err) {
		return token.Token{}, fmt.Errorf("read token file: %w", err)
	}
	return token.Generate(role)
}
