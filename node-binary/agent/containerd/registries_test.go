package containerd

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadRegistries(t *testing.T) {
	dir := t.TempDir()
	pki := newTestPKI(t, dir)
	tests := []struct {
		name, content string
		want          Registries
		wantErr       []string // substrings of the error, besides the file's path
		secrets       []string // what the error must not contain
	}{
		{name: "missing file"},
		{name: "empty file", content: "\n"},
		{name: "mirrors", content: "mirrors:\n  docker.io:\n    endpoint: [\"https://m\"]\n",
			want: Registries{Mirrors: map[string]Mirror{"docker.io": {Endpoint: []string{"https://m"}}}}},
		{name: "mirrors and configs", content: `mirrors:
  docker.io:
    endpoint: ["https://mirror.local:5000"]
configs:
  mirror.local:5000:
    auth: {username: puller, password: s3cret}
    tls:
      ca_file: ` + pki.caFile + `
      cert_file: ` + pki.certFile + `
      key_file: ` + pki.keyFile + `
  ghcr.io:
    auth: {identity_token: tok}
  quay.io:
    auth: {auth: dTpw}
    tls: {insecure_skip_verify: true}
`, want: Registries{
			Mirrors: map[string]Mirror{"docker.io": {Endpoint: []string{"https://mirror.local:5000"}}},
			Configs: map[string]RegistryConfig{
				"mirror.local:5000": {Auth: &AuthConfig{Username: "puller", Password: "s3cret"},
					TLS: &TLSConfig{CAFile: pki.caFile, CertFile: pki.certFile, KeyFile: pki.keyFile}},
				"ghcr.io": {Auth: &AuthConfig{IdentityToken: "tok"}},
				"quay.io": {Auth: &AuthConfig{Auth: "dTpw"}, TLS: &TLSConfig{InsecureSkipVerify: true}},
			}}},
		{name: "not yaml", content: "mirrors: [", wantErr: []string{"parse"}},
		{name: "unknown top-level key", content: "mirror:\n  docker.io: {}\n",
			wantErr: []string{"unknown key mirror"}},
		{name: "unknown key of a mirror", content: "mirrors:\n  docker.io:\n    rewrite: {}\n",
			wantErr: []string{`unknown key mirrors["docker.io"].rewrite`}},
		{name: "key in the wrong case", content: "mirrors:\n  docker.io:\n    Endpoint: [m]\n",
			wantErr: []string{`unknown key mirrors["docker.io"].Endpoint`}},
		{name: "unknown TLS key", content: "configs:\n  r.local:\n    tls: {ca: /x}\n",
			wantErr: []string{`unknown key configs["r.local"].tls.ca`}},
		{name: "duplicate key", content: "mirrors: {}\nmirrors: {}\n", wantErr: []string{"mirrors"}},
		{name: "wrong type", content: "mirrors:\n  docker.io:\n    endpoint: 5\n",
			wantErr: []string{"parse"}},
		{name: "cert_file without key_file",
			content: "configs:\n  r.local:\n    tls: {cert_file: " + pki.certFile + "}\n",
			wantErr: []string{`configs["r.local"].tls.key_file: required with cert_file`}},
		{name: "key_file without cert_file",
			content: "configs:\n  r.local:\n    tls: {key_file: " + pki.keyFile + "}\n",
			wantErr: []string{`configs["r.local"].tls.cert_file: required with key_file`}},
		{name: "missing CA file",
			content: "configs:\n  r.local:\n    tls: {ca_file: /nonexistent/ca.pem}\n",
			wantErr: []string{`configs["r.local"].tls.ca_file`, "/nonexistent/ca.pem"}},
		{name: "relative CA file", content: "configs:\n  r.local:\n    tls: {ca_file: ca.pem}\n",
			wantErr: []string{`configs["r.local"].tls.ca_file: ca.pem: not an absolute path`}},
		{name: "CA file without a certificate",
			content: "configs:\n  r.local:\n    tls: {ca_file: " + pki.keyFile + "}\n",
			wantErr: []string{`configs["r.local"].tls.ca_file`, "no PEM certificate"}},
		{name: "key of another certificate", content: "configs:\n  r.local:\n    tls: {cert_file: " +
			pki.certFile + ", key_file: " + writeOtherKey(t, dir) + "}\n",
			wantErr: []string{`configs["r.local"].tls: cert_file and key_file`}},
		{name: "auth not base64", content: "configs:\n  r.local:\n    auth: {auth: \"s3cret!!\"}\n",
			wantErr: []string{`configs["r.local"].auth.auth: not valid base64`},
			secrets: []string{"s3cret"}},
		{name: "auth without colon", content: "configs:\n  r.local:\n    auth: {auth: czNjcmV0}\n",
			wantErr: []string{`configs["r.local"].auth.auth: not the base64 of username:password`},
			secrets: []string{"czNjcmV0", "s3cret"}},
		{name: "password without username",
			content: "configs:\n  r.local:\n    auth: {password: s3cret}\n",
			wantErr: []string{`configs["r.local"].auth.password: set without username`},
			secrets: []string{"s3cret"}},
		{name: "two kinds of credentials",
			content: "configs:\n  r.local:\n    auth: {username: u, identity_token: s3cret}\n",
			wantErr: []string{`configs["r.local"].auth: set only one of`}, secrets: []string{"s3cret"}},
		{name: "no credentials", content: "configs:\n  r.local:\n    auth: {}\n",
			wantErr: []string{`configs["r.local"].auth: no credentials`}},
		{name: "config key with a scheme", content: "configs:\n  https://r.local:\n    tls: {}\n",
			wantErr: []string{`configs["https://r.local"]: not a host name`}},
		{name: "wildcard config", content: "configs:\n  \"*\":\n    tls: {}\n",
			wantErr: []string{`configs["*"]: name the host`}},
		{name: "mirror name with a path", content: "mirrors:\n  ../etc: {}\n",
			wantErr: []string{`mirrors["../etc"]: not a registry host name`}},
		{name: "mirror named like the default directory", content: "mirrors:\n  _default: {}\n",
			wantErr: []string{`mirrors["_default"]: write "*"`}},
		{name: "endpoint with a password",
			content: "mirrors:\n  docker.io:\n    endpoint: [\"https://u:s3cret@m.local\"]\n",
			wantErr: []string{`mirrors["docker.io"].endpoint[0]: credentials in the URL`,
				`configs["m.local"].auth`}, secrets: []string{"s3cret"}},
		{name: "endpoint scheme", content: "mirrors:\n  docker.io:\n    endpoint: [\"ftp://m\"]\n",
			wantErr: []string{`mirrors["docker.io"].endpoint[0]: scheme "ftp"`}},
		{name: "every problem reported", content: "mirrors:\n  docker.io:\n" +
			"    endpoint: [\"ftp://m\"]\nconfigs:\n  r.local:\n    auth: {}\n",
			wantErr: []string{`endpoint[0]: scheme`, `configs["r.local"].auth: no credentials`}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("registries-%d.yaml", i))
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r, err := LoadRegistries(path)
			if (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("LoadRegistries() error = %v, want one: %v", err, tt.wantErr != nil)
			}
			if err != nil {
				for _, w := range append(tt.wantErr, path) {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				for _, s := range tt.secrets {
					if strings.Contains(err.Error(), s) {
						t.Errorf("error %q reveals %q", err, s)
					}
				}
				return
			}
			if !reflect.DeepEqual(r, tt.want) {
				t.Errorf("LoadRegistries() = %#v, want %#v", r, tt.want)
			}
		})
	}
}

