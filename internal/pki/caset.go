package pki

import (
	"errors"
	"fmt"
)

// CASet holds the certificate authorities and the service-account key of one cluster.
type CASet struct {
	// ServerCA signs the serving certificates of the API server and kubelets.
	ServerCA *CA
	// ClientCA signs the client certificates of users, nodes and components.
	ClientCA *CA
	// RequestHeaderCA signs the front-proxy client certificate of the aggregation layer.
	RequestHeaderCA *CA
	// EtcdServerCA signs etcd serving certificates and the API server's etcd client
	// certificate.
	EtcdServerCA *CA
	// EtcdPeerCA signs the certificates etcd members present to each other.
	EtcdPeerCA *CA
	// ServiceAccount signs and verifies service-account tokens.
	ServiceAccount *ServiceAccountKey
}

// GenerateCASet generates every CA of a cluster and a service-account key, with validity
// taken from clock.
func GenerateCASet(clock Clock) (*CASet, error) {
	set, _, err := buildCASet(source{name: identity}, true, clock)
	return set, err
}

// CASetFromFiles loads a CA set from file contents keyed by path, as returned by Files. It
// checks that every file is present, that each certificate is a CA and that each key
// matches its certificate; the error names every file that fails.
func CASetFromFiles(files map[string][]byte) (*CASet, error) {
	set, _, err := buildCASet(source{files: files, name: identity}, false, nil)
	return set, err
}

// CASetFromSecretData loads a CA set from the data of a Kubernetes Secret as returned by
// SecretData. Errors name the Secret keys. Keys that name no file of the set are ignored.
func CASetFromSecretData(data map[string][]byte) (*CASet, error) {
	files := make(map[string][]byte, len(data))
	for key, value := range data {
		if path, ok := PathFromSecretKey(key); ok {
			files[path] = value
		}
	}
	set, _, err := buildCASet(source{files: files, name: SecretKey}, false, nil)
	return set, err
}

// Files returns the contents of the set keyed by path relative to <data-dir>/server/tls.
func (s *CASet) Files() map[string][]byte {
	files := make(map[string][]byte, 2*len(caFiles)+2)
	for _, f := range caFiles {
		if ca := *f.field(s); ca != nil {
			files[f.cert] = ca.CertPEM()
			files[f.key] = ca.KeyPEM()
		}
	}
	if s.ServiceAccount != nil {
		files[ServiceAccountKeyFile] = s.ServiceAccount.PrivateKeyPEM()
		files[ServiceAccountPublicKeyFile] = s.ServiceAccount.PublicKeyPEM()
	}
	return files
}

// SecretData returns the contents of the set keyed by SecretKey, ready for the data of a
// Kubernetes Secret.
func (s *CASet) SecretData() map[string][]byte {
	data := make(map[string][]byte)
	for path, value := range s.Files() {
		data[SecretKey(path)] = value
	}
	return data
}

// source is a set of file contents and the way its files are named in errors.
type source struct {
	files map[string][]byte
	name  func(path string) string
}

// identity names a file by its path.
func identity(path string) string {
	return path
}

// fail wraps err with the name of the file it concerns.
func (s source) fail(path string, err error) error {
	return fmt.Errorf("%s: %w", s.name(path), err)
}

// buildCASet loads every CA and the service-account key from src. When generate is set,
// a CA or key whose files are all absent is generated and its paths are returned; when it
// is not, absent files are errors. A partial pair is always an error.
func buildCASet(src source, generate bool, clock Clock) (*CASet, []string, error) {
	set := &CASet{}
	var created []string
	var errs []error
	for _, f := range caFiles {
		ca, paths, err := src.ensureCA(f, generate, clock)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		*f.field(set) = ca
		created = append(created, paths...)
	}

	sa, paths, err := src.ensureServiceAccount(generate)
	if err != nil {
		errs = append(errs, err)
	}
	set.ServiceAccount = sa
	created = append(created, paths...)

	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	return set, created, nil
}

// ensureCA loads the CA of f, or generates it when both of its files are absent and
// generate is set. It returns the paths it generated.
func (s source) ensureCA(f caFile, generate bool, clock Clock) (*CA, []string, error) {
	certPEM, hasCert := s.files[f.cert]
	keyPEM, hasKey := s.files[f.key]
	switch {
	case !hasCert && !hasKey && generate:
		ca, err := NewCA(fmt.Sprintf("%s@%d", f.name, clock.Now().Unix()), clock)
		return ca, []string{f.key, f.cert}, err
	case !hasCert && !hasKey:
		return nil, nil, errors.Join(s.fail(f.cert, ErrMissing), s.fail(f.key, ErrMissing))
	case !hasCert:
		return nil, nil, s.fail(f.cert, ErrMissing)
	case !hasKey:
		return nil, nil, s.fail(f.key, ErrMissing)
	}

	cert, err := parseCACert(certPEM)
	if err != nil {
		return nil, nil, s.fail(f.cert, err)
	}
	key, err := parseKeyFor(cert, keyPEM)
	if err != nil {
		return nil, nil, s.fail(f.key, err)
	}
	return newParsedCA(cert, key, certPEM, keyPEM), nil, nil
}

// ensureServiceAccount loads the service-account key pair, or generates it when both of
// its files are absent and generate is set. A missing public key is derived from the
// private key when generate is set. It returns the paths it generated.
func (s source) ensureServiceAccount(generate bool) (*ServiceAccountKey, []string, error) {
	keyPEM, hasKey := s.files[ServiceAccountKeyFile]
	pubPEM, hasPub := s.files[ServiceAccountPublicKeyFile]
	switch {
	case !hasKey && !hasPub && generate:
		sa, err := NewServiceAccountKey()
		return sa, []string{ServiceAccountKeyFile, ServiceAccountPublicKeyFile}, err
	case !hasKey:
		err := s.fail(ServiceAccountKeyFile, ErrMissing)
		if !hasPub {
			err = errors.Join(err, s.fail(ServiceAccountPublicKeyFile, ErrMissing))
		}
		return nil, nil, err
	case !hasPub && !generate:
		return nil, nil, s.fail(ServiceAccountPublicKeyFile, ErrMissing)
	}

	sa, err := parseServiceAccountKey(keyPEM)
	if err != nil {
		return nil, nil, s.fail(ServiceAccountKeyFile, err)
	}
	if !hasPub {
		return sa, []string{ServiceAccountPublicKeyFile}, nil
	}
	if err := sa.usePublicKey(pubPEM); err != nil {
		return nil, nil, s.fail(ServiceAccountPublicKeyFile, err)
	}
	return sa, nil, nil
}
