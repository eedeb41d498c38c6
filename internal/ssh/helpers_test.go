package ssh

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/lightcluster/lightcluster/internal/sshtest"
)

// testTimeout bounds every test's context, so that a hung host fails the test.
const testTimeout = 15 * time.Second

// rsaKey is generated once because RSA key generation is slow.
var rsaKey = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 2048)
})

// newKey returns a private key of the given kind and its public key.
func newKey(t *testing.T, kind string) (any, gossh.PublicKey) {
	t.Helper()
	var private any
	var err error
	switch kind {
	case "ed25519":
		_, private, err = ed25519.GenerateKey(rand.Reader)
	case "ecdsa":
		private, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "rsa":
		private, err = rsaKey()
	default:
		t.Fatalf("unknown key kind %q", kind)
	}
	if err != nil {
		t.Fatalf("generate %s key: %v", kind, err)
	}
	signer, err := gossh.NewSignerFromKey(private)
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	return private, signer.PublicKey()
}

// encodeKey encodes a private key in OpenSSH format, protected when passphrase is set.
func encodeKey(t *testing.T, private any, passphrase string) []byte {
	t.Helper()
	var block *pem.Block
	var err error
	if passphrase == "" {
		block, err = gossh.MarshalPrivateKey(private, "")
	} else {
		block, err = gossh.MarshalPrivateKeyWithPassphrase(private, "", []byte(passphrase))
	}
	if err != nil {
		t.Fatalf("encode key: %v", err)
	}
	return pem.EncodeToMemory(block)
}

// encodePKCS1 encodes an RSA key in the traditional PEM format.
func encodePKCS1(t *testing.T, private any) []byte {
	t.Helper()
	key, ok := private.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("not an RSA key: %T", private)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
		Bytes: x509.MarshalPKCS1PrivateKey(key)})
}

// testHost is an in-process SSH server with a config that logs in to it.
type testHost struct {
	srv *sshtest.Server
	cfg Config
	dir string
}

// newTestHost starts a server that authorizes a fresh ed25519 key.
func newTestHost(t *testing.T, opts sshtest.Options) *testHost {
	t.Helper()
	private, public := newKey(t, "ed25519")
	opts.AuthorizedKey = public
	srv := sshtest.New(t, opts)
	cfg := Config{
		Address:    srv.Host(),
		Port:       srv.Port(),
		User:       "deploy",
		PrivateKey: encodeKey(t, private, ""),
	}
	return &testHost{srv: srv, cfg: cfg, dir: t.TempDir()}
}

// dial connects with the host's config and closes the client when the test ends.
func (h *testHost) dial(t *testing.T) *Client {
	t.Helper()
	client, err := Dial(testContext(t), h.cfg)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// testContext returns a context that ends with the test or after testTimeout.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read dir: %v", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// fileExists reports whether path exists.
func fileExists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Stat(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatalf("stat %s: %v", path, err)
	}
	return err == nil
}
