package ssh

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"
)

// contentMismatchStatus is the exit status of the install script when the received
// file does not have the expected size and digest.
const contentMismatchStatus = 65

// cleanupTimeout bounds removing a temporary file after a failed upload.
const cleanupTimeout = 30 * time.Second

// Upload streams size bytes from src to dest on the host and installs the file with
// mode, atomically: the bytes go to a temporary file beside dest, the host checks their
// size and SHA-256 digest against sha256hex, and only then renames the file over dest.
// On any failure the temporary file is removed and dest is left as it was. With sudo,
// the file is written and installed as root.
func (c *Client) Upload(ctx context.Context, src io.Reader, size int64, dest string,
	mode os.FileMode, sha256hex string, sudo bool) error {
	return c.install(ctx, "upload "+dest, src, size, dest, mode, sha256hex, sudo)
}

// WriteFile installs data as dest with mode, in the same atomic way as Upload. It is
// meant for small files such as configuration; data never appears in errors.
func (c *Client) WriteFile(ctx context.Context, dest string, data []byte,
	mode os.FileMode, sudo bool) error {
	sum := sha256.Sum256(data)
	return c.install(ctx, "write "+dest, bytes.NewReader(data), int64(len(data)), dest,
		mode, hex.EncodeToString(sum[:]), sudo)
}

// UploadIfChanged uploads like Upload unless dest already has the digest sha256hex, in
// which case src is not read. It reports whether it uploaded.
func (c *Client) UploadIfChanged(ctx context.Context, src io.Reader, size int64,
	dest string, mode os.FileMode, sha256hex string, sudo bool) (bool, error) {
	digest, exists, err := c.RemoteDigest(ctx, dest, sudo)
	if err != nil {
		return false, err
	}
	if exists && digest == strings.ToLower(sha256hex) {
		return false, nil
	}
	if err := c.Upload(ctx, src, size, dest, mode, sha256hex, sudo); err != nil {
		return false, err
	}
	return true, nil
}

// RemoteDigest returns the hex SHA-256 digest of the regular file at file on the host,
// and false when there is no such file.
func (c *Client) RemoteDigest(ctx context.Context, file string, sudo bool) (
	string, bool, error) {
	if err := checkRemotePath(file); err != nil {
		return "", false, fmt.Errorf("digest %s: %w", file, err)
	}
	q := ShellQuote(file)
	script := "if [ -f " + q + " ]; then sum=$(sha256sum < " + q + ") && " +
		`printf '%s\n' "${sum%% *}"; fi`

	res, err := c.Run(ctx, Command{Name: "digest " + file, Script: script, Sudo: sudo})
	if err != nil {
		return "", false, err
	}
	digest := strings.TrimSpace(res.Stdout)
	if digest == "" {
		return "", false, nil
	}
	if !isSHA256Hex(digest) {
		return "", false, fmt.Errorf("digest %s: unexpected sha256sum output %q", file, digest)
	}
	return digest, true, nil
}

// install streams src into a temporary file beside dest and moves it into place once
// the host has verified it.
func (c *Client) install(ctx context.Context, step string, src io.Reader, size int64,
	dest string, mode os.FileMode, sha256hex string, sudo bool) error {
	sha256hex = strings.ToLower(sha256hex)
	if err := checkInstall(dest, size, sha256hex); err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	tmp, err := tempPath(dest)
	if err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}

	script := installScript(tmp, dest, size, mode, sha256hex)
	cmd := Command{Name: step, Script: script, Stdin: io.LimitReader(src, size), Sudo: sudo}
	_, err = c.Run(ctx, cmd)
	if err == nil {
		return nil
	}

	// The script removes its temporary file itself; this covers a script that was
	// killed before it could.
	c.removeQuietly(ctx, tmp, sudo)
	var cmdErr *CommandError
	if errors.As(err, &cmdErr) && cmdErr.ExitStatus == contentMismatchStatus {
		return fmt.Errorf("%w: %w", ErrDigestMismatch, err)
	}
	return err
}

// installScript writes stdin to tmp, checks its size and digest, sets its mode and
// renames it to dest. The trap removes tmp whenever the script stops before the rename.
func installScript(tmp, dest string, size int64, mode os.FileMode, sha256hex string) string {
	want := fmt.Sprintf("%d bytes with sha256 %s", size, sha256hex)
	lines := []string{
		"set -eu",
		"tmp=" + ShellQuote(tmp),
		"mkdir -p -- " + ShellQuote(path.Dir(dest)),
		`trap 'rm -f -- "$tmp"' EXIT`,
		"trap 'exit 1' HUP INT TERM PIPE",
		"umask 077",
		`cat > "$tmp"`,
		`size=$(wc -c < "$tmp")`,
		`sum=$(sha256sum < "$tmp")`,
		`sum=${sum%% *}`,
		fmt.Sprintf(`if [ "$((size))" -ne %d ] || [ "$sum" != %s ]; then`, size, sha256hex),
		fmt.Sprintf(`  echo "received $((size)) bytes with sha256 $sum, want %s" >&2`, want),
		fmt.Sprintf("  exit %d", contentMismatchStatus),
		"fi",
		fmt.Sprintf(`chmod %o -- "$tmp"`, mode.Perm()),
		`mv -f -- "$tmp" ` + ShellQuote(dest),
		"trap - EXIT",
	}
	return strings.Join(lines, "\n") + "\n"
}

// removeQuietly removes a temporary file on a best-effort basis; an error here would
// hide the error that made the upload fail.
func (c *Client) removeQuietly(ctx context.Context, tmp string, sudo bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_, _ = c.Run(ctx, Command{Name: "remove " + tmp, Args: []string{"rm", "-f", "--", tmp},
		Sudo: sudo})
}

// tempPath returns a random hidden name in dest's directory, so that the final rename
// stays within one file system.
func tempPath(dest string) (string, error) {
	random := make([]byte, 6)
	if _, err := rand.Read(random); err != nil {
		return "", fmt.Errorf("random temporary name: %w", err)
	}
	name := "." + path.Base(dest) + ".tmp-" + hex.EncodeToString(random)
	return path.Join(path.Dir(dest), name), nil
}

// checkInstall validates the arguments of an upload.
func checkInstall(dest string, size int64, sha256hex string) error {
	if err := checkRemotePath(dest); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("size %d: must not be negative", size)
	}
	if !isSHA256Hex(sha256hex) {
		return fmt.Errorf("sha256 %q: must be 64 hex digits", sha256hex)
	}
	return nil
}

// checkRemotePath requires a clean absolute path that names a file.
func checkRemotePath(p string) error {
	if !path.IsAbs(p) || path.Clean(p) != p || p == "/" {
		return fmt.Errorf("path %q: must be a clean absolute file path", p)
	}
	return nil
}

// isSHA256Hex reports whether s is a lowercase hex SHA-256 digest.
func isSHA256Hex(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}
