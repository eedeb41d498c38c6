package ssh

import (
	"fmt"
	"net"
	"strings"
	"sync"

	gossh "golang.org/x/crypto/ssh"
)

// HostKey is a host public key as presented in the SSH handshake.
type HostKey struct {
	// AuthorizedKey is the key in authorized_keys format, without a comment.
	AuthorizedKey string
	// Fingerprint is the key's SHA256 fingerprint, such as "SHA256:n4b...".
	Fingerprint string
}

// NewHostKey describes key in authorized_keys format and by fingerprint.
func NewHostKey(key gossh.PublicKey) HostKey {
	return HostKey{
		AuthorizedKey: strings.TrimSpace(string(gossh.MarshalAuthorizedKey(key))),
		Fingerprint:   gossh.FingerprintSHA256(key),
	}
}

// ParseHostKey parses one public key in authorized_keys format, such as
// "ssh-ed25519 AAAA... comment".
func ParseHostKey(authorizedKey string) (gossh.PublicKey, error) {
	key, _, _, rest, err := gossh.ParseAuthorizedKey([]byte(authorizedKey))
	if err != nil {
		return nil, fmt.Errorf("%w: parse host key: %v", ErrInvalidKey, err)
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, fmt.Errorf("%w: parse host key: more than one key", ErrInvalidKey)
	}
	return key, nil
}

// HostKeyPolicy decides which host key a connection accepts: the pinned key when set,
// else the key recorded on an earlier connection when set, else any key, which is then
// reported so that the caller can record it.
type HostKeyPolicy struct {
	// Pinned is the key the host must present, if set.
	Pinned gossh.PublicKey
	// Known is the key recorded earlier; it is ignored when Pinned is set.
	Known gossh.PublicKey
}

// HostKeyPolicyFor builds the policy from a config's HostKey and KnownHostKey.
func HostKeyPolicyFor(cfg Config) (HostKeyPolicy, error) {
	var policy HostKeyPolicy
	var err error
	if cfg.HostKey != "" {
		if policy.Pinned, err = ParseHostKey(cfg.HostKey); err != nil {
			return HostKeyPolicy{}, fmt.Errorf("pinned host key: %w", err)
		}
	}
	if cfg.KnownHostKey != "" {
		if policy.Known, err = ParseHostKey(cfg.KnownHostKey); err != nil {
			return HostKeyPolicy{}, fmt.Errorf("recorded host key: %w", err)
		}
	}
	return policy, nil
}

// expected returns the key a host must present and where it comes from, or nil when
// any key is accepted.
func (p HostKeyPolicy) expected() (gossh.PublicKey, string) {
	switch {
	case p.Pinned != nil:
		return p.Pinned, "pinned"
	case p.Known != nil:
		return p.Known, "recorded"
	default:
		return nil, ""
	}
}

// algorithms returns the host key algorithms to offer so that a host with several keys
// presents the expected one; nil leaves the library's default.
func (p HostKeyPolicy) algorithms() []string {
	key, _ := p.expected()
	if key == nil {
		return nil
	}
	if key.Type() == gossh.KeyAlgoRSA {
		return []string{gossh.KeyAlgoRSASHA512, gossh.KeyAlgoRSASHA256, gossh.KeyAlgoRSA}
	}
	return []string{key.Type()}
}

// HostKeyError reports that a host presented an unexpected key. It wraps
// ErrHostKeyMismatch and holds only public keys.
type HostKeyError struct {
	// Host is the address that was dialed.
	Host string
	// Source says whether the expected key was "pinned" or "recorded".
	Source string
	// Expected is the key the policy asked for.
	Expected HostKey
	// Seen is the key the host presented.
	Seen HostKey
}

// Error names the host and both fingerprints.
func (e *HostKeyError) Error() string {
	return fmt.Sprintf("%s: host %s presented %s, %s key is %s", ErrHostKeyMismatch,
		e.Host, e.Seen.Fingerprint, e.Source, e.Expected.Fingerprint)
}

// Unwrap returns ErrHostKeyMismatch.
func (e *HostKeyError) Unwrap() error {
	return ErrHostKeyMismatch
}

// hostKeyVerifier applies a policy during the handshake and remembers the key seen.
type hostKeyVerifier struct {
	policy HostKeyPolicy

	mu       sync.Mutex
	seen     gossh.PublicKey
	mismatch *HostKeyError
}

// check is the handshake's host key callback.
func (v *hostKeyVerifier) check(host string, _ net.Addr, key gossh.PublicKey) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seen = key

	expected, source := v.policy.expected()
	if expected == nil || string(expected.Marshal()) == string(key.Marshal()) {
		return nil
	}
	v.mismatch = &HostKeyError{
		Host:     host,
		Source:   source,
		Expected: NewHostKey(expected),
		Seen:     NewHostKey(key),
	}
	return v.mismatch
}

// result returns the key seen and the mismatch, if any.
func (v *hostKeyVerifier) result() (gossh.PublicKey, *HostKeyError) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.seen, v.mismatch
}
