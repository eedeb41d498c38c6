package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeBinary puts content at dir/version/lightnode-linux-arch.
func writeBinary(t *testing.T, dir, version, arch, content string) string {
	t.Helper()
	path := filepath.Join(dir, version, BinaryPrefix+arch)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestLookup(t *testing.T) {
	dir := t.TempDir()
	path := writeBinary(t, dir, "v1.37.2", "amd64", "binary-amd64")
	if err := os.MkdirAll(filepath.Join(dir, "v1.37.2", BinaryPrefix+"riscv64"), 0o755); err != nil {
		t.Fatal(err)
	}
	cat := New(dir)

	tests := []struct {
		name, version, arch string
		want                Binary
		wantErr             error
	}{
		{name: "found", version: "v1.37.2", arch: "amd64",
			want: Binary{Path: path, SHA256: sum("binary-amd64"), Size: 12}},
		{name: "unknown version", version: "v1.36.0", arch: "amd64",
			wantErr: ErrVersionNotInCatalog},
		{name: "unknown arch", version: "v1.37.2", arch: "arm64", wantErr: ErrArchNotInCatalog},
		{name: "directory instead of binary", version: "v1.37.2", arch: "riscv64",
			wantErr: ErrArchNotInCatalog},
		{name: "version escapes the catalog", version: "..", arch: "amd64",
			wantErr: ErrVersionNotInCatalog},
		{name: "arch escapes the catalog", version: "v1.37.2", arch: "../../x",
			wantErr: ErrArchNotInCatalog},
		{name: "empty version", version: "", arch: "amd64", wantErr: ErrVersionNotInCatalog},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cat.Lookup(tt.version, tt.arch)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Lookup() error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Lookup() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("Lookup() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLookupFindsVersionsAddedLater(t *testing.T) {
	dir := t.TempDir()
	cat := New(dir)
	if _, err := cat.Lookup("v1.38.0", "amd64"); !errors.Is(err, ErrVersionNotInCatalog) {
		t.Fatalf("Lookup() before adding error = %v, want ErrVersionNotInCatalog", err)
	}
	writeBinary(t, dir, "v1.38.0", "amd64", "new")
	got, err := cat.Lookup("v1.38.0", "amd64")
	if err != nil {
		t.Fatalf("Lookup() after adding error = %v", err)
	}
	if got.SHA256 != sum("new") {
		t.Errorf("SHA256 = %s, want %s", got.SHA256, sum("new"))
	}
}

func TestLookupRehashesChangedBinary(t *testing.T) {
	dir := t.TempDir()
	path := writeBinary(t, dir, "v1.37.2", "arm64", "first")
	cat := New(dir)
	if _, err := cat.Lookup("v1.37.2", "arm64"); err != nil {
		t.Fatal(err)
	}

	if err := os.WriteFile(path, []byte("second version"), 0o755); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	got, err := cat.Lookup("v1.37.2", "arm64")
	if err != nil {
		t.Fatal(err)
	}
	if got.SHA256 != sum("second version") || got.Size != int64(len("second version")) {
		t.Errorf("Lookup() = %+v, want the digest and size of the new content", got)
	}
}

func TestLookupUsesCachedDigest(t *testing.T) {
	dir := t.TempDir()
	path := writeBinary(t, dir, "v1.37.2", "amd64", "cached")
	cat := New(dir)
	first, err := cat.Lookup("v1.37.2", "amd64")
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}

	// Same size and modification time: only a cached digest gives the old answer.
	if err := os.WriteFile(path, []byte("CACHED"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	second, err := cat.Lookup("v1.37.2", "amd64")
	if err != nil {
		t.Fatalf("Lookup() with cached digest error = %v", err)
	}
	if second != first {
		t.Errorf("Lookup() = %+v, want cached %+v", second, first)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	writeBinary(t, dir, "v1.37.2", "amd64", "content")
	bin, err := New(dir).Lookup("v1.37.2", "amd64")
	if err != nil {
		t.Fatal(err)
	}
	r, err := bin.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	buf := make([]byte, 16)
	n, _ := r.Read(buf)
	if string(buf[:n]) != "content" {
		t.Errorf("Open() read %q, want %q", buf[:n], "content")
	}
}
