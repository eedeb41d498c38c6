package images

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"strings"

	"github.com/distribution/reference"
)

// DefaultPath is the PATH an image gets when its Env does not set one.
const DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// ErrInvalidImage reports an image that cannot be packed as given: a reference without a
// tag, a file path outside the image root, no entrypoint. Packing it again fails again.
var ErrInvalidImage = errors.New("invalid image")

// File is one regular file of an image.
type File struct {
	// Mode holds the permission bits; zero means 0644.
	Mode fs.FileMode
	// Data is the file's content.
	Data []byte
}

// Image describes an image to pack: its reference, its files and how to run it.
type Image struct {
	// Ref is the image reference, such as lightcluster.dev/pause:3.10. A reference
	// without a registry is normalised the way containerd does (docker.io/library/...).
	Ref string
	// Files maps absolute paths inside the image to their content. Parent
	// directories are created with mode 0755.
	Files map[string]File
	// Entrypoint is the command the image runs.
	Entrypoint []string
	// Env holds NAME=value pairs; DefaultPath is added when no PATH is given.
	Env []string
	// OS is the operating system; empty means linux.
	OS string
	// Architecture is the CPU architecture in GOARCH terms; empty means the
	// architecture this program runs on.
	Architecture string
}

// PackImage packs a linux image for the architecture this program runs on into an OCI
// image archive tagged ref, whose entrypoint is the given command.
func PackImage(ref string, files map[string]File, entrypoint []string) ([]byte, error) {
	return Pack(Image{Ref: ref, Files: files, Entrypoint: entrypoint})
}

// normalized returns a copy of img with defaults filled in and its reference in the
// full form, or an error wrapping ErrInvalidImage.
func (img Image) normalized() (Image, string, error) {
	named, err := reference.ParseNormalizedNamed(img.Ref)
	if err != nil {
		return img, "", fmt.Errorf("%w: reference %q: %w", ErrInvalidImage, img.Ref, err)
	}
	tagged, ok := named.(reference.Tagged)
	if _, digested := named.(reference.Digested); !ok || digested {
		return img, "", fmt.Errorf("%w: reference %q is not NAME:TAG", ErrInvalidImage, img.Ref)
	}
	img.Ref = named.String()
	if len(img.Entrypoint) == 0 {
		return img, "", fmt.Errorf("%w: %s has no entrypoint", ErrInvalidImage, img.Ref)
	}
	if err := checkPaths(img.Files); err != nil {
		return img, "", fmt.Errorf("%w: %s: %w", ErrInvalidImage, img.Ref, err)
	}
	if img.OS == "" {
		img.OS = "linux"
	}
	if img.Architecture == "" {
		img.Architecture = runtime.GOARCH
	}
	if !hasPath(img.Env) {
		img.Env = append([]string{DefaultPath}, img.Env...)
	}
	return img, tagged.Tag(), nil
}

// checkPaths refuses file paths that are relative, unclean or the root itself.
func checkPaths(files map[string]File) error {
	for name := range files {
		if !path.IsAbs(name) || path.Clean(name) != name || name == "/" {
			return fmt.Errorf("file path %q is not a clean absolute path", name)
		}
	}
	return nil
}

// hasPath reports whether env sets PATH.
func hasPath(env []string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			return true
		}
	}
	return false
}
