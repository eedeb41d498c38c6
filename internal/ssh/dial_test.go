package ssh

import (
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/lightcluster/lightcluster/internal/sshtest"
)

func TestDialKeyTypes(t *testing.T) {
	tests := []struct {
		kind   string
		encode func(*testing.T, any) []byte
	}{
		{kind: "ed25519"},
		{kind: "ecdsa"},
		{kind: "rsa"},
		{kind: "rsa", encode: encodePKCS1},
	}
	for _, tt := range tests {
		name := tt.kind
		if tt.encode != nil {
			name += " pkcs1"
		}
		t.Run(name, func(t *testing.T) {
			private, public := newKey(t, tt.kind)
			srv := sshtest.New(t, sshtest.Options{AuthorizedKey: public})
			key := encodeKey(t, private, "")
			if tt.encode != nil {
				key = tt.encode(t, private)
			}
			cfg := Config{Address: srv.Host(), Port: srv.Port(), PrivateKey: key}

			client, err := Dial(testContext(t), cfg)
			if err != nil {
				t.Fatalf("Dial() = %v", err)
			}
			defer func() { _ = client.Close() }()
			res, err := client.Run(testContext(t), Command{Script: "echo ok"})
			if err != nil || res.Stdout != "ok\n" {
				t.Fatalf("Run() = %q, %v; want ok", res.Stdout, err)
			}
		})
	}
}

func TestDialPrivateKeyErrors(t *testing.T) {
	private, public := newKey(t, "ecdsa")
	protected := encodeKey(t, private, "correct horse")
	tests := []struct {
		name       string
		key        []byte
		passphrase string
		wantErr    error
	}{
		{name: "protected with passphrase", key: protected, passphrase: "correct horse"},
		{name: "protected without passphrase", key: protected,
			wantErr: ErrPassphraseRequired},
		{name: "protected with wrong passphrase", key: protected, passphrase: "wrong",
			wantErr: ErrInvalidKey},
		{name: "garbage", key: []byte("not a key"), wantErr: ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := sshtest.New(t, sshtest.Options{AuthorizedKey: public})
			cfg := Config{Address: srv.Host(), Port: srv.Port(), PrivateKey: tt.key,
				Passphrase: []byte(tt.passphrase)}

			client, err := Dial(testContext(t), cfg)
			if client != nil {
				defer func() { _ = client.Close() }()
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Dial() = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil {
				return
			}
			if n := srv.Connections(); n != 0 {
				t.Errorf("server saw %d connections, want none for a bad key", n)
			}
			if tt.passphrase != "" && strings.Contains(err.Error(), tt.passphrase) {
				t.Errorf("error %q contains the passphrase", err)
			}
		})
	}
}

func TestDialHostKeyPolicy(t *testing.T) {
	_, other := newKey(t, "ed25519")
	otherKey := NewHostKey(other).AuthorizedKey
	tests := []struct {
		name      string
		pinned    bool
		pinOther  bool
		known     bool
		knowOther bool
		wantErr   error
	}{
		{name: "pinned matches", pinned: true},
		{name: "pinned differs", pinOther: true, wantErr: ErrHostKeyMismatch},
		{name: "recorded matches", known: true},
		{name: "recorded differs", knowOther: true, wantErr: ErrHostKeyMismatch},
		{name: "pinned wins over recorded", pinned: true, knowOther: true},
		{name: "pinned differs, recorded matches", pinOther: true, known: true,
			wantErr: ErrHostKeyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHost(t, sshtest.Options{})
			serverKey := NewHostKey(h.srv.HostKey()).AuthorizedKey
			h.cfg.HostKey = pick(tt.pinned, serverKey, tt.pinOther, otherKey)
			h.cfg.KnownHostKey = pick(tt.known, serverKey, tt.knowOther, otherKey)
			marker := filepath.Join(h.dir, "marker")

			client, err := Dial(testContext(t), h.cfg)
			if err == nil {
				defer func() { _ = client.Close() }()
				_, err = client.Run(testContext(t), Command{Args: []string{"touch", marker}})
			}

			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if ran := fileExists(t, marker); ran != (tt.wantErr == nil) {
				t.Errorf("marker created = %v, want %v", ran, tt.wantErr == nil)
			}
			if tt.wantErr != nil && IsRetriable(err) {
				t.Errorf("IsRetriable(%v) = true, want false", err)
			}
		})
	}
}

// pick returns a when useA, b when useB, else nothing.
func pick(useA bool, a string, useB bool, b string) string {
	switch {
	case useA:
		return a
	case useB:
		return b
	default:
		return ""
	}
}

func TestDialPinnedKeyTypeAbsent(t *testing.T) {
	h := newTestHost(t, sshtest.Options{})
	_, ecdsaKey := newKey(t, "ecdsa")
	h.cfg.HostKey = NewHostKey(ecdsaKey).AuthorizedKey

	_, err := Dial(testContext(t), h.cfg)
	if !errors.Is(err, ErrHostKeyMismatch) || IsRetriable(err) {
		t.Fatalf("Dial() = %v, want a terminal ErrHostKeyMismatch", err)
	}
}

