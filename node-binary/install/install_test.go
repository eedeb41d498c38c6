package install

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

const wantServerUnit = `[Unit]
Description=Lightweight Kubernetes (lightnode server)
Wants=network-online.target
After=network-online.target

[Service]
Type=exec
ExecStartPre=-/sbin/modprobe br_netfilter
ExecStartPre=-/sbin/modprobe overlay
ExecStart=/usr/local/bin/lightnode server
KillMode=process
Delegate=yes
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
TimeoutStartSec=0
Restart=always
RestartSec=5s

[Install]
WantedBy=multi-user.target
`

// checkServer answers path with 200 once it was asked failures times, over TLS when
// secure, and returns the server and a counter of the requests.
func checkServer(t *testing.T, path string, secure bool, failures int32) (*httptest.Server,
	*atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path || calls.Add(1) <= failures {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	srv := httptest.NewUnstartedServer(handler)
	if secure {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, &calls
}

// readyzServer answers /readyz as an API server would once it was asked failures
// times, and returns its port and a counter of the requests.
func readyzServer(t *testing.T, failures int32) (string, *atomic.Int32) {
	t.Helper()
	srv, calls := checkServer(t, "/readyz", true, failures)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatalf("split address: %v", err)
	}
	return port, calls
}

// kubeletServer answers /healthz as a kubelet would once it was asked failures times,
// and returns its URL and a counter of the requests.
func kubeletServer(t *testing.T, failures int32) (string, *atomic.Int32) {
	t.Helper()
	srv, calls := checkServer(t, "/healthz", false, failures)
	return srv.URL + "/healthz", calls
}

// testOptions returns options for sys that wait briefly between checks, with a
// kubelet that is healthy.
func testOptions(sys *fakeSystem, role Role, args ...string) (Options, *bytes.Buffer) {
	var out bytes.Buffer
	kubelet, _ := kubeletServer(sys.t, 0)
	return Options{Role: role, Args: args, System: sys, Out: &out,
		WaitTimeout: time.Minute, pollInterval: 10 * time.Millisecond,
		kubeletHealthz: kubelet}, &out
}

// An agent whose service runs but keeps failing (a token for another cluster, say)
// was reported running: the wait took an active service for a working one.
func TestInstallAgentWaitsForTheKubelet(t *testing.T) {
	sys := newFakeSystem(t)
	o, out := testOptions(sys, RoleAgent, "--server", "https://10.0.0.1:6443", "--token", "t")
	kubelet, calls := kubeletServer(t, 3)
	o.kubeletHealthz = kubelet
	if err := Install(context.Background(), o); err != nil {
		t.Fatalf("install: %v\n%s", err, out)
	}
	if calls.Load() < 4 {
		t.Errorf("install finished after %d kubelet checks, before the kubelet was healthy",
			calls.Load())
	}

	sys = newFakeSystem(t)
	o, out = testOptions(sys, RoleAgent, "--server", "https://10.0.0.1:6443", "--token", "t")
	o.kubeletHealthz, _ = kubeletServer(t, 1<<30)
	o.WaitTimeout = 200 * time.Millisecond
	if err := Install(context.Background(), o); !errors.Is(err, ErrNotReady) {
		t.Fatalf("install with a kubelet that never gets healthy: %v, want ErrNotReady\n%s",
			err, out)
	}
}

func TestInstallServerWithSystemd(t *testing.T) {
	sys := newFakeSystem(t)
	port, calls := readyzServer(t, 2)
	o, out := testOptions(sys, RoleServer, "--https-listen-port", port, "--cluster-init")

	if err := Install(context.Background(), o); err != nil {
		t.Fatalf("Install: %v", err)
	}

	if got := sys.read("/etc/systemd/system/lightnode-server.service"); got != wantServerUnit {
		t.Errorf("unit file:\n%s\nwant:\n%s", got, wantServerUnit)
	}
	if got := sys.read("/usr/local/bin/lightnode"); got != "lightnode build 1" {
		t.Errorf("installed binary holds %q", got)
	}
	assertMode(t, sys, "/usr/local/bin/lightnode", 0o755)
	assertMode(t, sys, "/etc/lightnode/config.yaml", 0o600)
	if target, err := os.Readlink(sys.Path("/usr/local/bin/kubectl")); err != nil ||
		target != "/usr/local/bin/lightnode" {
		t.Errorf("kubectl links to %q (%v), want /usr/local/bin/lightnode", target, err)
	}
	wantCommands := []string{
		"systemctl daemon-reload",
		"systemctl enable lightnode-server",
		"systemctl restart lightnode-server",
	}
	if got := sys.ran(); !slices.Equal(startCommands(got), wantCommands) {
		t.Errorf("commands %q, want %q", got, wantCommands)
	}
	if calls.Load() < 3 {
		t.Errorf("install finished after %d readyz requests, before the API was ready",
			calls.Load())
	}
	if !strings.Contains(out.String(), "journalctl -u lightnode-server -f") {
		t.Errorf("output does not say where the logs are:\n%s", out)
	}
}

// startCommands drops the status checks from a list of commands.
func startCommands(cmds []string) []string {
	return slices.DeleteFunc(slices.Clone(cmds), func(c string) bool {
		return strings.Contains(c, "is-active") || strings.HasSuffix(c, " status")
	})
}

func TestInstallTwiceChangesNothing(t *testing.T) {
	sys := newFakeSystem(t)
	port, _ := readyzServer(t, 0)
	o, _ := testOptions(sys, RoleServer, "--https-listen-port", port, "--token", "abc")
	if err := Install(context.Background(), o); err != nil {
		t.Fatalf("first Install: %v", err)
	}
	sys.ran()
	before := snapshot(t, sys, "/usr/local/bin/lightnode", "/etc/lightnode/config.yaml",
		"/etc/systemd/system/lightnode-server.service")

	if err := Install(context.Background(), o); err != nil {
		t.Fatalf("second Install: %v", err)
	}

	want := []string{"systemctl enable --now lightnode-server"}
	if got := startCommands(sys.ran()); !slices.Equal(got, want) {
		t.Errorf("second install ran %q, want only %q", got, want)
	}
	after := snapshot(t, sys, "/usr/local/bin/lightnode", "/etc/lightnode/config.yaml",
		"/etc/systemd/system/lightnode-server.service")
	for path, info := range before {
		if !os.SameFile(info, after[path]) || !info.ModTime().Equal(after[path].ModTime()) {
			t.Errorf("%s was rewritten", path)
		}
	}
}

// snapshot returns the file information of each path below the fake root.
func snapshot(t *testing.T, sys *fakeSystem, paths ...string) map[string]os.FileInfo {
	t.Helper()
	infos := map[string]os.FileInfo{}
	for _, p := range paths {
		info, err := os.Stat(sys.Path(p))
		if err != nil {
			t.Fatalf("stat %s: %v", p, err)
		}
		infos[p] = info
	}
	return infos
}

func TestInstallRestartsOnlyWhatChanged(t *testing.T) {
	tests := []struct {
		name   string
		change func(*fakeSystem) []string
		want   []string
	}{
		{"new binary", func(sys *fakeSystem) []string {
			sys.setBinary("lightnode build 2")
			return nil
		}, []string{"systemctl enable lightnode-agent", "systemctl restart lightnode-agent"}},
		{"new flags", func(*fakeSystem) []string { return []string{"--node-label", "a=b"} },
			[]string{"systemctl enable lightnode-agent", "systemctl restart lightnode-agent"}},
		{"binary replaced in place", func(sys *fakeSystem) []string {
			sys.write("/usr/local/bin/lightnode", "lightnode build 2")
			sys.exe = sys.Path("/usr/local/bin/lightnode")
			return nil
		}, []string{"systemctl enable lightnode-agent", "systemctl restart lightnode-agent"}},
		{"config rewritten", func(sys *fakeSystem) []string {
			sys.write("/etc/lightnode/config.yaml.d/10-labels.yaml", "node-label: [a=b]\n")
			return nil
		}, []string{"systemctl enable lightnode-agent", "systemctl restart lightnode-agent"}},
		{"nothing", func(*fakeSystem) []string { return nil },
			[]string{"systemctl enable --now lightnode-agent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys := newFakeSystem(t)
			o, _ := testOptions(sys, RoleAgent)
			if err := Install(context.Background(), o); err != nil {
				t.Fatalf("first Install: %v", err)
			}
			sys.ran()

			o.Args = tt.change(sys)
			if err := Install(context.Background(), o); err != nil {
				t.Fatalf("second Install: %v", err)
			}
			if got := startCommands(sys.ran()); !slices.Equal(got, tt.want) {
				t.Errorf("commands %q, want %q", got, tt.want)
			}
		})
	}
}

func TestInstallConfig(t *testing.T) {
	const existing = "# written by the operator\nnode-label:\n  - zone=a\ntoken: old\n"
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, file string)
	}{
		{"no flags keep the file as it is", nil, func(t *testing.T, file string) {
			if file != existing {
				t.Errorf("config changed to:\n%s", file)
			}
		}},
		{"flags replace their keys and keep the others", []string{
			"--token", "new", "--cluster-init", "--node-ip", "10.0.0.1,fd00::1",
			"--write-kubeconfig-mode", "0644",
		}, func(t *testing.T, file string) {
			var got map[string]any
			if err := yaml.Unmarshal([]byte(file), &got); err != nil {
				t.Fatalf("config does not parse: %v\n%s", err, file)
			}
			want := map[string]any{
				"node-label": []any{"zone=a"}, "token": "new", "cluster-init": true,
				"node-ip": []any{"10.0.0.1", "fd00::1"}, "write-kubeconfig-mode": "0644",
			}
			if !equalYAML(got, want) {
				t.Errorf("config %v, want %v", got, want)
			}
			if !strings.Contains(file, "# written by the operator") {
				t.Errorf("config lost its comment:\n%s", file)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys := newFakeSystem(t)
			sys.write("/etc/lightnode/config.yaml", existing)
			o, _ := testOptions(sys, RoleServer, tt.args...)
			o.WaitTimeout = -1
			if err := Install(context.Background(), o); err != nil {
				t.Fatalf("Install: %v", err)
			}
			tt.check(t, sys.read("/etc/lightnode/config.yaml"))
		})
	}
}

