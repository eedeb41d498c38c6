package bundle

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadRejectsInvalidManifests(t *testing.T) {
	digest := strings.Repeat("ab", 32)
	entry := func(name, kind, sha, compressed string) string {
		return `{"name":"` + name + `","kind":"` + kind + `","sha256":"` + sha +
			`","size":1,"compressed":"` + compressed + `","compressedSize":1}`
	}
	tests := []struct {
		name     string
		manifest string
	}{
		{"not JSON", `{`},
		{"name with a directory", `{"files":[` + entry("../runc", "bin", digest, "x.zst") + `]}`},
		{"compressed name with a directory",
			`{"files":[` + entry("runc", "bin", digest, "a/x.zst") + `]}`},
		{"empty name", `{"files":[` + entry("", "bin", digest, "x.zst") + `]}`},
		{"unknown kind", `{"files":[` + entry("runc", "lib", digest, "x.zst") + `]}`},
		{"short digest", `{"files":[` + entry("runc", "bin", "abcd", "x.zst") + `]}`},
		{"duplicate", `{"files":[` + entry("runc", "bin", digest, "x.zst") + `,` +
			entry("runc", "bin", digest, "y.zst") + `]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{ManifestName: {Data: []byte(tt.manifest)}}
			if _, err := Load(fsys); !errors.Is(err, ErrInvalidBundle) {
				t.Fatalf("Load error = %v, want ErrInvalidBundle", err)
			}
		})
	}
}

func TestLoadWithoutManifest(t *testing.T) {
	_, err := Load(fstest.MapFS{})
	if err == nil || errors.Is(err, ErrInvalidBundle) {
		t.Fatalf("Load error = %v, want a read error", err)
	}
}
