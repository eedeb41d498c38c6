package main

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const testRef = "lightcluster.dev/test:1"

// packTestArchive packs a one-file image with lightnode's image packer and returns the
// archive's path.
func packTestArchive(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "hello")
	if err := os.WriteFile(file, []byte("hello"), 0o755); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "image.tar")
	cmd := exec.Command("go", "run", "./node-binary/images/packimage", "-arch", runtime.GOARCH,
		"-ref", testRef, "-entrypoint", "/hello", "-file", "/hello="+file, "-o", archive)
	cmd.Dir = filepath.Join("..", "..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("packimage: %v\n%s", err, out)
	}
	return archive
}

// withoutLargestBlob copies the archive at path without its largest blob, the layer.
func withoutLargestBlob(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	largest := ""
	var size int64
	tr := tar.NewReader(strings.NewReader(string(data)))
	for range 100 {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(hdr.Name, "blobs/") && hdr.Size > size {
			largest, size = hdr.Name, hdr.Size
		}
	}
	out := filepath.Join(t.TempDir(), "damaged.tar")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	tr = tar.NewReader(strings.NewReader(string(data)))
	for range 100 {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Name == largest {
			continue
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCheckArchive(t *testing.T) {
	archive := packTestArchive(t)
	host := "linux/" + runtime.GOARCH
	other := "linux/s390x"
	tests := []struct {
		name     string
		archive  string
		ref      string
		platform string
		wantErr  bool
	}{
		{"packed image", archive, testRef, host, false},
		{"other name", archive, "lightcluster.dev/other:1", host, true},
		{"other platform", archive, testRef, other, true},
		{"layer missing", withoutLargestBlob(t, archive), testRef, host, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkArchive(context.Background(), tt.archive, tt.ref, tt.platform)
			if (err != nil) != tt.wantErr {
				t.Fatalf("checkArchive error = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}
