package manifests

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestIsManifestName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"coredns.yaml", true},
		{"app.yml", true},
		{"app.json", true},
		{".coredns.yaml.tmp-123", false},
		{".hidden.yaml", false},
		{"coredns.yaml.bak", false},
		{"coredns.yaml~", false},
		{"notes.txt", false},
		{".yaml", false},
		{"yaml", false},
	}
	for _, tt := range tests {
		if got := IsManifestName(tt.name); got != tt.want {
			t.Errorf("IsManifestName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	writeManifest(t, dir, "b.yaml", cmB)
	writeManifest(t, dir, "a.json", "{}")
	writeManifest(t, dir, ".a.yaml", cmA)
	writeManifest(t, dir, "readme.md", "x")
	if err := os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "linked.yaml")
	if err := os.WriteFile(target, []byte(cmA), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/nonexistent/x.yaml", filepath.Join(dir, "dangling.yaml")); err != nil {
		t.Fatal(err)
	}
	// A file too large to read is present, so its objects stay, and reported.
	big, err := os.Create(filepath.Join(dir, "big.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(maxManifestSize + 1); err != nil {
		t.Fatal(err)
	}
	big.Close()

	c, err := readDir(dir)
	if err != nil {
		t.Fatalf("readDir: %v", err)
	}
	var names []string
	for _, f := range c.files {
		names = append(names, f.name)
		if f.checksum != checksum(f.data) {
			t.Errorf("%s: checksum %s does not match its data", f.name, f.checksum)
		}
	}
	if want := []string{"a.json", "b.yaml", "link.yaml"}; !slices.Equal(names, want) {
		t.Errorf("files %q, want %q", names, want)
	}
	var present []string
	for name := range c.present {
		present = append(present, name)
	}
	slices.Sort(present)
	if want := []string{"a.json", "b.yaml", "big.yaml", "link.yaml"}; !slices.Equal(present,
		want) {
		t.Errorf("present %q, want %q", present, want)
	}
	if len(c.problems) != 1 || !strings.Contains(c.problems[0].Error(), "big.yaml") {
		t.Errorf("problems %v, want one naming big.yaml", c.problems)
	}
}

func TestReadDirMissing(t *testing.T) {
	c, err := readDir(filepath.Join(t.TempDir(), "none"))
	if err != nil || len(c.files) != 0 {
		t.Errorf("readDir of a missing directory: %v, %d files; want none and no error",
			err, len(c.files))
	}
}
