package provision

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/sshtest"
)

// testTimeout bounds every test's context, so that a hung host fails the test.
const testTimeout = 20 * time.Second

// sudoPassword is the password the simulated sudo asks for; tests check that it
// never shows up in errors.
const sudoPassword = "sudo-pass-7f3a9c"

// fakeHost is an in-process SSH server with its own root directory.
type fakeHost struct {
	server *sshtest.Server
	root   string
	host   Host
	key    []byte
}

// newFakeHost starts a server that demands the sudo password and returns a Host
// whose directories live under a temporary root.
func newFakeHost(t *testing.T) *fakeHost {
	t.Helper()
	signer, key := sshtest.NewClientKey(t)
	srv := sshtest.New(t, sshtest.Options{
		AuthorizedKey: signer.PublicKey(), SudoPassword: sudoPassword,
	})

	root := t.TempDir()
	node := &lcv1.LightNode{}
	node.Namespace, node.Name = "default", "node-1"
	node.Spec.Role = lcv1.RoleServer
	node.Spec.SSH = lcv1.SSHSpec{Address: lcv1.Host(srv.Host()), Port: int32(srv.Port()),
		User: "deploy", Sudo: &lcv1.SudoSpec{}}
	node.Spec.DataDir = filepath.Join(root, "var/lib/lightnode")
	node.Spec.InstallDir = filepath.Join(root, "usr/local/bin")

	h := NewHost(node, Credentials{PrivateKey: key, SudoPassword: []byte(sudoPassword)}, false)
	h.ConfigFile = filepath.Join(root, "etc/lightnode/config.yaml")
	return &fakeHost{server: srv, root: root, host: h, key: key}
}

// connect logs in to the fake host and closes the session when the test ends.
func (f *fakeHost) connect(t *testing.T) *Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	s, err := Connect(ctx, f.host, nil)
	if err != nil {
		t.Fatalf("Connect() error = %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// testContext returns a context that ends with the test or after testTimeout.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// writeExecutable writes a shell script to path.
func writeExecutable(t *testing.T, path, script string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// readFile returns the content of path, or "" when it does not exist.
func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
