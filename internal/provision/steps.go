package provision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/lightcluster/lightcluster/internal/catalog"
	"github.com/lightcluster/lightcluster/internal/hostfacts"
	"github.com/lightcluster/lightcluster/internal/ssh"
)

// Modes of the files the operator writes.
const (
	binaryMode = 0o755
	secretMode = 0o600
)

// InstallTimeout bounds `lightnode install`, which waits until the service is up.
const InstallTimeout = 5 * time.Minute

// UninstallTimeout bounds `lightnode uninstall`.
const UninstallTimeout = 5 * time.Minute

// Facts gathers the host's facts. It does not judge them; see hostfacts.Supported.
func (s *Session) Facts(ctx context.Context) (hostfacts.Facts, error) {
	facts, err := hostfacts.Gather(ctx, s.client, s.host.DataDir)
	if err != nil {
		return hostfacts.Facts{}, stepError(StepFacts, s.host, err)
	}
	return facts, nil
}

// EnsureBinary installs bin as the host's lightnode binary unless the installed
// one already has its digest. It reports whether it uploaded.
func (s *Session) EnsureBinary(ctx context.Context, bin catalog.Binary) (bool, error) {
	src, err := bin.Open()
	if err != nil {
		return false, stepError(StepEnsureBinary, s.host, err)
	}
	defer func() { _ = src.Close() }()

	uploaded, err := s.client.UploadIfChanged(ctx, src, bin.Size, s.host.BinaryPath(),
		binaryMode, bin.SHA256, s.host.Sudo)
	if err != nil {
		return false, stepError(StepEnsureBinary, s.host, err)
	}
	return uploaded, nil
}

// WriteConfig installs data as the host's lightnode configuration, mode 0600,
// unless the file already holds exactly data. It reports whether it wrote.
func (s *Session) WriteConfig(ctx context.Context, data []byte) (bool, error) {
	wrote, err := s.writeIfChanged(ctx, s.host.ConfigFile, data)
	if err != nil {
		return false, stepError(StepWriteConfig, s.host, err)
	}
	return wrote, nil
}

// WriteCAs installs the CA set files, keyed by path relative to
// <dataDir>/server/tls as pki.CASet.Files returns them, each mode 0600 and only
// when its content differs. It reports whether it wrote any.
func (s *Session) WriteCAs(ctx context.Context, files map[string][]byte) (bool, error) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)

	var wrote bool
	for _, name := range names {
		if !filepath.IsLocal(name) || path.Clean(name) != name {
			return wrote, stepError(StepWriteCAs, s.host, fmt.Errorf("invalid CA file %q", name))
		}
		changed, err := s.writeIfChanged(ctx, path.Join(s.host.TLSDir(), name), files[name])
		if err != nil {
			return wrote, stepError(StepWriteCAs, s.host, fmt.Errorf("%s: %w", name, err))
		}
		wrote = wrote || changed
	}
	return wrote, nil
}

// Install runs `lightnode install <role>`, which writes, enables and starts the
// service and waits until it is up.
func (s *Session) Install(ctx context.Context) error {
	_, err := s.client.Run(ctx, ssh.Command{
		Name:    StepInstall,
		Args:    []string{s.host.BinaryPath(), "install", string(s.host.Role)},
		Sudo:    s.host.Sudo,
		Timeout: InstallTimeout,
	})
	if err != nil {
		return stepError(StepInstall, s.host, err)
	}
	return nil
}

// Uninstall runs `lightnode uninstall`. A host without the binary has nothing
// installed, which is success.
func (s *Session) Uninstall(ctx context.Context) error {
	bin := ssh.ShellQuote(s.host.BinaryPath())
	_, err := s.client.Run(ctx, ssh.Command{
		Name:    StepUninstall,
		Script:  "if [ -e " + bin + " ]; then exec " + bin + " uninstall; fi",
		Sudo:    s.host.Sudo,
		Timeout: UninstallTimeout,
	})
	if err != nil {
		return stepError(StepUninstall, s.host, err)
	}
	return nil
}

// writeIfChanged writes data to dest with mode 0600 unless dest already holds it.
func (s *Session) writeIfChanged(ctx context.Context, dest string, data []byte) (bool, error) {
	current, exists, err := s.client.RemoteDigest(ctx, dest, s.host.Sudo)
	if err != nil {
		return false, err
	}
	if exists && current == Digest(data) {
		return false, nil
	}
	if err := s.client.WriteFile(ctx, dest, data, secretMode, s.host.Sudo); err != nil {
		return false, err
	}
	return true, nil
}

// Digest returns the lowercase hex SHA-256 of data, as the host reports digests.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// isExitStatus reports whether err is a command that ran and exited non-zero.
func isExitStatus(err error) bool {
	var cmdErr *ssh.CommandError
	return errors.As(err, &cmdErr) && !errors.Is(err, ssh.ErrSudoPassword) &&
		!errors.Is(err, ssh.ErrSudoPasswordRequired)
}
