package containerd

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	srvconfig "github.com/containerd/containerd/v2/cmd/containerd/server/config"
	"github.com/containerd/containerd/v2/core/remotes/docker"
	dockerconfig "github.com/containerd/containerd/v2/core/remotes/docker/config"
	"github.com/containerd/plugin"
	"github.com/containerd/plugin/registry"
	"github.com/pelletier/go-toml/v2"
)

// imagesPlugin is the CRI plugin whose registry section holds pull credentials.
const imagesPlugin = "io.containerd.cri.v1.images"

// blockedHost is how resolveHosts shows the unreachable registry.
const blockedHost = unreachableRegistry + "/v2 pull,resolve,push"

// TestContainerdReadsRegistries hands what lightnode renders for a registries.yaml
// to containerd's own code: its configuration loader and the CRI images plugin's
// configuration type read the credentials, and its hosts.toml resolver reaches a
// mirror (a loopback TLS server that wants a client certificate and a password)
// with them. Registries without a mirror still resolve to the unreachable address.
func TestContainerdReadsRegistries(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	pki := newTestPKI(t, dir)
	mirror := newAuthMirror(t, pki, "puller", `pa"ss:w\ord`)

	// registries.yaml: every registry through the mirror, which has credentials and TLS.
	regsFile := filepath.Join(dir, "registries.yaml")
	writeTestFile(t, regsFile, fmt.Sprintf(`mirrors:
  "*":
    endpoint: [%q]
  docker.io:
    endpoint: [%q]
configs:
  %q:
    auth: {username: puller, password: %q}
    tls: {ca_file: %s, cert_file: %s, key_file: %s}
  ghcr.io:
    auth: {identity_token: tok}
`, mirror.URL, mirror.URL, mirror.Listener.Addr().String(), `pa"ss:w\ord`,
		pki.caFile, pki.certFile, pki.keyFile))
	regs, err := LoadRegistries(regsFile)
	if err != nil {
		t.Fatal(err)
	}
	hostsDir := filepath.Join(dir, "certs.d")
	if err := WriteHosts(hostsDir, regs); err != nil {
		t.Fatal(err)
	}
	images := loadImagesConfig(t, renderTestConfig(t, dir, hostsDir, regs.Auths()))

	// The images plugin's configuration points at the hosts directory and holds the
	// credentials of the mirror's host.
	if got := images.Registry.ConfigPath; got != hostsDir {
		t.Fatalf("registry.config_path = %q, want %q", got, hostsDir)
	}
	mirrorHost := mirror.Listener.Addr().String()
	wantAuth := map[string]string{"username": "puller", "password": `pa"ss:w\ord`}
	gotAuth := make(map[string]string)
	for k, v := range images.Registry.Configs[mirrorHost].Auth {
		if v != "" {
			gotAuth[k] = v
		}
	}
	if !reflect.DeepEqual(gotAuth, wantAuth) {
		t.Fatalf("registry.configs[%s].auth sets %v, want the rendered username and password",
			mirrorHost, slices.Sorted(maps.Keys(gotAuth)))
	}
	if got := images.Registry.Configs["ghcr.io"].Auth["identitytoken"]; got != "tok" {
		t.Errorf("registry.configs[ghcr.io].auth.identitytoken = %q, want tok", got)
	}

	// containerd's resolver, given those credentials the way the CRI plugin gives
	// them (by the host a request goes to), reaches the mirror.
	hosts := dockerconfig.ConfigureHosts(ctx, dockerconfig.HostOptions{
		HostDir: dockerconfig.HostDirFromRoot(images.Registry.ConfigPath),
		Credentials: func(host string) (string, string, error) {
			a := images.Registry.Configs[host].Auth
			return a["username"], a["password"], nil
		},
	})
	viaMirror := "https://" + mirrorHost + "/v2 pull,resolve"
	for registry, fallback := range map[string]string{
		"example.invalid": blockedHost, "quay.io:5000": blockedHost,
		"docker.io": "https://" + dockerHubHost + "/v2 pull,resolve,push",
	} {
		got := resolveHosts(t, hosts, registry)
		if want := []string{viaMirror, fallback}; !reflect.DeepEqual(got, want) {
			t.Errorf("hosts of %s = %v, want %v", registry, got, want)
		}
	}
	registryHosts, err := hosts("example.invalid")
	if err != nil {
		t.Fatal(err)
	}
	pingWithAuth(ctx, t, registryHosts[0])

	// Without a mirror entry, containerd's resolver has nowhere to go but the
	// unreachable address.
	blocked := filepath.Join(dir, "blocked.d")
	if err := WriteHosts(blocked, Registries{Configs: regs.Configs}); err != nil {
		t.Fatal(err)
	}
	hosts = dockerconfig.ConfigureHosts(ctx, dockerconfig.HostOptions{
		HostDir: dockerconfig.HostDirFromRoot(blocked),
	})
	for _, registry := range []string{"docker.io", "ghcr.io", mirrorHost} {
		got := resolveHosts(t, hosts, registry)
		if want := []string{blockedHost}; !reflect.DeepEqual(got, want) {
			t.Errorf("hosts of %s without mirrors = %v, want %v", registry, got, want)
		}
	}
}

