package install

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// installBinary copies the running binary to the install directory unless the same
// content is there already.
func installBinary(o Options) error {
	src, err := o.System.Executable()
	if err != nil {
		return err
	}
	dst := o.System.Path(o.binaryPath())
	if same, err := sameFile(src, dst); err != nil || same {
		return err
	}

	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("install binary: %w", err)
	}
	defer func() { _ = f.Close() }()
	if err := writeAtomic(dst, f, 0o755); err != nil {
		return fmt.Errorf("install binary %s: %w", o.binaryPath(), err)
	}
	o.say("Installed %s", o.binaryPath())
	return nil
}

// sameFile reports whether dst is src itself or holds the same content.
func sameFile(src, dst string) (bool, error) {
	if resolved, err := filepath.EvalSymlinks(dst); err == nil && resolved == src {
		return true, nil
	}
	want, err := fileDigest(src)
	if err != nil {
		return false, fmt.Errorf("read running binary: %w", err)
	}
	have, err := fileDigest(dst)
	if err != nil {
		return false, fmt.Errorf("read installed binary: %w", err)
	}
	return bytes.Equal(want, have), nil
}

// linkKubectl makes kubectl in the install directory a link to lightnode, unless a
// kubectl is there already, which is left alone.
func linkKubectl(o Options) error {
	link := o.System.Path(o.kubectlPath())
	if _, err := os.Lstat(link); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err := os.Symlink(o.binaryPath(), link); err != nil {
		return fmt.Errorf("link %s: %w", o.kubectlPath(), err)
	}
	o.say("Linked %s to %s", o.kubectlPath(), o.binaryPath())
	return nil
}

// ownsKubectl reports whether kubectl in the install directory is the link to
// lightnode that install creates.
func ownsKubectl(o Options) bool {
	target, err := os.Readlink(o.System.Path(o.kubectlPath()))
	if err != nil {
		return false
	}
	return target == o.binaryPath() || target == binaryName
}
