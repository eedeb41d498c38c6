// Command packimage packs files into an OCI image archive that containerd imports with
// the given tag. The build uses it for the pause image and the test images.
//
//	packimage -ref lightcluster.dev/pause:3.10 -file /pause=bin/pause \
//	    -entrypoint /pause -o pause.tar
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/lightcluster/lightcluster/node-binary/images"
)

// fileFlags collects repeated -file IMAGE_PATH=HOST_PATH flags.
type fileFlags []string

func (f *fileFlags) String() string     { return strings.Join(*f, ",") }
func (f *fileFlags) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "packimage:", err)
		os.Exit(1)
	}
}

func run() error {
	var files fileFlags
	ref := flag.String("ref", "", "image reference, such as lightcluster.dev/pause:3.10")
	entrypoint := flag.String("entrypoint", "", "command the image runs, words split on spaces")
	arch := flag.String("arch", os.Getenv("GOARCH"), "CPU architecture, GOARCH style")
	out := flag.String("o", "", "archive to write")
	flag.Var(&files, "file", "IMAGE_PATH=HOST_PATH, repeatable; host files keep their mode")
	flag.Parse()
	if *out == "" {
		return fmt.Errorf("-o is required")
	}

	img := images.Image{Ref: *ref, Entrypoint: strings.Fields(*entrypoint), Architecture: *arch}
	var err error
	if img.Files, err = readFiles(files); err != nil {
		return err
	}
	data, err := images.Pack(img)
	if err != nil {
		return err
	}
	return writeFile(*out, data)
}

// readFiles reads each IMAGE_PATH=HOST_PATH pair into an image file.
func readFiles(pairs []string) (map[string]images.File, error) {
	files := map[string]images.File{}
	for _, pair := range pairs {
		imagePath, hostPath, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fmt.Errorf("-file %q is not IMAGE_PATH=HOST_PATH", pair)
		}
		info, err := os.Stat(hostPath)
		if err != nil {
			return nil, fmt.Errorf("read image file: %w", err)
		}
		data, err := os.ReadFile(hostPath)
		if err != nil {
			return nil, fmt.Errorf("read image file: %w", err)
		}
		files[imagePath] = images.File{Mode: info.Mode().Perm(), Data: data}
	}
	return files, nil
}

// writeFile writes data to a temporary file beside name and renames it into place, so
// that an interrupted build leaves no partial archive.
func writeFile(name string, data []byte) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write archive: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("write archive: %w", err)
	}
	return nil
}
