package provision

import (
	"context"

	"github.com/lightcluster/lightcluster/internal/hostfacts"
	"github.com/lightcluster/lightcluster/internal/ssh"
)

// Status is what Check found on the host.
type Status struct {
	// ServiceActive is true when the init system reports lightnode's service running.
	ServiceActive bool
	// BinaryDigest is the hex SHA-256 of the installed binary, empty when absent.
	BinaryDigest string
	// ConfigDigest is the hex SHA-256 of the configuration file, empty when absent.
	ConfigDigest string
}

// Check asks the init system whether lightnode's service is active and reads the
// digests of the binary and the configuration file. A service that is not active
// is reported in Status, not as an error.
func (s *Session) Check(ctx context.Context, init hostfacts.InitSystem) (Status, error) {
	var st Status
	var err error
	if st.ServiceActive, err = s.serviceActive(ctx, init); err != nil {
		return Status{}, stepError(StepCheck, s.host, err)
	}
	if st.BinaryDigest, err = s.digestOf(ctx, s.host.BinaryPath()); err != nil {
		return Status{}, stepError(StepCheck, s.host, err)
	}
	if st.ConfigDigest, err = s.digestOf(ctx, s.host.ConfigFile); err != nil {
		return Status{}, stepError(StepCheck, s.host, err)
	}
	return st, nil
}

// serviceActive runs the init system's status query for the service.
func (s *Session) serviceActive(ctx context.Context, init hostfacts.InitSystem) (bool, error) {
	args := []string{"systemctl", "is-active", "--quiet", s.host.ServiceName()}
	if init == hostfacts.InitOpenRC {
		args = []string{"rc-service", s.host.ServiceName(), "status"}
	}
	_, err := s.client.Run(ctx, ssh.Command{Name: "query service", Args: args, Sudo: s.host.Sudo})
	if isExitStatus(err) {
		return false, nil
	}
	return err == nil, err
}

// digestOf returns the digest of file on the host, or "" when it does not exist.
func (s *Session) digestOf(ctx context.Context, file string) (string, error) {
	digest, exists, err := s.client.RemoteDigest(ctx, file, s.host.Sudo)
	if err != nil || !exists {
		return "", err
	}
	return digest, nil
}
