//go:build lightnode

package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/node-binary/certs"
	"github.com/lightcluster/lightcluster/node-binary/datastore"
)

func TestEmbeddedEtcdThreeServers(t *testing.T) {
	first := newNode(t, "etcd-1", "127.0.0.1", "--cluster-init")
	first.startReady()
	tokenOut, err := os.ReadFile(filepath.Join(first.dataDir, "server", "token"))
	if err != nil {
		t.Fatal(err)
	}
	serverToken := strings.TrimSpace(string(tokenOut))

	second := newNode(t, "etcd-2", "127.0.0.2", "--server", first.url(), "--token", serverToken)
	third := newNode(t, "etcd-3", "127.0.0.3", "--server", first.url(), "--token", serverToken)
	second.startReady()
	third.startReady()

	t.Run("three members", func(t *testing.T) {
		names := etcdMembers(t, first)
		if len(names) != 3 {
			t.Fatalf("members %v, want 3", names)
		}
	})

	third.stop()

	t.Run("API serves with one member stopped", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cms := second.client().CoreV1().ConfigMaps("default")
		if _, err := cms.Create(ctx, configMap("quorum"), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		got, err := first.client().CoreV1().ConfigMaps("default").Get(ctx, "quorum",
			metav1.GetOptions{})
		if err != nil || got.Data["key"] != "quorum" {
			t.Fatalf("get through the first server: %v %v", got, err)
		}
	})

	t.Run("wrong token is rejected", func(t *testing.T) {
		hash := serverToken[len("K10"):strings.Index(serverToken, "::")]
		bad := newNode(t, "etcd-bad", "127.0.0.4", "--server", first.url(),
			"--token", "K10"+hash+"::server:wrong-secret")
		bad.start()
		if err := bad.wait(); err == nil || !strings.Contains(bad.output(), "token rejected") {
			t.Fatalf("exit %v, want a failure saying token rejected:\n%s", err, bad.output())
		}
	})

	t.Run("restarted member starts from local data", func(t *testing.T) {
		third.startReady()
	})

	// The last member left has no quorum and cannot stop cleanly; cleanup kills it.
	third.stop()
	second.stop()
}

func etcdMembers(t *testing.T, n *node) []string {
	t.Helper()
	tls := filepath.Join(n.dataDir, "server", "tls")
	files := datastore.TLSFiles{
		CertFile: filepath.Join(tls, certs.EtcdClientCertFile),
		KeyFile:  filepath.Join(tls, certs.EtcdClientKeyFile),
		CAFile:   filepath.Join(tls, pki.EtcdServerCACertFile),
	}
	port := strings.TrimPrefix(n.env[0], "LIGHTNODE_ETCD_CLIENT_PORT=")
	cli, err := datastore.Client([]string{"https://" + n.ip + ":" + port}, files)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, err := cli.MemberList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range list.Members {
		names = append(names, m.Name)
	}
	return names
}
