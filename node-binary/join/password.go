package join

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// errPasswordMismatch reports that a node name is bound to another node password.
var errPasswordMismatch = errors.New("node password does not match")

// checkNodePassword binds name to password on its first join, and afterwards accepts
// only the same password. A concurrent first join of the same name is resolved by
// whichever Create wins.
func (h *handler) checkNodePassword(ctx context.Context, name, password string) error {
	hash, err := h.opts.Passwords.Get(ctx, name)
	if errors.Is(err, ErrNoPassword) {
		err = h.bindNodePassword(ctx, name, password)
		if !errors.Is(err, ErrPasswordExists) {
			return err
		}
		hash, err = h.opts.Passwords.Get(ctx, name)
	}
	if err != nil {
		return fmt.Errorf("read node password of %s: %w", name, err)
	}
	return comparePassword(hash, password)
}

// bindNodePassword stores the hash of password for name.
func (h *handler) bindNodePassword(ctx context.Context, name, password string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash node password of %s: %w", name, err)
	}
	if err := h.opts.Passwords.Create(ctx, name, hash); err != nil {
		return fmt.Errorf("store node password of %s: %w", name, err)
	}
	h.log.Info("Bound node name to its node password", "node", name)
	return nil
}

// comparePassword checks password against a stored bcrypt hash in constant time.
func comparePassword(hash []byte, password string) error {
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		return errPasswordMismatch
	}
	return nil
}