// writeOtherKey writes a private key that belongs to no certificate of testPKI.
func writeOtherKey(t *testing.T, dir string) string {
	t.Helper()
	other := newTestPKI(t, t.TempDir())
	data, err := os.ReadFile(other.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "other-key.pem")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRegistriesAuths(t *testing.T) {
	hub := &AuthConfig{Username: "hub", Password: "p"}
	own := &AuthConfig{Username: "own", Password: "p"}
	tests := []struct {
		name    string
		configs map[string]RegistryConfig
		want    map[string]AuthConfig
	}{
		{name: "none", want: map[string]AuthConfig{}},
		{name: "TLS only", configs: map[string]RegistryConfig{"r": {TLS: &TLSConfig{}}},
			want: map[string]AuthConfig{}},
		{name: "docker.io also for its server", configs: map[string]RegistryConfig{
			"docker.io": {Auth: hub}, "m:5000": {Auth: own}},
			want: map[string]AuthConfig{"docker.io": *hub, dockerHubHost: *hub, "m:5000": *own}},
		{name: "the server's own entry wins", configs: map[string]RegistryConfig{
			"docker.io": {Auth: hub}, dockerHubHost: {Auth: own}},
			want: map[string]AuthConfig{"docker.io": *hub, dockerHubHost: *own}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Registries{Configs: tt.configs}.Auths()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Auths() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUnusedConfigs(t *testing.T) {
	r := Registries{
		Mirrors: map[string]Mirror{
			"docker.io":     {Endpoint: []string{"mirror.local:5000", "https://other.local/v2"}},
			"r.example.com": {},
		},
		Configs: map[string]RegistryConfig{
			"mirror.local:5000": {}, "other.local": {}, dockerHubHost: {}, "r.example.com": {},
			"docker.io": {}, "quay.io": {}, "mirror.local": {},
		},
	}
	got := strings.Join(r.UnusedConfigs(), ",")
	if want := "mirror.local,quay.io"; got != want {
		t.Errorf("UnusedConfigs() = %s, want %s", got, want)
	}
}

func TestAuthConfigHidesSecrets(t *testing.T) {
	a := AuthConfig{Username: "puller", Password: "pw-s3cret", Auth: "auth-s3cret",
		IdentityToken: "token-s3cret"}
	regs := Registries{Configs: map[string]RegistryConfig{"r": {Auth: &a}}}

	var logged bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&logged, nil),
		slog.NewTextHandler(&logged, nil)} {
		slog.New(h).Info("Loaded", "auth", a, "authPointer", &a, "regs", regs)
	}
	printed := fmt.Sprintf("%v %+v %#v %s %v %+v %#v", a, a, a, &a, regs, regs, regs) +
		logged.String()

	if strings.Contains(printed, "s3cret") {
		t.Errorf("printed credentials reveal a secret: %s", printed)
	}
	if !strings.Contains(printed, "puller") || !strings.Contains(printed, redacted) {
		t.Errorf("printed credentials lack the user name or the redaction mark: %s", printed)
	}
}
