package pki

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestGenerateCASetRoundTrip(t *testing.T) {
	set := mustCASet(t)
	files := set.Files()

	if got, want := slices.Sorted(maps.Keys(files)), slices.Sorted(slices.Values(
		CASetFileNames())); !slices.Equal(got, want) {
		t.Fatalf("Files() keys = %v, want %v", got, want)
	}
	loaded, err := CASetFromFiles(files)
	if err != nil {
		t.Fatalf("CASetFromFiles(Files()): %v", err)
	}
	assertSameFiles(t, files, loaded.Files())
}

func TestGenerateCASetDistinctCAs(t *testing.T) {
	set := mustCASet(t)
	cas := []*CA{set.ServerCA, set.ClientCA, set.RequestHeaderCA, set.EtcdServerCA,
		set.EtcdPeerCA}
	seen := make(map[string]bool)
	for _, ca := range cas {
		cn := ca.Certificate().Subject.CommonName
		if seen[cn] {
			t.Errorf("common name %q used by two CAs", cn)
		}
		seen[cn] = true
	}
}

func TestCASetFromFilesErrors(t *testing.T) {
	set := mustCASet(t)
	leafPEM, _, err := IssueLeaf(set.ServerCA, LeafSpec{CommonName: "leaf", Server: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	otherSA, err := NewServiceAccountKey()
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		mutate  func(files map[string][]byte)
		wantErr error
		wantMsg string
	}{
		{
			name:    "missing key",
			mutate:  func(f map[string][]byte) { delete(f, ServerCAKeyFile) },
			wantErr: ErrMissing,
			wantMsg: "server-ca.key: missing",
		},
		{
			name:    "leaf in place of a CA",
			mutate:  func(f map[string][]byte) { f[ClientCACertFile] = leafPEM },
			wantErr: ErrNotCA,
			wantMsg: "client-ca.crt: not a CA certificate",
		},
		{
			name: "key of another CA",
			mutate: func(f map[string][]byte) {
				f[EtcdPeerCAKeyFile] = f[EtcdServerCAKeyFile]
			},
			wantErr: ErrKeyMismatch,
			wantMsg: "etcd/peer-ca.key: key does not match",
		},
		{
			name:    "garbage certificate",
			mutate:  func(f map[string][]byte) { f[RequestHeaderCACertFile] = []byte("junk") },
			wantMsg: "request-header-ca.crt: no PEM certificate found",
		},
		{
			name: "public key of another service-account key",
			mutate: func(f map[string][]byte) {
				f[ServiceAccountPublicKeyFile] = otherSA.PublicKeyPEM()
			},
			wantErr: ErrKeyMismatch,
			wantMsg: "service.pub: key does not match",
		},
		{
			name:    "missing public key",
			mutate:  func(f map[string][]byte) { delete(f, ServiceAccountPublicKeyFile) },
			wantErr: ErrMissing,
			wantMsg: "service.pub: missing",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := set.Files()
			tt.mutate(files)

			_, err := CASetFromFiles(files)
			if err == nil {
				t.Fatal("CASetFromFiles succeeded")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestCASetFromFilesReportsEveryMissingFile(t *testing.T) {
	_, err := CASetFromFiles(nil)
	if !errors.Is(err, ErrMissing) {
		t.Fatalf("error = %v, want ErrMissing", err)
	}
	for _, name := range CASetFileNames() {
		if !strings.Contains(err.Error(), name+": missing") {
			t.Errorf("error does not name %s", name)
		}
	}
}

func TestCASetErrorsHoldNoKeyMaterial(t *testing.T) {
	set := mustCASet(t)
	files := set.Files()
	files[ServerCACertFile] = files[ServerCAKeyFile]

	_, err := CASetFromFiles(files)
	if err == nil {
		t.Fatal("CASetFromFiles accepted a key as certificate")
	}
	if strings.Contains(err.Error(), "BEGIN") || strings.Contains(err.Error(),
		string(set.ServerCA.KeyPEM()[30:60])) {
		t.Errorf("error %q holds PEM data", err)
	}
}

func TestSecretData(t *testing.T) {
	set := mustCASet(t)
	data := set.SecretData()

	for key := range data {
		if strings.Contains(key, "/") {
			t.Errorf("Secret key %q holds a slash", key)
		}
	}
	loaded, err := CASetFromSecretData(data)
	if err != nil {
		t.Fatalf("CASetFromSecretData(SecretData()): %v", err)
	}
	assertSameFiles(t, set.Files(), loaded.Files())

	delete(data, "etcd-server-ca.key")
	_, err = CASetFromSecretData(data)
	if err == nil || !strings.Contains(err.Error(), "etcd-server-ca.key: missing") {
		t.Errorf("error = %v, want it to name Secret key etcd-server-ca.key", err)
	}
}

func TestSecretKeyMapping(t *testing.T) {
	tests := []struct {
		path string
		key  string
	}{
		{path: "etcd/server-ca.crt", key: "etcd-server-ca.crt"},
		{path: "etcd/peer-ca.key", key: "etcd-peer-ca.key"},
		{path: "request-header-ca.crt", key: "request-header-ca.crt"},
		{path: "service.pub", key: "service.pub"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := SecretKey(tt.path); got != tt.key {
				t.Errorf("SecretKey(%q) = %q, want %q", tt.path, got, tt.key)
			}
			got, ok := PathFromSecretKey(tt.key)
			if !ok || got != tt.path {
				t.Errorf("PathFromSecretKey(%q) = %q, %v, want %q", tt.key, got, ok, tt.path)
			}
		})
	}
	if _, ok := PathFromSecretKey("value"); ok {
		t.Error("PathFromSecretKey accepted a key that names no file")
	}
}
