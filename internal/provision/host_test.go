package provision

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
)

func secret(namespace, name string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func TestLoadCredentials(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(
		secret("team-a", "ssh", map[string]string{"ssh-privatekey": "KEY", "pass": "PHRASE"}),
		secret("team-a", "sudo", map[string]string{"password": "SUDO"}),
		secret("team-b", "only-elsewhere", map[string]string{"ssh-privatekey": "OTHER"}),
	).Build()

	node := func(keySecret, passKey string, sudo *lcv1.SudoSpec) *lcv1.LightNode {
		n := &lcv1.LightNode{}
		n.Namespace, n.Name = "team-a", "n1"
		n.Spec.SSH.PrivateKeySecretRef = lcv1.SSHKeySecretRef{Name: keySecret,
			PassphraseKey: passKey}
		n.Spec.SSH.Sudo = sudo
		return n
	}
	sudoRef := &lcv1.SudoSpec{PasswordSecretRef: &lcv1.SecretKeyRef{Name: "sudo", Key: "password"}}

	tests := []struct {
		name    string
		node    *lcv1.LightNode
		want    Credentials
		wantErr error
		// wantInMessage is text the error must contain.
		wantInMessage string
	}{
		{name: "key only", node: node("ssh", "", nil),
			want: Credentials{PrivateKey: []byte("KEY")}},
		{name: "key, passphrase and sudo password", node: node("ssh", "pass", sudoRef),
			want: Credentials{PrivateKey: []byte("KEY"), Passphrase: []byte("PHRASE"),
				SudoPassword: []byte("SUDO")}},
		{name: "secret in another namespace is not found",
			node: node("only-elsewhere", "", nil), wantErr: ErrSecretNotFound},
		{name: "missing passphrase key", node: node("ssh", "nope", nil),
			wantErr: ErrSecretNotFound, wantInMessage: `key "nope" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadCredentials(context.Background(), c, tt.node)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("LoadCredentials() error = %v, want %v", err, tt.wantErr)
				}
				if tt.wantInMessage != "" && !strings.Contains(err.Error(), tt.wantInMessage) {
					t.Errorf("error %q does not say %q", err, tt.wantInMessage)
				}
				for _, v := range []string{"KEY", "PHRASE", "SUDO", "OTHER"} {
					if strings.Contains(err.Error(), v) {
						t.Errorf("error %q contains a secret value", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadCredentials() error = %v", err)
			}
			if string(got.PrivateKey) != string(tt.want.PrivateKey) ||
				string(got.Passphrase) != string(tt.want.Passphrase) ||
				string(got.SudoPassword) != string(tt.want.SudoPassword) {
				t.Errorf("LoadCredentials() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestNewHostHostKeyPolicy(t *testing.T) {
	tests := []struct {
		name             string
		pinned, recorded string
		retrust          bool
		wantPinned       string
		wantKnown        string
	}{
		{name: "recorded key enforced", recorded: "ssh-ed25519 AAAA", wantKnown: "ssh-ed25519 AAAA"},
		{name: "retrust drops the recorded key", recorded: "ssh-ed25519 AAAA", retrust: true},
		{name: "retrust keeps the pinned key", pinned: "ssh-ed25519 BBBB",
			recorded: "ssh-ed25519 AAAA", retrust: true, wantPinned: "ssh-ed25519 BBBB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := &lcv1.LightNode{}
			n.Spec.SSH.HostKey = tt.pinned
			n.Status.HostKey = tt.recorded
			h := NewHost(n, Credentials{}, tt.retrust)
			if h.SSH.HostKey != tt.wantPinned || h.SSH.KnownHostKey != tt.wantKnown {
				t.Errorf("NewHost() keys = %q, %q, want %q, %q",
					h.SSH.HostKey, h.SSH.KnownHostKey, tt.wantPinned, tt.wantKnown)
			}
			if h.DataDir != DefaultDataDir || h.InstallDir != DefaultInstallDir {
				t.Errorf("NewHost() dirs = %q, %q, want defaults", h.DataDir, h.InstallDir)
			}
		})
	}
}
