package join

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	k8stesting "k8s.io/client-go/testing"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/internal/token"
)

// eventWait bounds how long a test waits for the node watcher to react.
const eventWait = 30 * time.Second

func TestAgentCredentials(t *testing.T) {
	c := newTestCluster(t)
	tests := []struct {
		name string
		tok  token.Token
	}{
		{"agent token", c.agentToken},
		{"server token", c.serverToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := "worker-" + strings.ReplaceAll(tt.name, " ", "-")
			req := AgentRequest{Hostname: "machine1", IPs: []string{"10.0.0.5", "fd00::5"}}
			creds, err := c.joinClient(t, tt.tok).AgentCredentials(context.Background(),
				node, "password-1", req)
			if err != nil {
				t.Fatalf("AgentCredentials: %v", err)
			}
			assertAgentCredentials(t, c.cas, node, creds)
		})
	}
}

// assertAgentCredentials checks identities, names and chains of node's certificates.
func assertAgentCredentials(t *testing.T, cas *pki.CASet, node string, creds *AgentCredentials) {
	t.Helper()
	if string(creds.ServerCA) != string(cas.ServerCA.CertPEM()) ||
		string(creds.ClientCA) != string(cas.ClientCA.CertPEM()) {
		t.Errorf("CA bundles are not the cluster's")
	}

	client := verifiedLeaf(t, "kubelet client", creds.KubeletClientCert, creds.KubeletClientKey,
		cas.ClientCA, x509.ExtKeyUsageClientAuth)
	if client.Subject.CommonName != "system:node:"+node ||
		!slices.Equal(client.Subject.Organization, []string{"system:nodes"}) {
		t.Errorf("kubelet client subject %v, want system:node:%s in system:nodes",
			client.Subject, node)
	}

	serving := verifiedLeaf(t, "kubelet serving", creds.KubeletServingCert,
		creds.KubeletServingKey, cas.ServerCA, x509.ExtKeyUsageServerAuth)
	if !slices.Equal(serving.DNSNames, []string{node, "machine1"}) {
		t.Errorf("kubelet serving DNS names %v, want [%s machine1]", serving.DNSNames, node)
	}
	wantIPs := []net.IP{net.ParseIP("10.0.0.5"), net.ParseIP("fd00::5")}
	if len(serving.IPAddresses) != len(wantIPs) {
		t.Fatalf("kubelet serving IPs %v, want %v", serving.IPAddresses, wantIPs)
	}
	for i, ip := range wantIPs {
		if !serving.IPAddresses[i].Equal(ip) {
			t.Errorf("kubelet serving IP %d is %v, want %v", i, serving.IPAddresses[i], ip)
		}
	}

	proxy := verifiedLeaf(t, "kube-proxy", creds.KubeProxyCert, creds.KubeProxyKey,
		cas.ClientCA, x509.ExtKeyUsageClientAuth)
	if proxy.Subject.CommonName != "system:kube-proxy" {
		t.Errorf("kube-proxy common name %q", proxy.Subject.CommonName)
	}
}

// verifiedLeaf checks that certPEM pairs with keyPEM and chains to ca for usage.
func verifiedLeaf(t *testing.T, what string, certPEM, keyPEM []byte, ca *pki.CA,
	usage x509.ExtKeyUsage) *x509.Certificate {
	t.Helper()
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatalf("%s: certificate and key do not pair: %v", what, err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Certificate())
	_, err = pair.Leaf.Verify(x509.VerifyOptions{
		Roots: roots, KeyUsages: []x509.ExtKeyUsage{usage},
	})
	if err != nil {
		t.Errorf("%s: does not verify against its CA: %v", what, err)
	}
	return pair.Leaf
}

func TestAgentRequestValidation(t *testing.T) {
	c := newTestCluster(t)
	tests := []struct {
		name, node, password string
		ips                  []string
	}{
		{"empty node name", "", "pw", nil},
		{"upper-case node name", "Worker1", "pw", nil},
		{"node name with underscore", "worker_1", "pw", nil},
		{"node name too long", strings.Repeat("a", maxNodeNameLength+1), "pw", nil},
		{"empty password", "worker1", "", nil},
		{"password too long", "worker1", strings.Repeat("p", 73), nil},
		{"bad IP", "worker1", "pw", []string{"10.0.0.300"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.joinClient(t, c.agentToken).AgentCredentials(context.Background(),
				tt.node, tt.password, AgentRequest{IPs: tt.ips})
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("got %v, want ErrBadRequest", err)
			}
			assertNoSecret(t, "error", err.Error(), c.agentToken.Secret(), tt.password)
		})
	}
}

func TestNodePasswordLifecycle(t *testing.T) {
	c := newTestCluster(t)
	ctx := t.Context()
	deleted := watchDeletions(t, c)
	jc := c.joinClient(t, c.agentToken)
	const node = "worker1"

	// First join binds the name and stores only a hash.
	if _, err := jc.AgentCredentials(ctx, node, "first-machine", AgentRequest{}); err != nil {
		t.Fatalf("first join: %v", err)
	}
	assertStoredHash(t, c, node, "first-machine")

	// The same machine joins again.
	if _, err := jc.AgentCredentials(ctx, node, "first-machine", AgentRequest{}); err != nil {
		t.Fatalf("second join with the same password: %v", err)
	}

	// Another machine under the same name is refused.
	_, err := jc.AgentCredentials(ctx, node, "second-machine", AgentRequest{})
	if !errors.Is(err, ErrNodePasswordRejected) {
		t.Fatalf("join with another password: %v, want ErrNodePasswordRejected", err)
	}
	if !strings.Contains(err.Error(), node) || !strings.Contains(err.Error(), "delete the Node") {
		t.Errorf("message %q does not name the node and the remedy", err)
	}
	assertNoSecret(t, "error", err.Error(), "first-machine", "second-machine",
		c.agentToken.Secret())

	// Deleting the Node frees the name.
	deleteNode(t, c, node, deleted)
	if _, err := jc.AgentCredentials(ctx, node, "second-machine", AgentRequest{}); err != nil {
		t.Fatalf("rejoin after the Node was deleted: %v", err)
	}
	assertStoredHash(t, c, node, "second-machine")
}

