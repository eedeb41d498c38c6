package pki

import "errors"

// ErrMissing reports that a file of a CA set or key pair is absent. It is wrapped with the
// name of the file, as in "server-ca.key: missing".
var ErrMissing = errors.New("missing")

// ErrNotCA reports that a certificate expected to be a certificate authority is not one.
var ErrNotCA = errors.New("not a CA certificate")

// ErrKeyMismatch reports that a private key does not belong to the certificate or public
// key it is paired with.
var ErrKeyMismatch = errors.New("key does not match")

// ErrCAExpired reports that a CA can no longer issue certificates because it has expired.
// CAs are never renewed automatically, so retrying does not help.
var ErrCAExpired = errors.New("CA has expired")
