package provision

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lightcluster/lightcluster/internal/catalog"
	"github.com/lightcluster/lightcluster/internal/hostfacts"
	"github.com/lightcluster/lightcluster/internal/ssh"
)

// catalogBinary puts a lightnode script into a catalog and returns its entry.
func catalogBinary(t *testing.T, script string) catalog.Binary {
	t.Helper()
	dir := t.TempDir()
	writeExecutable(t, filepath.Join(dir, "v1.37.2", catalog.BinaryPrefix+"amd64"), script)
	bin, err := catalog.New(dir).Lookup("v1.37.2", "amd64")
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestConnectHostKeyPolicy(t *testing.T) {
	f := newFakeHost(t)
	seen := ssh.NewHostKey(f.server.HostKey()).AuthorizedKey
	other := ssh.NewHostKey(newFakeHost(t).server.HostKey()).AuthorizedKey

	tests := []struct {
		name          string
		pinned, known string
		wantMismatch  bool
	}{
		{name: "first contact accepts and reports the key"},
		{name: "recorded key matches", known: seen},
		{name: "recorded key differs", known: other, wantMismatch: true},
		{name: "pinned key matches", pinned: seen, known: other},
		{name: "pinned key differs", pinned: other, known: seen, wantMismatch: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := f.host
			h.SSH.HostKey, h.SSH.KnownHostKey = tt.pinned, tt.known
			execsBefore := f.server.Execs()
			s, err := Connect(testContext(t), h, nil)
			if tt.wantMismatch {
				if !errors.Is(err, ssh.ErrHostKeyMismatch) {
					t.Fatalf("Connect() error = %v, want ErrHostKeyMismatch", err)
				}
				if f.server.Execs() != execsBefore {
					t.Errorf("a command ran on a host with a mismatched key")
				}
				return
			}
			if err != nil {
				t.Fatalf("Connect() error = %v", err)
			}
			defer func() { _ = s.Close() }()
			if got := s.HostKey().AuthorizedKey; got != seen {
				t.Errorf("HostKey() = %q, want %q", got, seen)
			}
		})
	}
}

func TestEnsureBinaryUploadsOnlyWhenChanged(t *testing.T) {
	f := newFakeHost(t)
	s := f.connect(t)
	bin := catalogBinary(t, "echo v1\n")

	for i, want := range []bool{true, false} {
		uploaded, err := s.EnsureBinary(testContext(t), bin)
		if err != nil {
			t.Fatalf("EnsureBinary() #%d error = %v", i, err)
		}
		if uploaded != want {
			t.Errorf("EnsureBinary() #%d uploaded = %v, want %v", i, uploaded, want)
		}
	}
	info, err := os.Stat(f.host.BinaryPath())
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o755 {
		t.Errorf("binary mode = %v, want 0755", info.Mode().Perm())
	}
}

func TestWriteConfigAndCAs(t *testing.T) {
	f := newFakeHost(t)
	s := f.connect(t)
	ctx := testContext(t)
	files := map[string][]byte{"server-ca.crt": []byte("cert"), "etcd/peer-ca.key": []byte("key")}

	for i, want := range []bool{true, false} {
		wrote, err := s.WriteConfig(ctx, []byte("token: secret\n"))
		if err != nil || wrote != want {
			t.Fatalf("WriteConfig() #%d = %v, %v, want %v, nil", i, wrote, err, want)
		}
		wrote, err = s.WriteCAs(ctx, files)
		if err != nil || wrote != want {
			t.Fatalf("WriteCAs() #%d = %v, %v, want %v, nil", i, wrote, err, want)
		}
	}

	for _, path := range []string{f.host.ConfigFile,
		filepath.Join(f.host.TLSDir(), "server-ca.crt"),
		filepath.Join(f.host.TLSDir(), "etcd/peer-ca.key")} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600", path, info.Mode().Perm())
		}
	}
	if got := readFile(t, filepath.Join(f.host.TLSDir(), "etcd/peer-ca.key")); got != "key" {
		t.Errorf("etcd/peer-ca.key = %q, want %q", got, "key")
	}
}