func TestDialStalledHandshakeTimesOut(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { _ = listener.Close() })
	// Accept connections and never speak; close them once the listener closes.
	go func() {
		var held []net.Conn
		for {
			conn, err := listener.Accept()
			if err != nil {
				break
			}
			held = append(held, conn)
		}
		for _, conn := range held {
			_ = conn.Close()
		}
	}()
	private, _ := newKey(t, "ed25519")
	addr := listener.Addr().(*net.TCPAddr)
	cfg := Config{Address: "127.0.0.1", Port: addr.Port, PrivateKey: encodeKey(t, private, ""),
		DialTimeout: 100 * time.Millisecond}

	_, err = Dial(testContext(t), cfg)
	if !errors.Is(err, ErrUnreachable) || !IsRetriable(err) {
		t.Fatalf("Dial() = %v, want a retriable ErrUnreachable", err)
	}
}

func TestDialRecordsFirstSeenKeyAndRefusesRotation(t *testing.T) {
	h := newTestHost(t, sshtest.Options{})

	client := h.dial(t)
	seen := client.HostKey()
	want := NewHostKey(h.srv.HostKey())
	if seen != want {
		t.Fatalf("HostKey() = %+v, want %+v", seen, want)
	}
	if !strings.HasPrefix(seen.Fingerprint, "SHA256:") {
		t.Errorf("fingerprint %q does not start with SHA256:", seen.Fingerprint)
	}

	rotated := NewHostKey(h.srv.RotateHostKey(t))
	h.cfg.KnownHostKey = seen.AuthorizedKey
	_, err := Dial(testContext(t), h.cfg)

	var keyErr *HostKeyError
	if !errors.As(err, &keyErr) || !errors.Is(err, ErrHostKeyMismatch) {
		t.Fatalf("Dial() after rotation = %v, want a HostKeyError", err)
	}
	if keyErr.Seen != rotated || keyErr.Expected != seen || keyErr.Source != "recorded" {
		t.Errorf("HostKeyError = %+v, want seen %v and expected %v", keyErr, rotated, seen)
	}
	for _, fp := range []string{seen.Fingerprint, rotated.Fingerprint} {
		if !strings.Contains(err.Error(), fp) {
			t.Errorf("error %q does not name fingerprint %s", err, fp)
		}
	}
}

func TestDialAuthRefusedIsNotRetried(t *testing.T) {
	h := newTestHost(t, sshtest.Options{})
	stranger, _ := newKey(t, "ed25519")
	h.cfg.PrivateKey = encodeKey(t, stranger, "")

	backoff := wait.Backoff{Duration: time.Millisecond, Factor: 2, Steps: 3}
	_, err := DialWithRetry(testContext(t), h.cfg, backoff)
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("DialWithRetry() = %v, want ErrAuth", err)
	}
	if IsRetriable(err) {
		t.Errorf("IsRetriable(%v) = true, want false", err)
	}
	if n := h.srv.Connections(); n != 1 {
		t.Errorf("server saw %d connections, want 1", n)
	}
}

func TestDialUnreachableIsRetriedBounded(t *testing.T) {
	listener, accepted := closingListener(t)
	private, _ := newKey(t, "ed25519")
	host, port, _ := net.SplitHostPort(listener.Addr().String())
	portNumber, _ := strconv.Atoi(port)
	cfg := Config{Address: host, Port: portNumber, PrivateKey: encodeKey(t, private, "")}

	backoff := wait.Backoff{Duration: time.Millisecond, Factor: 2, Steps: 3}
	_, err := DialWithRetry(testContext(t), cfg, backoff)
	if !errors.Is(err, ErrUnreachable) || !IsRetriable(err) {
		t.Fatalf("DialWithRetry() = %v, want a retriable ErrUnreachable", err)
	}
	if n := accepted.Load(); n != 3 {
		t.Errorf("dialed %d times, want 3", n)
	}
	if !strings.Contains(err.Error(), "3 attempts") {
		t.Errorf("error %q does not say how many attempts were made", err)
	}
}

func TestDialClosedPortIsUnreachable(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := listener.Addr().(*net.TCPAddr)
	_ = listener.Close()
	private, _ := newKey(t, "ed25519")
	cfg := Config{Address: "127.0.0.1", Port: addr.Port, PrivateKey: encodeKey(t, private, "")}

	_, err = Dial(testContext(t), cfg)
	if !errors.Is(err, ErrUnreachable) || !IsRetriable(err) {
		t.Fatalf("Dial() = %v, want a retriable ErrUnreachable", err)
	}
}

// closingListener accepts connections and closes them at once, counting them.
func closingListener(t *testing.T) (net.Listener, *atomic.Int32) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { _ = listener.Close() })
	var accepted atomic.Int32
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			_ = conn.Close()
		}
	}()
	return listener, &accepted
}

func TestDialSendsKeepAlives(t *testing.T) {
	h := newTestHost(t, sshtest.Options{})
	h.cfg.KeepAlive = 10 * time.Millisecond
	h.dial(t)

	select {
	case <-h.srv.KeepAliveSeen():
	case <-time.After(testTimeout):
		t.Fatal("server saw no keepalive request")
	}
}