// equalYAML compares two decoded YAML maps by their printed form.
func equalYAML(a, b map[string]any) bool {
	pa, errA := yaml.Marshal(a)
	pb, errB := yaml.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(pa, pb)
}

func TestInstallCustomConfigFile(t *testing.T) {
	sys := newFakeSystem(t)
	o, _ := testOptions(sys, RoleAgent, "--config", "/etc/other.yaml", "--token", "t")
	if err := Install(context.Background(), o); err != nil {
		t.Fatalf("Install: %v", err)
	}
	if got := sys.read("/etc/other.yaml"); !strings.Contains(got, "token: t") {
		t.Errorf("custom config holds %q", got)
	}
	unit := sys.read("/etc/systemd/system/lightnode-agent.service")
	if !strings.Contains(unit, "ExecStart=/usr/local/bin/lightnode agent --config "+
		"/etc/other.yaml\n") {
		t.Errorf("unit does not pass the config file:\n%s", unit)
	}
	if exists(sys, "/etc/lightnode/config.yaml") {
		t.Errorf("the default config file was written too")
	}
}

func TestInstallOpenRC(t *testing.T) {
	sys := newFakeSystem(t)
	if err := os.RemoveAll(sys.Path("/run/systemd")); err != nil {
		t.Fatalf("remove systemd: %v", err)
	}
	sys.write("/sbin/openrc-run", "")
	stopped := true
	sys.handlers["rc-service"] = func(c Command) ([]byte, error) {
		if c.Args[1] == "status" && stopped {
			return nil, errors.New("exit status 3")
		}
		stopped = false
		return nil, nil
	}
	o, out := testOptions(sys, RoleAgent)

	if err := Install(context.Background(), o); err != nil {
		t.Fatalf("Install: %v", err)
	}
	script := sys.read("/etc/init.d/lightnode-agent")
	for _, want := range []string{"#!/sbin/openrc-run\n", `command="/usr/local/bin/lightnode"`,
		`command_args="agent"`, "supervisor=supervise-daemon"} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	assertMode(t, sys, "/etc/init.d/lightnode-agent", 0o755)
	want := []string{"rc-update add lightnode-agent default", "rc-service lightnode-agent restart"}
	if got := startCommands(sys.ran()); !slices.Equal(got, want) {
		t.Errorf("commands %q, want %q", got, want)
	}
	if !strings.Contains(out.String(), "/var/log/lightnode-agent.log") {
		t.Errorf("output does not say where the logs are:\n%s", out)
	}
}