func TestWriteCAsRejectsEscapingPaths(t *testing.T) {
	f := newFakeHost(t)
	s := f.connect(t)
	for _, name := range []string{"../config.yaml", "/etc/passwd", "a/../../b"} {
		t.Run(name, func(t *testing.T) {
			if _, err := s.WriteCAs(testContext(t), map[string][]byte{name: []byte("x")}); err == nil {
				t.Errorf("WriteCAs(%q) error = nil, want an error", name)
			}
		})
	}
}

func TestInstallUninstallAndCheck(t *testing.T) {
	f := newFakeHost(t)
	s := f.connect(t)
	ctx := testContext(t)
	calls := filepath.Join(f.root, "calls")
	active := filepath.Join(f.root, "active")
	bin := catalogBinary(t, `echo "$*" >> `+calls+"\n"+
		`case "$1" in install) touch `+active+`;; uninstall) rm -f `+active+`;; esac`+"\n")

	// The init system's status query answers from the marker file.
	fakeBin := filepath.Join(f.root, "fakebin")
	writeExecutable(t, filepath.Join(fakeBin, "systemctl"), `[ -e `+active+` ]`+"\n")
	t.Setenv("PATH", fakeBin+":"+os.Getenv("PATH"))

	if err := s.Uninstall(ctx); err != nil {
		t.Fatalf("Uninstall() without a binary error = %v", err)
	}
	if _, err := s.EnsureBinary(ctx, bin); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteConfig(ctx, []byte("a: b\n")); err != nil {
		t.Fatal(err)
	}
	if err := s.Install(ctx); err != nil {
		t.Fatalf("Install() error = %v", err)
	}

	st, err := s.Check(ctx, hostfacts.InitSystemd)
	if err != nil {
		t.Fatalf("Check() error = %v", err)
	}
	want := Status{ServiceActive: true, BinaryDigest: bin.SHA256,
		ConfigDigest: Digest([]byte("a: b\n"))}
	if st != want {
		t.Errorf("Check() = %+v, want %+v", st, want)
	}

	if err := s.Uninstall(ctx); err != nil {
		t.Fatalf("Uninstall() error = %v", err)
	}
	if st, err = s.Check(ctx, hostfacts.InitSystemd); err != nil || st.ServiceActive {
		t.Errorf("Check() after uninstall = %+v, %v, want inactive", st, err)
	}
	if got := readFile(t, calls); got != "install server\nuninstall\n" {
		t.Errorf("lightnode calls = %q, want install then uninstall", got)
	}
}

func TestErrorsNameStepAndHostWithoutSecrets(t *testing.T) {
	f := newFakeHost(t)
	s := f.connect(t)
	bin := catalogBinary(t, "exit 0\n")
	f.server.FailCommands("install server", 3, "install failed: disk full")

	ctx := testContext(t)
	if _, err := s.EnsureBinary(ctx, bin); err != nil {
		t.Fatal(err)
	}
	installErr := s.Install(ctx)

	wrongSudo := f.host
	wrongSudo.SSH.SudoPassword = []byte("wrong-" + sudoPassword)
	ws, err := Connect(ctx, wrongSudo, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ws.Close() }()
	_, configErr := ws.WriteConfig(ctx, []byte("token: K10abc::server:topsecret\n"))

	tests := []struct {
		name     string
		err      error
		step     string
		sentinel error
	}{
		{name: "failed command", err: installErr, step: StepInstall},
		{name: "wrong sudo password", err: configErr, step: StepWriteConfig,
			sentinel: ssh.ErrSudoPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("error = nil, want an error")
			}
			msg := tt.err.Error()
			for _, want := range []string{tt.step, f.host.Name, f.host.SSH.Address} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not name %q", msg, want)
				}
			}
			for _, secret := range []string{sudoPassword, "topsecret", string(f.key)} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q contains a secret", msg)
				}
			}
			if tt.sentinel != nil && !errors.Is(tt.err, tt.sentinel) {
				t.Errorf("error %v does not wrap %v", tt.err, tt.sentinel)
			}
		})
	}
}
