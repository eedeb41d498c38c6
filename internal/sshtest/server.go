package sshtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"strconv"
	"sync"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

// Options configures a Server.
type Options struct {
	// AuthorizedKey is the only client public key the server accepts.
	AuthorizedKey gossh.PublicKey
	// SudoPassword, when set, is the password the simulated sudo asks for; when empty,
	// the simulated sudo runs commands without a password.
	SudoPassword string
}

// Server is an in-process SSH server bound to 127.0.0.1.
type Server struct {
	listener net.Listener
	opts     Options

	mu        sync.Mutex
	hostKey   gossh.Signer
	dropAfter int64
	failures  []failure
	conns     map[net.Conn]struct{}
	accepted  int
	execs     int
	keepAlive chan struct{}
	closed    bool

	handlers  sync.WaitGroup
	closeOnce sync.Once
}

// failure makes commands containing match exit with status and stderr.
type failure struct {
	match  string
	status int
	stderr string
}

// New starts a Server and stops it when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &Server{
		listener:  listener,
		opts:      opts,
		hostKey:   newHostKey(t),
		conns:     map[net.Conn]struct{}{},
		keepAlive: make(chan struct{}),
	}
	s.handlers.Add(1)
	go s.serve()
	t.Cleanup(s.Close)
	return s
}

// Host returns the address the server listens on, without the port.
func (s *Server) Host() string {
	host, _, _ := net.SplitHostPort(s.listener.Addr().String())
	return host
}

// Port returns the TCP port the server listens on.
func (s *Server) Port() int {
	_, port, _ := net.SplitHostPort(s.listener.Addr().String())
	n, _ := strconv.Atoi(port)
	return n
}

// HostKey returns the public host key the server presents now.
func (s *Server) HostKey() gossh.PublicKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hostKey.PublicKey()
}

// RotateHostKey replaces the host key for new connections and returns the new public key.
func (s *Server) RotateHostKey(t testing.TB) gossh.PublicKey {
	t.Helper()
	key := newHostKey(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hostKey = key
	return key.PublicKey()
}

// DropAfterStdinBytes makes the server close the whole connection once a command has
// received n bytes of stdin; n <= 0 turns dropping off.
func (s *Server) DropAfterStdinBytes(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropAfter = n
}

// FailCommands makes every command containing match exit with status and write stderr,
// without running it.
func (s *Server) FailCommands(match string, status int, stderr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{match: match, status: status, stderr: stderr})
}

// Connections returns how many TCP connections the server has accepted.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Execs returns how many exec requests the server has received.
func (s *Server) Execs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.execs
}

// KeepAliveSeen returns a channel that is closed once a keepalive request arrives.
func (s *Server) KeepAliveSeen() <-chan struct{} {
	return s.keepAlive
}

// Close stops listening, closes every connection and waits until every command has
// finished, so that tests can inspect the files the commands left behind.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		_ = s.listener.Close()
		for conn := range s.conns {
			_ = conn.Close()
		}
		s.mu.Unlock()
		s.handlers.Wait()
	})
}

// serve accepts connections until the listener closes.
func (s *Server) serve() {
	defer s.handlers.Done()
	for {
		conn, err := s.listener.Accept()
		if err != nil {
			return
		}
		if !s.track(conn) {
			_ = conn.Close()
			return
		}
		s.handlers.Add(1)
		go s.handleConn(conn)
	}
}

// track records an accepted connection unless the server is closing.
func (s *Server) track(conn net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accepted++
	if s.closed {
		return false
	}
	s.conns[conn] = struct{}{}
	return true
}

// serverConfig builds the handshake configuration with the current host key.
func (s *Server) serverConfig() *gossh.ServerConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	config := &gossh.ServerConfig{PublicKeyCallback: s.checkClientKey}
	config.AddHostKey(s.hostKey)
	return config
}

// checkClientKey accepts only the authorized key.
func (s *Server) checkClientKey(
	_ gossh.ConnMetadata, key gossh.PublicKey,
) (*gossh.Permissions, error) {
	authorized := s.opts.AuthorizedKey
	if authorized != nil && string(key.Marshal()) == string(authorized.Marshal()) {
		return &gossh.Permissions{}, nil
	}
	return nil, errors.New("public key not authorized")
}

// handleConn runs the SSH handshake and serves the connection's sessions.
func (s *Server) handleConn(conn net.Conn) {
	defer s.handlers.Done()
	defer s.untrack(conn)

	sshConn, chans, reqs, err := gossh.NewServerConn(conn, s.serverConfig())
	if err != nil {
		return
	}
	defer func() { _ = sshConn.Close() }()

	s.handlers.Add(1)
	go s.answerGlobalRequests(reqs)
	for newChannel := range chans {
		if newChannel.ChannelType() != "session" {
			_ = newChannel.Reject(gossh.UnknownChannelType, "only sessions")
			continue
		}
		channel, requests, err := newChannel.Accept()
		if err != nil {
			continue
		}
		s.handlers.Add(1)
		go s.handleSession(conn, channel, requests)
	}
}

// untrack forgets a connection and closes it.
func (s *Server) untrack(conn net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, conn)
	_ = conn.Close()
}

// answerGlobalRequests refuses every global request, as OpenSSH does for keepalives,
// and notes that a keepalive arrived.
func (s *Server) answerGlobalRequests(reqs <-chan *gossh.Request) {
	defer s.handlers.Done()
	for req := range reqs {
		if req.Type == "keepalive@openssh.com" {
			s.noteKeepAlive()
		}
		if req.WantReply {
			_ = req.Reply(false, nil)
		}
	}
}

// noteKeepAlive closes the keepalive channel once.
func (s *Server) noteKeepAlive() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.keepAlive:
	default:
		close(s.keepAlive)
	}
}

// newHostKey generates an ed25519 host key.
func newHostKey(t testing.TB) gossh.Signer {
	t.Helper()
	_, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatalf("generate host key: %v", err)
	}
	signer, err := gossh.NewSignerFromKey(private)
	if err != nil {
		t.Fatalf("host key signer: %v", err)
	}
	return signer
}
