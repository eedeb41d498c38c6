package bundle

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadRejectsInvalidManifests(t *testing.T) {
	digest := strings.Repeat("ab", 32)
	entry := func(name, kind, sha string, offset int) string {
		return `{"name":"` + name + `","kind":"` + kind + `","sha256":"` + sha +
			`","size":1,"offset":` + strconv.Itoa(offset) + `}`
	}
	manifest := func(stream string, entries ...string) string {
		return `{"stream":"` + stream + `","files":[` + strings.Join(entries, ",") + `]}`
	}
	tests := []struct {
		name     string
		manifest string
	}{
		{"not JSON", `{`},
		{"no stream", manifest("", entry("runc", "bin", digest, 0))},
		{"stream in a directory", manifest("a/b.zst", entry("runc", "bin", digest, 0))},
		{"name with a directory", manifest("s", entry("../runc", "bin", digest, 0))},
		{"empty name", manifest("s", entry("", "bin", digest, 0))},
		{"unknown kind", manifest("s", entry("runc", "lib", digest, 0))},
		{"short digest", manifest("s", entry("runc", "bin", "abcd", 0))},
		{"gap in the stream", manifest("s", entry("runc", "bin", digest, 0),
			entry("bridge", "bin", digest, 2))},
		{"duplicate", manifest("s", entry("runc", "bin", digest, 0),
			entry("runc", "bin", digest, 1))},
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
