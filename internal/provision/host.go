package provision

import (
	"context"
	"errors"
	"fmt"
	"path"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lcv1 "github.com/lightcluster/lightcluster/api/v1alpha1"
	"github.com/lightcluster/lightcluster/internal/ssh"
)

// Paths on the machine that the contract with lightnode fixes.
const (
	// DefaultConfigFile is where lightnode reads its configuration.
	DefaultConfigFile = "/etc/lightnode/config.yaml"
	// DefaultDataDir is lightnode's state directory when the LightNode sets none.
	DefaultDataDir = "/var/lib/lightnode"
	// DefaultInstallDir receives the binary when the LightNode sets no directory.
	DefaultInstallDir = "/usr/local/bin"
	// DefaultPrivateKeyKey is the Secret key of the SSH private key by default.
	DefaultPrivateKeyKey = "ssh-privatekey"
	// BinaryName is the file name of the installed binary.
	BinaryName = "lightnode"
)

// ErrSecretNotFound means a Secret that the LightNode references, or a key in it,
// does not exist. Retrying succeeds once the Secret is created.
var ErrSecretNotFound = errors.New("not found")

// Credentials are the secret parts of a login. They never appear in errors.
type Credentials struct {
	// PrivateKey is the PEM or OpenSSH private key.
	PrivateKey []byte
	// Passphrase decrypts PrivateKey when it is protected.
	Passphrase []byte
	// SudoPassword is given to sudo on standard input.
	SudoPassword []byte
}

// Host is one machine to provision.
type Host struct {
	// Name identifies the machine in errors, normally namespace/name of its LightNode.
	Name string
	// Role is server or agent.
	Role lcv1.NodeRole
	// SSH is how to log in; HostKey and KnownHostKey carry the host key policy.
	SSH ssh.Config
	// Sudo runs privileged steps through sudo, for a login user other than root.
	Sudo bool
	// DataDir is lightnode's state directory.
	DataDir string
	// InstallDir receives the lightnode binary.
	InstallDir string
	// ConfigFile is the path of lightnode's configuration file.
	ConfigFile string
}

// NewHost builds the Host of node with creds. The host key policy is the pinned
// spec.ssh.hostKey, else the recorded status.hostKey; retrust drops the recorded
// key so that the key presented next is accepted and can be recorded again. A
// pinned key is never dropped: it changes only with the spec.
func NewHost(node *lcv1.LightNode, creds Credentials, retrust bool) Host {
	h := Host{
		Name:       node.Namespace + "/" + node.Name,
		Role:       node.Spec.Role,
		Sudo:       node.Spec.SSH.Sudo != nil,
		DataDir:    orDefault(node.Spec.DataDir, DefaultDataDir),
		InstallDir: orDefault(node.Spec.InstallDir, DefaultInstallDir),
		ConfigFile: DefaultConfigFile,
		SSH: ssh.Config{
			Address:      string(node.Spec.SSH.Address),
			Port:         int(node.Spec.SSH.Port),
			User:         node.Spec.SSH.User,
			PrivateKey:   creds.PrivateKey,
			Passphrase:   creds.Passphrase,
			SudoPassword: creds.SudoPassword,
			HostKey:      node.Spec.SSH.HostKey,
		},
	}
	if !retrust {
		h.SSH.KnownHostKey = node.Status.HostKey
	}
	h.SSH.SetDefaults()
	return h
}

// BinaryPath returns where the lightnode binary is installed.
func (h Host) BinaryPath() string {
	return path.Join(h.InstallDir, BinaryName)
}

// TLSDir returns the directory of the server's CA set.
func (h Host) TLSDir() string {
	return path.Join(h.DataDir, "server", "tls")
}

// ServiceName returns the name of lightnode's service for the host's role.
func (h Host) ServiceName() string {
	return "lightnode-" + string(h.Role)
}

// LoadCredentials reads the private key, passphrase and sudo password that node
// references, from Secrets in the node's own namespace only. A missing Secret or
// key wraps ErrSecretNotFound and names the Secret and key, never a value.
func LoadCredentials(ctx context.Context, r client.Reader, node *lcv1.LightNode) (
	Credentials, error,
) {
	ref := node.Spec.SSH.PrivateKeySecretRef
	var creds Credentials
	var err error
	keyName := orDefault(ref.Key, DefaultPrivateKeyKey)
	if creds.PrivateKey, err = secretValue(ctx, r, node.Namespace, ref.Name, keyName); err != nil {
		return Credentials{}, err
	}
	if ref.PassphraseKey != "" {
		creds.Passphrase, err = secretValue(ctx, r, node.Namespace, ref.Name, ref.PassphraseKey)
		if err != nil {
			return Credentials{}, err
		}
	}
	if sudo := node.Spec.SSH.Sudo; sudo != nil && sudo.PasswordSecretRef != nil {
		p := sudo.PasswordSecretRef
		if creds.SudoPassword, err = secretValue(ctx, r, node.Namespace, p.Name, p.Key); err != nil {
			return Credentials{}, err
		}
	}
	return creds, nil
}

// secretValue returns one key of the Secret namespace/name.
func secretValue(ctx context.Context, r client.Reader, namespace, name, key string) (
	[]byte, error,
) {
	var secret corev1.Secret
	err := r.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, &secret)
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("read Secret %s/%s: %w", namespace, name, ErrSecretNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read Secret %s/%s: %w", namespace, name, err)
	}
	value, ok := secret.Data[key]
	if !ok || len(value) == 0 {
		return nil, fmt.Errorf("read Secret %s/%s: key %q %w",
			namespace, name, key, ErrSecretNotFound)
	}
	return value, nil
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
