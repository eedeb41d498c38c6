//go:build lightnode

package server_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/node-binary/certs"
	"github.com/lightcluster/lightcluster/node-binary/datastore"
)

func TestCertificateRotate(t *testing.T) {
	n := newNode(t, "rotate", "127.0.0.1")
	client := n.startReady()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := client.CoreV1().ConfigMaps("default").Create(ctx, configMap("kept"),
		metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tlsDir := filepath.Join(n.dataDir, "server", "tls")
	caBefore := readTree(t, tlsDir)
	oldServing := servingCertificate(t, n)

	t.Run("refused while the server runs", func(t *testing.T) {
		out, err := n.rotate()
		if err == nil || !strings.Contains(out, strings.TrimPrefix(n.url(), "https://")) {
			t.Fatalf("rotate: %v, want an error naming the port\n%s", err, out)
		}
		expectTreeUnchanged(t, tlsDir, caBefore)
	})

	t.Run("refused while the server runs on another port", func(t *testing.T) {
		other := strconv.Itoa(freePort(t, n.ip))
		out, err := run(t, nil, "certificate", "rotate", "--data-dir", n.dataDir,
			"--bind-address", n.ip, "--https-listen-port", other)
		socket := filepath.Join(n.dataDir, "server", "db", datastore.KineSocket)
		if err == nil || !strings.Contains(out, socket) {
			t.Fatalf("rotate: %v, want an error naming %s\n%s", err, socket, out)
		}
		expectTreeUnchanged(t, tlsDir, caBefore)
	})

	t.Run("unknown service", func(t *testing.T) {
		out, err := n.rotate("--service", "kubelet")
		if err == nil || !strings.Contains(out, `"kubelet"`) {
			t.Fatalf("rotate: %v, want an error naming the service\n%s", err, out)
		}
	})

	n.stop()

	t.Run("moves the leaves of the stopped server", func(t *testing.T) {
		out, err := n.rotate()
		if err != nil {
			t.Fatalf("rotate: %v\n%s", err, out)
		}
		t.Log(out)
		if !strings.Contains(out, certs.APIServerCertFile) ||
			strings.Contains(out, pki.ServerCACertFile) {
			t.Errorf("output does not list the serving certificate alone of these:\n%s", out)
		}
		backups, err := filepath.Glob(filepath.Join(tlsDir, certs.BackupPrefix+"*",
			certs.APIServerCertFile))
		if err != nil || len(backups) != 1 {
			t.Fatalf("backups of the serving certificate: %v %v", backups, err)
		}
		expectAbsent(t, filepath.Join(tlsDir, certs.APIServerCertFile))
	})

	client = n.startReady()

	t.Run("new serving certificate from the same CA", func(t *testing.T) {
		serving := servingCertificate(t, n)
		if serving.SerialNumber.Cmp(oldServing.SerialNumber) == 0 {
			t.Errorf("serving certificate kept serial %s", serving.SerialNumber)
		}
		roots := x509.NewCertPool()
		roots.AppendCertsFromPEM(caBefore[filepath.Join(tlsDir, pki.ServerCACertFile)])
		if _, err := serving.Verify(x509.VerifyOptions{Roots: roots, DNSName: "kubernetes",
			CurrentTime: time.Now()}); err != nil {
			t.Errorf("serving certificate does not verify with the old server CA: %v", err)
		}
		for _, name := range pki.CASetFileNames() {
			path := filepath.Join(tlsDir, name)
			if now, err := os.ReadFile(path); err != nil || !bytes.Equal(now, caBefore[path]) {
				t.Errorf("%s changed (%v)", name, err)
			}
		}
	})

	t.Run("data survives", func(t *testing.T) {
		cm, err := client.CoreV1().ConfigMaps("default").Get(ctx, "kept", metav1.GetOptions{})
		if err != nil || cm.Data["key"] != "kept" {
			t.Fatalf("get configmap kept: %v %v", cm, err)
		}
	})
	n.stop()
}

// rotate runs `lightnode certificate rotate` for the node's data dir and listener.
func (n *node) rotate(extra ...string) (string, error) {
	n.t.Helper()
	args := append([]string{"certificate", "rotate", "--data-dir", n.dataDir,
		"--bind-address", n.ip, "--https-listen-port", strconv.Itoa(n.port)}, extra...)
	return run(n.t, nil, args...)
}

// servingCertificate returns the certificate the node's API server presents.
func servingCertificate(t *testing.T, n *node) *x509.Certificate {
	t.Helper()
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	addr := strings.TrimPrefix(n.url(), "https://")
	// The chain is verified by the caller, against the CA it expects.
	conn, err := tls.DialWithDialer(dialer, "tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0]
}
