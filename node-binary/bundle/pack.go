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

// StreamName is the name of the compressed stream that Pack writes.
const StreamName = "bundle.zst"

// windowSize is the zstd window of the stream: large enough for the compression to
// find what neighbouring programs share, small enough to bound the memory that
// decompressing takes.
const windowSize = 16 << 20

// Source is a file to put into a bundle.
type Source struct {
	// Name is the file's name once extracted.
	Name string
	// Kind says whether the file is a program or an image archive.
	Kind Kind
	// Path is where the build finds the file.
	Path string
}

// Pack compresses sources, in the given order, into one stream in dir and writes the
// manifest that lists them, so that dir can be embedded or loaded with Load. Programs
// that share code compress best next to each other. dir must exist; an earlier stream
// and manifest in it are replaced.
func Pack(dir string, sources []Source) (Manifest, error) {
	m, err := packStream(dir, sources)
	if err != nil {
		return Manifest{}, fmt.Errorf("pack bundle: %w", err)
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

// packStream writes the stream to a temporary file, renames it into place and returns
// the manifest that describes it.
func packStream(dir string, sources []Source) (Manifest, error) {
	tmp, err := os.CreateTemp(dir, ".pack-*")
	if err != nil {
		return Manifest{}, err
	}
	defer os.Remove(tmp.Name())

	m := Manifest{Stream: StreamName}
	m.Files, err = compress(tmp, sources)
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return Manifest{}, err
	}
	info, err := os.Stat(tmp.Name())
	if err != nil {
		return Manifest{}, err
	}
	m.StreamSize = info.Size()
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return Manifest{}, err
	}
	return m, os.Rename(tmp.Name(), filepath.Join(dir, StreamName))
}

// compress writes every source to out as one zstd stream and describes each.
func compress(out io.Writer, sources []Source) ([]File, error) {
	enc, err := zstd.NewWriter(out, zstd.WithEncoderLevel(zstd.SpeedBestCompression),
		zstd.WithWindowSize(windowSize))
	if err != nil {
		return nil, err
	}
	var files []File
	var offset int64
	for _, src := range sources {
		f, err := compressFile(enc, src)
		if err != nil {
			enc.Close()
			return nil, fmt.Errorf("pack %s: %w", src.Name, err)
		}
		f.Offset = offset
		offset += f.Size
		files = append(files, f)
	}
	return files, enc.Close()
}

// compressFile copies one source into the stream and describes it.
func compressFile(enc io.Writer, src Source) (File, error) {
	in, err := os.Open(src.Path)
	if err != nil {
		return File{}, err
	}
	defer in.Close()
	hash := sha256.New()
	size, err := io.Copy(enc, io.TeeReader(in, hash))
	if err != nil {
		return File{}, err
	}
	digest := hex.EncodeToString(hash.Sum(nil))
	return File{Name: src.Name, Kind: src.Kind, SHA256: digest, Size: size}, nil
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
