package ssh

import (
	"errors"
	"fmt"
	"strings"
)

// Errors that tell a caller whether retrying can help. Test them with errors.Is.
var (
	// ErrUnreachable means the host could not be reached: the TCP connection was
	// refused, reset or timed out, or the handshake was cut off. Retrying may succeed.
	ErrUnreachable = errors.New("host unreachable")
	// ErrConnectionLost means an established connection broke while a command ran.
	// Retrying may succeed.
	ErrConnectionLost = errors.New("connection lost")
	// ErrAuth means the host refused the private key. Retrying cannot succeed until
	// the key or the host's authorized keys change.
	ErrAuth = errors.New("authentication refused")
	// ErrHostKeyMismatch means the host presented a key other than the pinned or
	// recorded one; no command runs. Retrying cannot succeed.
	ErrHostKeyMismatch = errors.New("host key mismatch")
	// ErrInvalidKey means the private key or a host key could not be parsed, or the
	// passphrase did not decrypt the private key.
	ErrInvalidKey = errors.New("invalid key")
	// ErrPassphraseRequired means the private key is protected and no passphrase
	// was given.
	ErrPassphraseRequired = errors.New("private key is protected by a passphrase")
	// ErrSudoPassword means sudo rejected the configured password.
	ErrSudoPassword = errors.New("sudo rejected the password")
	// ErrSudoPasswordRequired means sudo asks for a password and none is configured.
	ErrSudoPasswordRequired = errors.New("sudo requires a password")
	// ErrDigestMismatch means an uploaded file did not have the expected SHA-256
	// digest on the host; the file was not installed.
	ErrDigestMismatch = errors.New("sha256 digest mismatch")
)

// IsRetriable reports whether err may go away by trying again.
func IsRetriable(err error) bool {
	return errors.Is(err, ErrUnreachable) || errors.Is(err, ErrConnectionLost)
}

// maxStderr bounds how much of a command's stderr a CommandError keeps.
const maxStderr = 4096

// CommandError is returned when a command exits with a non-zero status.
type CommandError struct {
	// Name is the step the command performs, such as "install lightnode".
	Name string
	// ExitStatus is the command's exit status.
	ExitStatus int
	// Stderr is the command's trimmed standard error, cut to its last 4 KiB.
	Stderr string
}

// Error names the step, the exit status and the command's stderr.
func (e *CommandError) Error() string {
	msg := fmt.Sprintf("%s: exit status %d", e.Name, e.ExitStatus)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

// newCommandError builds a CommandError with stderr trimmed and bounded.
func newCommandError(name string, status int, stderr string) *CommandError {
	stderr = strings.TrimSpace(stderr)
	if len(stderr) > maxStderr {
		stderr = "..." + stderr[len(stderr)-maxStderr:]
	}
	return &CommandError{Name: name, ExitStatus: status, Stderr: stderr}
}
