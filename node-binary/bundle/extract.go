package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Names inside <data-dir>/data.
const (
	// DataDirName is the directory below the node's data directory that holds
	// extracted bundles, one subdirectory per bundle digest.
	DataDirName = "data"
	// CurrentLink is the symlink, beside the extracted bundles, that points at the
	// bundle most recently extracted.
	CurrentLink = "current"

	// tmpPrefix starts the names of directories being unpacked and of links being
	// swapped in; oldPrefix those of damaged extractions being removed.
	tmpPrefix = ".tmp-"
	oldPrefix = ".old-"
)

// ImagesDir returns the directory that holds the image archives of the extraction
// whose programs are in binDir.
func ImagesDir(binDir string) string {
	return filepath.Join(filepath.Dir(binDir), KindImage.dir())
}

// Extract unpacks b into <dataDir>/data/<digest>/, points <dataDir>/data/current at it,
// and returns the directory that holds its programs; ImagesDir gives the one that holds
// its images. A complete earlier extraction of the same digest is kept as it is; one
// with a missing or damaged file is replaced as a whole.
func (b *Bundle) Extract(dataDir string) (binDir string, err error) {
	root := filepath.Join(dataDir, DataDirName)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("extract bundle: %w", err)
	}
	unlock, err := lockDir(root)
	if err != nil {
		return "", fmt.Errorf("extract bundle: %w", err)
	}
	defer unlock()

	target := filepath.Join(root, b.digest)
	if err := b.ensure(root, target); err != nil {
		return "", fmt.Errorf("extract bundle %s into %s: %w", b.short(), root, err)
	}
	if err := pointCurrent(root, b.digest); err != nil {
		return "", fmt.Errorf("extract bundle %s: %w", b.short(), err)
	}
	return filepath.Join(target, KindBin.dir()), nil
}

// short returns the first characters of the digest, enough to name it in messages.
func (b *Bundle) short() string { return b.digest[:12] }

// ensure leaves a complete extraction at target, unpacking one when target is missing
// or fails verification.
func (b *Bundle) ensure(root, target string) error {
	if b.verify(target) == nil {
		return nil
	}

	// The lock is held, so anything temporary is left over from an interrupted run.
	if err := removeLeftovers(root); err != nil {
		return err
	}
	tmp, err := b.unpack(root)
	if err != nil {
		return err
	}
	if err := replaceDir(root, target, tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return nil
}

// verify checks that every file of b is in place below dir with its mode, size and
// digest.
func (b *Bundle) verify(dir string) error {
	for _, f := range b.manifest.Files {
		if err := verifyFile(filepath.Join(dir, f.Kind.dir(), f.Name), f); err != nil {
			return err
		}
	}
	return nil
}

// verifyFile checks one extracted file against its manifest entry.
func verifyFile(name string, f File) error {
	info, err := os.Lstat(name)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() || info.Mode().Perm() != f.Kind.mode() || info.Size() != f.Size {
		return fmt.Errorf("%s: mode %v size %d differ from the bundle", name, info.Mode(),
			info.Size())
	}
	file, err := os.Open(name)
	if err != nil {
		return err
	}
	defer file.Close()
	hash := sha256.New()
	if _, err := io.Copy(hash, file); err != nil {
		return err
	}
	if hex.EncodeToString(hash.Sum(nil)) != f.SHA256 {
		return fmt.Errorf("%s: content differs from the bundle", name)
	}
	return nil
}

// removeLeftovers deletes what interrupted extractions left in root.
func removeLeftovers(root string) error {
	entries, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) || strings.HasPrefix(e.Name(), oldPrefix) {
			if err := os.RemoveAll(filepath.Join(root, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// unpack decompresses every file of b into a new temporary directory in root, synced
// to disk, and returns that directory.
func (b *Bundle) unpack(root string) (string, error) {
	tmp, err := os.MkdirTemp(root, tmpPrefix+b.short()+"-")
	if err != nil {
		return "", err
	}
	if err := b.unpackInto(tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	return tmp, nil
}

// unpackInto writes every file of b below dir and syncs the directories.
func (b *Bundle) unpackInto(dir string) error {
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	for _, kind := range []Kind{KindBin, KindImage} {
		if err := os.Mkdir(filepath.Join(dir, kind.dir()), 0o755); err != nil {
			return err
		}
	}
	if err := b.unpackStream(dir); err != nil {
		return err
	}
	for _, sub := range []string{KindBin.dir(), KindImage.dir(), "."} {
		if err := syncDir(filepath.Join(dir, sub)); err != nil {
			return err
		}
	}
	return nil
}

// unpackStream decompresses the stream into one file after another below dir and
// checks that nothing follows the last one.
func (b *Bundle) unpackStream(dir string) error {
	src, err := b.fsys.Open(b.manifest.Stream)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidBundle, err)
	}
	defer src.Close()
	dec, err := zstd.NewReader(src, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxWindow(windowSize))
	if err != nil {
		return err
	}
	defer dec.Close()

	for _, f := range b.manifest.Files {
		if err := unpackFile(dec, filepath.Join(dir, f.Kind.dir(), f.Name), f); err != nil {
			return fmt.Errorf("unpack %s: %w", f.Name, err)
		}
	}
	if n, err := io.Copy(io.Discard, dec); err != nil || n != 0 {
		return fmt.Errorf("%w: stream does not end after the last file (%d bytes, %v)",
			ErrInvalidBundle, n, err)
	}
	return nil
}

// unpackFile copies the next f.Size bytes of the stream to name, checks their digest,
// and syncs the file.
func unpackFile(stream io.Reader, name string, f File) error {
	out, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, f.Kind.mode())
	if err != nil {
		return err
	}
	defer out.Close()
	hash := sha256.New()
	size, err := io.CopyN(io.MultiWriter(out, hash), stream, f.Size)
	if err != nil {
		return fmt.Errorf("%w: decompress at %d of %d bytes: %w", ErrInvalidBundle, size,
			f.Size, err)
	}
	if hex.EncodeToString(hash.Sum(nil)) != f.SHA256 {
		return fmt.Errorf("%w: content differs from the manifest", ErrInvalidBundle)
	}
	if err := out.Sync(); err != nil {
		return err
	}
	return out.Close()
}

// replaceDir moves the complete extraction tmp to target, first moving aside and
// removing whatever is at target.
func replaceDir(root, target, tmp string) error {
	old := filepath.Join(root, oldPrefix+filepath.Base(tmp))
	err := os.Rename(target, old)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(tmp, target); err != nil {
		return err
	}
	if err := syncDir(root); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

// pointCurrent makes root/current a relative symlink to digest, replacing an older link
// with a rename so that readers always see one of the two.
func pointCurrent(root, digest string) error {
	link := filepath.Join(root, CurrentLink)
	if dest, err := os.Readlink(link); err == nil && dest == digest {
		return nil
	}
	tmp := filepath.Join(root, tmpPrefix+CurrentLink)
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("point %s at %s: %w", link, digest, err)
	}
	if err := os.Symlink(digest, tmp); err != nil {
		return fmt.Errorf("point %s at %s: %w", link, digest, err)
	}
	if err := os.Rename(tmp, link); err != nil {
		return fmt.Errorf("point %s at %s: %w", link, digest, err)
	}
	return syncDir(root)
}

// syncDir flushes a directory's entries to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
