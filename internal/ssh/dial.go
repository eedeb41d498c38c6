package ssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"k8s.io/apimachinery/pkg/util/wait"
)

// Dial connects to the host in cfg, verifies its host key and logs in. The TCP
// connection and the handshake together are bounded by cfg.DialTimeout and ctx. The
// private key is decoded before any connection is made, so a bad key fails at once.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	addr := cfg.address()

	signer, err := parseSigner(cfg.PrivateKey, cfg.Passphrase)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	policy, err := HostKeyPolicyFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}

	verifier := &hostKeyVerifier{policy: policy}
	conn, err := handshake(ctx, cfg, signer, verifier)
	if err != nil {
		return nil, classifyDialError(addr, verifier, err)
	}

	seen, _ := verifier.result()
	return newClient(cfg, conn, NewHostKey(seen)), nil
}

// DefaultRetry returns the backoff DialWithRetry callers normally use: five attempts,
// starting at one second and doubling up to 30 seconds.
func DefaultRetry() wait.Backoff {
	return wait.Backoff{Duration: time.Second, Factor: 2, Jitter: 0.1, Steps: 5,
		Cap: 30 * time.Second}
}

// DialWithRetry dials like Dial and retries errors for which IsRetriable is true, at
// most backoff.Steps attempts in all, waiting with exponential backoff in between.
// Other errors are returned at once.
func DialWithRetry(ctx context.Context, cfg Config, backoff wait.Backoff) (*Client, error) {
	backoff.Steps = max(backoff.Steps, 1)
	var client *Client
	var lastErr error
	attempts := 0

	err := wait.ExponentialBackoffWithContext(ctx, backoff,
		func(ctx context.Context) (bool, error) {
			attempts++
			c, err := Dial(ctx, cfg)
			switch {
			case err == nil:
				client = c
				return true, nil
			case IsRetriable(err):
				lastErr = err
				return false, nil
			default:
				return false, err
			}
		})

	if client != nil {
		return client, nil
	}
	if lastErr != nil && wait.Interrupted(err) {
		return nil, fmt.Errorf("gave up after %d attempts: %w", attempts, lastErr)
	}
	return nil, err
}

// handshake opens the TCP connection and runs the SSH handshake within the dial timeout.
func handshake(ctx context.Context, cfg Config, signer gossh.Signer,
	verifier *hostKeyVerifier) (*gossh.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()

	var dialer net.Dialer
	tcp, err := dialer.DialContext(ctx, "tcp", cfg.address())
	if err != nil {
		return nil, err
	}

	// A host that accepts TCP but stalls the handshake is cut off when ctx ends.
	stop := context.AfterFunc(ctx, func() { _ = tcp.Close() })
	config := &gossh.ClientConfig{
		User:              cfg.User,
		Auth:              []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback:   verifier.check,
		HostKeyAlgorithms: verifier.policy.algorithms(),
	}
	conn, chans, reqs, err := gossh.NewClientConn(tcp, cfg.address(), config)
	if !stop() {
		err = errors.Join(err, ctx.Err())
	}
	if err != nil {
		_ = tcp.Close()
		return nil, err
	}
	return gossh.NewClient(conn, chans, reqs), nil
}

// classifyDialError wraps a dial or handshake error with the sentinel that decides
// whether retrying can help.
func classifyDialError(addr string, verifier *hostKeyVerifier, err error) error {
	if _, mismatch := verifier.result(); mismatch != nil {
		return fmt.Errorf("dial %s: %w", addr, mismatch)
	}
	switch {
	case lacksExpectedKeyType(verifier.policy, err):
		return fmt.Errorf("dial %s: %w: host has no key of the expected type: %w", addr,
			ErrHostKeyMismatch, err)
	case strings.Contains(err.Error(), "unable to authenticate"):
		return fmt.Errorf("dial %s: %w: %w", addr, ErrAuth, err)
	case isNetworkError(err):
		return fmt.Errorf("dial %s: %w: %w", addr, ErrUnreachable, err)
	default:
		return fmt.Errorf("dial %s: %w", addr, err)
	}
}

// lacksExpectedKeyType reports whether the handshake failed because the host offers no
// key of the pinned or recorded key's type.
func lacksExpectedKeyType(policy HostKeyPolicy, err error) bool {
	expected, _ := policy.expected()
	return expected != nil && strings.Contains(err.Error(), "no common algorithm for host key")
}

// isNetworkError reports whether err comes from the network rather than from SSH: a
// refused, reset or timed out connection, or one closed during the handshake.
func isNetworkError(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, net.ErrClosed) ||
		errors.Is(err, context.DeadlineExceeded)
}
