// Package ssh is the transport the operator uses to drive machines: it dials a host with
// a private key, verifies the host key against a pinned or previously recorded key, runs
// commands (optionally through sudo), and installs files atomically with a verified
// SHA-256 digest.
//
// Errors that decide whether a caller should retry are sentinels: ErrUnreachable and
// ErrConnectionLost may succeed later (see IsRetriable); ErrAuth, ErrHostKeyMismatch,
// ErrInvalidKey, ErrPassphraseRequired, ErrSudoPassword and ErrSudoPasswordRequired
// cannot succeed until the configuration changes, and ErrDigestMismatch not until the
// uploaded content does. No error carries a private key, passphrase, sudo password or
// file content.
package ssh
