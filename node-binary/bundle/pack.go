package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/zstd"
)

// Source is a file to put into a bundle.
type Source struct {
	// Name is the file's name once extracted.
	Name string
	// Kind says whether the file is a program or an image archive.
	Kind Kind
	// Path is where the build finds the file.
	Path string
}

// Pack compresses sources into dir and writes the manifest that lists them, so that
// dir can be embedded or loaded with Load. dir must exist; files already in it with the
// same names are replaced.
func Pack(dir string, sources []Source) (Manifest, error) {
	var m Manifest
	for _, src := range sources {
		f, err := packFile(dir, src)
		if err != nil {
			return Manifest{}, fmt.Errorf("pack %s: %w", src.Name, err)
		}
		m.Files = append(m.Files, f)
	}
	if err := m.validate(); err != nil {
		return Manifest{}, fmt.Errorf("pack bundle: %w", err)
	}

	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, fmt.Errorf("encode bundle manifest: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir, ManifestName), append(data, '\n')); err != nil {
		return Manifest{}, fmt.Errorf("write bundle manifest: %w", err)
	}
	return m, nil
}

// packFile compresses one source into dir and describes it.
func packFile(dir string, src Source) (File, error) {
	in, err := os.Open(src.Path)
	if err != nil {
		return File{}, err
	}
	defer in.Close()

	compressed := string(src.Kind) + "." + src.Name + ".zst"
	f := File{Name: src.Name, Kind: src.Kind, Compressed: compressed}
	target := filepath.Join(dir, f.Compressed)
	tmp, err := os.CreateTemp(dir, ".pack-*")
	if err != nil {
		return File{}, err
	}
	defer os.Remove(tmp.Name())

	digest, size, err := compress(tmp, in)
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return File{}, err
	}
	info, err := os.Stat(tmp.Name())
	if err != nil {
		return File{}, err
	}
	f.SHA256, f.Size, f.CompressedSize = digest, size, info.Size()
	return f, os.Rename(tmp.Name(), target)
}

// compress writes in to out as one zstd stream and returns the hex SHA-256 digest and
// size of what it read.
func compress(out io.Writer, in io.Reader) (string, int64, error) {
	enc, err := zstd.NewWriter(out, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	if err != nil {
		return "", 0, err
	}
	hash := sha256.New()
	size, err := io.Copy(enc, io.TeeReader(in, hash))
	if closeErr := enc.Close(); err == nil {
		err = closeErr
	}
	return hex.EncodeToString(hash.Sum(nil)), size, err
}

// writeAtomic writes data to a temporary file beside name and renames it into place.
func writeAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".pack-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