func TestInstallFailures(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(*fakeSystem, *Options)
		wantErr error
	}{
		{"no init system", func(sys *fakeSystem, _ *Options) {
			_ = os.RemoveAll(sys.Path("/run/systemd"))
		}, ErrNoInitSystem},
		{"service never active", func(sys *fakeSystem, o *Options) {
			sys.handlers["systemctl"] = func(c Command) ([]byte, error) {
				if c.Args[0] == "is-active" {
					return nil, errors.New("exit status 3")
				}
				return nil, nil
			}
			o.WaitTimeout = 50 * time.Millisecond
		}, ErrNotReady},
		{"API never ready", func(_ *fakeSystem, o *Options) {
			port, _ := readyzServer(t, 1<<30)
			o.Args = []string{"--https-listen-port", port}
			o.WaitTimeout = 50 * time.Millisecond
		}, ErrNotReady},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys := newFakeSystem(t)
			o, _ := testOptions(sys, RoleServer)
			tt.prepare(sys, &o)
			if err := Install(context.Background(), o); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Install: %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestInstallRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		role Role
		args []string
	}{
		{"unknown role", "worker", nil},
		{"unknown flag", RoleAgent, []string{"--no-such-flag"}},
		{"server flag for an agent", RoleAgent, []string{"--cluster-init"}},
		{"stray argument", RoleServer, []string{"extra"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys := newFakeSystem(t)
			o, _ := testOptions(sys, tt.role, tt.args...)
			if err := Install(context.Background(), o); err == nil {
				t.Fatalf("Install accepted %s %q", tt.role, tt.args)
			}
			if exists(sys, "/usr/local/bin/lightnode") {
				t.Errorf("a failed install left the binary behind")
			}
		})
	}
}

