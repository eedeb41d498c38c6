package ssh

import (
	"errors"
	"fmt"

	gossh "golang.org/x/crypto/ssh"
)

// parseSigner decodes an ed25519, ECDSA or RSA private key in PEM or OpenSSH format,
// decrypting it with passphrase when it is protected. Errors never include key bytes.
func parseSigner(key, passphrase []byte) (gossh.Signer, error) {
	signer, err := gossh.ParsePrivateKey(key)
	if err == nil {
		return signer, nil
	}

	var missing *gossh.PassphraseMissingError
	if !errors.As(err, &missing) {
		return nil, fmt.Errorf("%w: parse private key: %v", ErrInvalidKey, err)
	}
	if len(passphrase) == 0 {
		return nil, ErrPassphraseRequired
	}

	signer, err = gossh.ParsePrivateKeyWithPassphrase(key, passphrase)
	if err != nil {
		return nil, fmt.Errorf("%w: decrypt private key: %v", ErrInvalidKey, err)
	}
	return signer, nil
}