func TestNodePasswordForbiddenStatus(t *testing.T) {
	c := newTestCluster(t)
	headers := func(pw string) map[string]string {
		return map[string]string{NodeNameHeader: "worker1", NodePasswordHeader: pw}
	}
	secret := c.agentToken.Secret()

	resp, _ := c.rawRequest(t, http.MethodPost, AgentCredentialsPath, "node", secret,
		headers("first"), "{}")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first join: status %d", resp.StatusCode)
	}
	resp, body := c.rawRequest(t, http.MethodPost, AgentCredentialsPath, "node", secret,
		headers("second"), "{}")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("mismatching password: status %d, want 403", resp.StatusCode)
	}
	assertNoSecret(t, "body", body, "first", "second", secret)
}

// assertStoredHash checks that the node's Secret holds a bcrypt hash of password and
// not the password itself.
func assertStoredHash(t *testing.T, c *testCluster, node, password string) {
	t.Helper()
	secret, err := c.client.CoreV1().Secrets(PasswordNamespace).Get(t.Context(),
		node+".node-password.lightnode", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get node password secret: %v", err)
	}
	hash := secret.Data[PasswordHashKey]
	if err := bcrypt.CompareHashAndPassword(hash, []byte(password)); err != nil {
		t.Errorf("stored hash does not match the password: %v", err)
	}
	for k, v := range secret.Data {
		assertNoSecret(t, "secret key "+k, string(v), password)
	}
}

// watchDeletions runs WatchNodeDeletions against the cluster's fake API server until
// the test ends, and returns a channel that receives each node password deleted.
func watchDeletions(t *testing.T, c *testCluster) <-chan string {
	t.Helper()
	watching := make(chan struct{})
	c.client.PrependWatchReactor("nodes", func(k8stesting.Action) (bool, watch.Interface,
		error) {
		close(watching)
		return false, nil, nil
	})
	deleted := make(chan string, 8)
	store := notifyingStore{PasswordStore: NewSecretStore(c.client), deleted: deleted}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- WatchNodeDeletions(ctx, c.client, store) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("WatchNodeDeletions: %v", err)
		}
	})

	select {
	case <-watching:
	case <-time.After(eventWait):
		t.Fatalf("node watcher did not start watching")
	}
	return deleted
}

// deleteNode creates and deletes the Node named node, and waits until the watcher
// deleted its password.
func deleteNode(t *testing.T, c *testCluster, node string, deleted <-chan string) {
	t.Helper()
	nodes := c.client.CoreV1().Nodes()
	obj := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: node}}
	if _, err := nodes.Create(t.Context(), obj, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create node: %v", err)
	}
	if err := nodes.Delete(t.Context(), node, metav1.DeleteOptions{}); err != nil {
		t.Fatalf("delete node: %v", err)
	}
	select {
	case got := <-deleted:
		if got != node {
			t.Fatalf("watcher deleted the password of %q, want %q", got, node)
		}
	case <-time.After(eventWait):
		t.Fatalf("node password of %s not deleted after the Node was", node)
	}
	_, err := c.client.CoreV1().Secrets(PasswordNamespace).Get(t.Context(),
		PasswordSecretName(node), metav1.GetOptions{})
	if err == nil {
		t.Fatalf("node password secret still exists after the Node was deleted")
	}
}

// notifyingStore reports every successful Delete on a channel.
type notifyingStore struct {
	PasswordStore
	deleted chan<- string
}

func (s notifyingStore) Delete(ctx context.Context, node string) error {
	err := s.PasswordStore.Delete(ctx, node)
	if err == nil {
		s.deleted <- node
	}
	return err
}

func TestPasswordStoreFailureIsUnavailable(t *testing.T) {
	cas, err := pki.GenerateCASet(nil)
	if err != nil {
		t.Fatalf("generate CA set: %v", err)
	}
	agent := newToken(t, token.RoleAgent, cas)
	h, err := NewHandler(Options{
		CAs: cas, ServerToken: newToken(t, token.RoleServer, cas), AgentToken: agent,
		Passwords: failingStore{},
	})
	if err != nil {
		t.Fatalf("new handler: %v", err)
	}
	req := httptest.NewRequest(http.MethodPost, AgentCredentialsPath, strings.NewReader("{}"))
	req.SetBasicAuth("node", agent.Secret())
	req.Header.Set(NodeNameHeader, "worker1")
	req.Header.Set(NodePasswordHeader, "pw")
	rec := httptest.NewRecorder()

	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", rec.Code)
	}
	assertNoSecret(t, "body", rec.Body.String(), "pw", agent.Secret(), "apiserver down")
}

// failingStore is a PasswordStore whose API server is unreachable.
type failingStore struct{}

func (failingStore) Get(context.Context, string) ([]byte, error) {
	return nil, errors.New("apiserver down")
}
func (failingStore) Create(context.Context, string, []byte) error {
	return errors.New("apiserver down")
}
func (failingStore) Delete(context.Context, string) error { return errors.New("apiserver down") }
