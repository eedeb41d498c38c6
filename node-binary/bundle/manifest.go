package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
)

// ManifestName is the name of the manifest file inside a bundle.
const ManifestName = "manifest.json"

// ErrInvalidBundle reports a bundle whose manifest or compressed files do not agree
// with each other; the binary that carries it was built wrong, and retrying cannot help.
var ErrInvalidBundle = errors.New("invalid bundle")

// Kind says where an extracted file goes and which mode it gets.
type Kind string

const (
	// KindBin is an executable program, extracted into bin/ with mode 0755.
	KindBin Kind = "bin"
	// KindImage is an image archive, extracted into images/ with mode 0644.
	KindImage Kind = "image"
)

// dir returns the directory, relative to an extraction, that holds files of kind k.
func (k Kind) dir() string {
	if k == KindImage {
		return "images"
	}
	return "bin"
}

// mode returns the file mode of extracted files of kind k.
func (k Kind) mode() fs.FileMode {
	if k == KindImage {
		return 0o644
	}
	return 0o755
}

// Manifest lists the files of a bundle.
type Manifest struct {
	// Stream is the name, inside the bundle, of the zstd stream that holds the content
	// of every file back to back in the order of Files. One stream lets the
	// compression share what the programs have in common (the Go runtime, libraries).
	Stream string `json:"stream"`
	// StreamSize is the size of the compressed stream in bytes.
	StreamSize int64 `json:"streamSize"`
	// Files lists the files in the order they were packed.
	Files []File `json:"files"`
}

// File describes one file of a bundle.
type File struct {
	// Name is the file's name once extracted, a single path element.
	Name string `json:"name"`
	// Kind says whether the file is a program or an image archive.
	Kind Kind `json:"kind"`
	// SHA256 is the hex SHA-256 digest of the uncompressed content.
	SHA256 string `json:"sha256"`
	// Size is the size of the uncompressed content in bytes.
	Size int64 `json:"size"`
	// Offset is where the content starts in the uncompressed stream.
	Offset int64 `json:"offset"`
}

// Bundle is a loaded bundle, ready to extract.
type Bundle struct {
	fsys     fs.FS
	manifest Manifest
	digest   string
}

// Load reads the manifest of the bundle held in fsys and checks that it is well formed.
func Load(fsys fs.FS) (*Bundle, error) {
	data, err := fs.ReadFile(fsys, ManifestName)
	if err != nil {
		return nil, fmt.Errorf("read bundle manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%w: decode manifest: %w", ErrInvalidBundle, err)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidBundle, err)
	}
	sum := sha256.Sum256(data)
	return &Bundle{fsys: fsys, manifest: m, digest: hex.EncodeToString(sum[:])}, nil
}

// Digest returns the hex SHA-256 digest that identifies the bundle.
func (b *Bundle) Digest() string { return b.digest }

// Files returns the files the bundle holds.
func (b *Bundle) Files() []File { return append([]File(nil), b.manifest.Files...) }

// validate checks names, kinds and digests, that the files follow each other in the
// stream, and that no two files land on one path.
func (m Manifest) validate() error {
	if err := validName(m.Stream); err != nil {
		return err
	}
	seen := map[string]bool{}
	var offset int64
	for _, f := range m.Files {
		if err := f.validate(); err != nil {
			return err
		}
		if f.Offset != offset {
			return fmt.Errorf("file %s starts at %d, want %d", f.Name, f.Offset, offset)
		}
		offset += f.Size
		target := path.Join(f.Kind.dir(), f.Name)
		if seen[target] {
			return fmt.Errorf("manifest lists %s twice", target)
		}
		seen[target] = true
	}
	return nil
}

// validName refuses names that are not a single path element.
func validName(name string) error {
	if !fs.ValidPath(name) || path.Base(name) != name || name == "." {
		return fmt.Errorf("file name %q is not a single path element", name)
	}
	return nil
}

// validate checks one manifest entry.
func (f File) validate() error {
	if err := validName(f.Name); err != nil {
		return err
	}
	if f.Kind != KindBin && f.Kind != KindImage {
		return fmt.Errorf("file %s has unknown kind %q", f.Name, f.Kind)
	}
	if sum, err := hex.DecodeString(f.SHA256); err != nil || len(sum) != sha256.Size {
		return fmt.Errorf("file %s has malformed digest %q", f.Name, f.SHA256)
	}
	if f.Size < 0 {
		return fmt.Errorf("file %s has a negative size", f.Name)
	}
	return nil
}
