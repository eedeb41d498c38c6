package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// testFiles is the fake asset set of the tests: two programs and an image archive.
var testFiles = []struct {
	name string
	kind Kind
	data []byte
}{
	{"runc", KindBin, bytes.Repeat([]byte("runc binary "), 5000)},
	{"bridge", KindBin, []byte("#!/bin/sh\necho bridge\n")},
	{"pause.tar", KindImage, []byte("image archive")},
}

// packTestBundle packs testFiles, each prefixed with variant, into a new directory and
// loads the result.
func packTestBundle(t *testing.T, variant string) (*Bundle, string) {
	t.Helper()
	srcDir, dir := t.TempDir(), t.TempDir()
	var sources []Source
	for _, f := range testFiles {
		path := filepath.Join(srcDir, f.name)
		if err := os.WriteFile(path, append([]byte(variant), f.data...), 0o600); err != nil {
			t.Fatal(err)
		}
		sources = append(sources, Source{Name: f.name, Kind: f.kind, Path: path})
	}
	if _, err := Pack(dir, sources); err != nil {
		t.Fatalf("Pack: %v", err)
	}
	b, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return b, dir
}

// checkExtracted checks that every test file of variant is in place below dir.
func checkExtracted(t *testing.T, dir, variant string) {
	t.Helper()
	for _, f := range testFiles {
		path := filepath.Join(dir, f.kind.dir(), f.name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read extracted file: %v", err)
		}
		if !bytes.Equal(data, append([]byte(variant), f.data...)) {
			t.Errorf("%s holds %d bytes that differ from the packed file", path, len(data))
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != f.kind.mode() {
			t.Errorf("%s has mode %v, want %v", path, info.Mode().Perm(), f.kind.mode())
		}
	}
}

func TestPackDescribesFiles(t *testing.T) {
	b, dir := packTestBundle(t, "")
	files := b.Files()
	if len(files) != len(testFiles) {
		t.Fatalf("bundle lists %d files, want %d", len(files), len(testFiles))
	}
	for i, f := range files {
		t.Run(f.Name, func(t *testing.T) {
			want := testFiles[i]
			sum := sha256.Sum256(want.data)
			if f.Name != want.name || f.Kind != want.kind || f.Size != int64(len(want.data)) {
				t.Errorf("file = %+v, want name %s kind %s size %d", f, want.name, want.kind,
					len(want.data))
			}
			if f.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("digest %s, want %x", f.SHA256, sum)
			}
		})
	}
	info, err := os.Stat(filepath.Join(dir, StreamName))
	if err != nil || info.Size() != b.manifest.StreamSize {
		t.Errorf("stream: %v, size in manifest %d", err, b.manifest.StreamSize)
	}
	if manifest, err := os.ReadFile(filepath.Join(dir, ManifestName)); err == nil {
		sum := sha256.Sum256(manifest)
		if b.Digest() != hex.EncodeToString(sum[:]) {
			t.Errorf("digest %s is not the manifest's digest %x", b.Digest(), sum)
		}
	} else {
		t.Fatal(err)
	}
}

func TestPackIsDeterministic(t *testing.T) {
	first, _ := packTestBundle(t, "v1")
	second, _ := packTestBundle(t, "v1")
	other, _ := packTestBundle(t, "v2")
	if first.Digest() != second.Digest() {
		t.Errorf("the same files gave digests %s and %s", first.Digest(), second.Digest())
	}
	if first.Digest() == other.Digest() {
		t.Errorf("different files gave the same digest %s", first.Digest())
	}
}
