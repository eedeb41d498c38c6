package provision

import (
	"context"
	"fmt"

	"github.com/lightcluster/lightcluster/internal/ssh"
)

// Step names, used at the start of errors.
const (
	// StepConnect logs in.
	StepConnect = "connect"
	// StepFacts gathers host facts.
	StepFacts = "gather facts"
	// StepEnsureBinary uploads the lightnode binary.
	StepEnsureBinary = "upload lightnode"
	// StepWriteCAs writes a server's CA set files.
	StepWriteCAs = "write CA files"
	// StepWriteConfig writes lightnode's configuration.
	StepWriteConfig = "write config"
	// StepInstall runs lightnode install.
	StepInstall = "install lightnode"
	// StepCheck queries the service and the installed files.
	StepCheck = "check lightnode"
	// StepUninstall runs lightnode uninstall.
	StepUninstall = "uninstall lightnode"
)

// Dialer logs in to a host; ssh.Dial is the one used outside tests.
type Dialer func(ctx context.Context, cfg ssh.Config) (*ssh.Client, error)

// Session is a logged-in connection to one Host on which the steps run. Close it
// when done.
type Session struct {
	host   Host
	client *ssh.Client
}

// Connect logs in to h with dial, or ssh.Dial when dial is nil. A host key other
// than the pinned or recorded one fails with an error wrapping
// ssh.ErrHostKeyMismatch, before any command runs.
func Connect(ctx context.Context, h Host, dial Dialer) (*Session, error) {
	if dial == nil {
		dial = ssh.Dial
	}
	c, err := dial(ctx, h.SSH)
	if err != nil {
		return nil, stepError(StepConnect, h, err)
	}
	return &Session{host: h, client: c}, nil
}

// HostKey returns the key the host presented, to be recorded in status.hostKey.
func (s *Session) HostKey() ssh.HostKey {
	return s.client.HostKey()
}

// Host returns the host the session is connected to.
func (s *Session) Host() Host {
	return s.host
}

// Close closes the connection.
func (s *Session) Close() error {
	return s.client.Close()
}

// stepError names the step and the host in front of err.
func stepError(step string, h Host, err error) error {
	return fmt.Errorf("%s on %s (%s): %w", step, h.Name, h.SSH.Address, err)
}
