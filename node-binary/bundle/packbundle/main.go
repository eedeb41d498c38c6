// Command packbundle compresses programs and image archives into a bundle directory
// that the bundle package embeds. Each argument is NAME=KIND:PATH, KIND being bin or
// image:
//
//	packbundle -o node-binary/bundle/assets runc=bin:out/runc pause.tar=image:out/pause.tar
//
// Programs that share code compress best next to each other. The output directory is
// replaced as a whole, so that no file of an earlier bundle stays in it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lightcluster/lightcluster/node-binary/bundle"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "packbundle:", err)
		os.Exit(1)
	}
}

func run() error {
	out := flag.String("o", "", "bundle directory to write")
	flag.Parse()
	if *out == "" {
		return fmt.Errorf("-o is required")
	}
	sources, err := parseSources(flag.Args())
	if err != nil {
		return err
	}

	// Pack beside the output and swap it in, keeping hidden files such as the
	// build's input stamp out of the new bundle.
	tmp, err := os.MkdirTemp(filepath.Dir(*out), ".packbundle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	m, err := bundle.Pack(tmp, sources)
	if err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.RemoveAll(*out); err != nil {
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	var total int64
	for _, f := range m.Files {
		fmt.Printf("%-26s %-5s %10d bytes\n", f.Name, f.Kind, f.Size)
		total += f.Size
	}
	fmt.Printf("%d bytes compressed to %d in %s\n", total, m.StreamSize, m.Stream)
	return nil
}

// parseSources reads NAME=KIND:PATH arguments.
func parseSources(args []string) ([]bundle.Source, error) {
	var sources []bundle.Source
	for _, arg := range args {
		name, rest, ok1 := strings.Cut(arg, "=")
		kind, path, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("argument %q is not NAME=KIND:PATH", arg)
		}
		sources = append(sources, bundle.Source{Name: name, Kind: bundle.Kind(kind), Path: path})
	}
	return sources, nil
}