// assertMode checks the permission bits of a file below the fake root.
func assertMode(t *testing.T, sys *fakeSystem, hostPath string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(sys.Path(hostPath))
	if err != nil {
		t.Fatalf("stat %s: %v", hostPath, err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s has mode %v, want %v", hostPath, got, want)
	}
}

// Installing an agent on a server's machine rewrote the server's config file with the
// agent's settings and started a second kubelet beside the server's own.
func TestInstallRefusesTheOtherRole(t *testing.T) {
	sys := newFakeSystem(t)
	port, _ := readyzServer(t, 0)
	o, out := testOptions(sys, RoleServer, "--https-listen-port", port, "--token", "abc")
	if err := Install(context.Background(), o); err != nil {
		t.Fatalf("install server: %v\n%s", err, out)
	}
	before, err := os.ReadFile(sys.Path(o.withDefaults().ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	o, _ = testOptions(sys, RoleAgent, "--server", "https://10.0.0.2:6443", "--token", "x")
	err = Install(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "lightnode server is installed") {
		t.Fatalf("install agent beside a server: %v, want a refusal naming the server", err)
	}
	after, err := os.ReadFile(sys.Path(o.withDefaults().ConfigFile))
	if err != nil || string(after) != string(before) {
		t.Errorf("the server's config file changed:\n%s\nthen\n%s (%v)", before, after, err)
	}
}