// newAuthMirror starts a loopback registry that serves only /v2/: it wants a client
// certificate of pki, and answers 401 with a Basic challenge until the request
// carries user and password.
func newAuthMirror(t *testing.T, pki testPKI, user, password string) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		if r.URL.Path != "/v2/" {
			http.NotFound(w, r)
			return
		}
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="mirror"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
		fmt.Fprint(w, "{}")
	}))
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{pki.server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pki.ca,
		MinVersion:   tls.VersionTLS12,
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// renderTestConfig renders containerd's configuration with auth and writes it into
// dir, readable by its owner only as the agent writes it.
func renderTestConfig(t *testing.T, dir, hostsDir string, auth map[string]AuthConfig) string {
	t.Helper()
	data, err := Render(Config{
		Root: filepath.Join(dir, "root"), State: filepath.Join(dir, "state"),
		Address: filepath.Join(dir, "containerd.sock"), BinDir: filepath.Join(dir, "bin"),
		CNIConfDir: filepath.Join(dir, "cni"), HostsDir: hostsDir,
		SandboxImage: "lightcluster.dev/pause:3.10", Snapshotter: SnapshotterOverlay,
		RegistryAuth: auth,
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.toml")
	writeTestFile(t, path, string(data))
	return path
}

// criImages is the part of the CRI images plugin's configuration this test reads,
// taken from the JSON form of containerd's own type.
type criImages struct {
	Registry struct {
		ConfigPath string `json:"configPath"`
		Configs    map[string]struct {
			Auth map[string]string `json:"auth"`
		} `json:"configs"`
	} `json:"registry"`
}

// loadImagesConfig loads a containerd configuration file with containerd's loader,
// decodes every plugin section strictly into the configuration type its plugin
// registered (so a misspelt key fails), and returns the images plugin's section.
func loadImagesConfig(t *testing.T, path string) criImages {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var strict srvconfig.Config
	if err := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields().
		Decode(&strict); err != nil {
		t.Fatalf("containerd config: %v", err)
	}
	var loaded srvconfig.Config
	if err := srvconfig.LoadConfig(context.Background(), path, &loaded); err != nil {
		t.Fatalf("containerd config: %v", err)
	}
	if loaded.Version != 3 {
		t.Fatalf("containerd config version = %d, want 3", loaded.Version)
	}

	configs := make(map[string]any)
	for _, r := range registry.Graph(func(*plugin.Registration) bool { return false }) {
		if r.Config != nil {
			configs[r.URI()] = r.Config
		}
	}
	var images criImages
	for id, section := range loaded.Plugins {
		defaults, ok := configs[id]
		if !ok {
			t.Errorf("containerd config: plugin %s is not registered", id)
			continue
		}
		// A copy of the plugin's defaults, so that decoding leaves the registration alone.
		cfg := reflect.New(reflect.TypeOf(defaults).Elem())
		cfg.Elem().Set(reflect.ValueOf(defaults).Elem())
		encoded, err := toml.Marshal(section)
		if err != nil {
			t.Fatal(err)
		}
		if err := toml.NewDecoder(bytes.NewReader(encoded)).DisallowUnknownFields().
			Decode(cfg.Interface()); err != nil {
			if missing, ok := errors.AsType[*toml.StrictMissingError](err); ok {
				err = fmt.Errorf("unknown keys:\n%s", missing.String())
			}
			t.Errorf("containerd config: plugin %s: %v", id, err)
			continue
		}
		if id == imagesPlugin {
			asJSON, err := json.Marshal(cfg.Interface())
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(asJSON, &images); err != nil {
				t.Fatal(err)
			}
		}
	}
	if images.Registry.ConfigPath == "" {
		t.Fatalf("containerd config: no %s section with a registry config_path", imagesPlugin)
	}
	return images
}

// resolveHosts returns the servers containerd's resolver tries for registry, in
// order, each as "scheme://host/path capabilities".
func resolveHosts(t *testing.T, hosts docker.RegistryHosts, registry string) []string {
	t.Helper()
	rh, err := hosts(registry)
	if err != nil {
		t.Fatalf("hosts of %s: %v", registry, err)
	}
	var out []string
	for _, h := range rh {
		var caps []string
		for _, c := range []struct {
			c    docker.HostCapabilities
			name string
		}{
			{docker.HostCapabilityPull, "pull"}, {docker.HostCapabilityResolve, "resolve"},
			{docker.HostCapabilityPush, "push"},
		} {
			if h.Capabilities.Has(c.c) {
				caps = append(caps, c.name)
			}
		}
		u := url.URL{Scheme: h.Scheme, Host: h.Host, Path: h.Path}
		out = append(out, u.String()+" "+strings.Join(caps, ","))
	}
	return out
}

// pingWithAuth does what containerd's resolver does with a registry host: a request
// to /v2/, the challenge handed to the host's authorizer, the request again with the
// credentials it picks. The host's client carries the TLS settings of hosts.toml.
func pingWithAuth(ctx context.Context, t *testing.T, host docker.RegistryHost) {
	t.Helper()
	ping := func() *http.Response {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet,
			host.Scheme+"://"+host.Host+host.Path+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := host.Authorizer.Authorize(ctx, req); err != nil {
			t.Fatalf("authorize: %v", err)
		}
		resp, err := host.Client.Do(req)
		if err != nil {
			t.Fatalf("GET /v2/ from the mirror: %v", err)
		}
		resp.Body.Close()
		return resp
	}

	first := ping()
	if first.StatusCode != http.StatusUnauthorized {
		t.Fatalf("first GET /v2/ = %s, want 401 and a challenge", first.Status)
	}
	if err := host.Authorizer.AddResponses(ctx, []*http.Response{first}); err != nil {
		t.Fatalf("challenge: %v", err)
	}
	if second := ping(); second.StatusCode != http.StatusOK {
		t.Fatalf("GET /v2/ with credentials = %s, want 200", second.Status)
	}
}

// writeTestFile writes content to path, readable by its owner only.
func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
