package sshtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

// NewClientKey makes an ed25519 login key for a test: the signer whose public key a
// Server accepts through Options.AuthorizedKey, and the same private key in OpenSSH
// PEM form, as a user stores it in a Secret.
func NewClientKey(t testing.TB) (gossh.Signer, []byte) {
	t.Helper()
	_, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(private)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(private, "")
	if err != nil {
		t.Fatal(err)
	}
	return signer, pem.EncodeToMemory(block)
}
