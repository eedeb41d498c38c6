package bundle

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// extract runs b.Extract and checks the returned directory and the current link.
func extract(t *testing.T, b *Bundle, dataDir string) string {
	t.Helper()
	binDir, err := b.Extract(dataDir)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	want := filepath.Join(dataDir, DataDirName, b.Digest(), "bin")
	if binDir != want {
		t.Fatalf("Extract returned %s, want %s", binDir, want)
	}
	link, err := os.Readlink(filepath.Join(dataDir, DataDirName, CurrentLink))
	if err != nil || link != b.Digest() {
		t.Fatalf("current link = %q, %v, want %s", link, err, b.Digest())
	}
	return binDir
}

// dataEntries lists the names in <dataDir>/data.
func dataEntries(t *testing.T, dataDir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dataDir, DataDirName))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestExtractFirstTime(t *testing.T) {
	b, _ := packTestBundle(t, "")
	dataDir := t.TempDir()
	binDir := extract(t, b, dataDir)

	checkExtracted(t, filepath.Dir(binDir), "")
	if got := ImagesDir(binDir); got != filepath.Join(filepath.Dir(binDir), "images") {
		t.Errorf("ImagesDir = %s", got)
	}
	want := strings.Join([]string{lockName, b.Digest(), CurrentLink}, " ")
	if got := strings.Join(dataEntries(t, dataDir), " "); got != want {
		t.Errorf("data dir holds %q, want %q", got, want)
	}
}

func TestExtractAgainKeepsFiles(t *testing.T) {
	b, _ := packTestBundle(t, "")
	dataDir := t.TempDir()
	binDir := extract(t, b, dataDir)
	before, err := os.Stat(filepath.Join(binDir, "runc"))
	if err != nil {
		t.Fatal(err)
	}

	extract(t, b, dataDir)
	after, err := os.Stat(filepath.Join(binDir, "runc"))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Error("a second extraction of the same bundle rewrote its files")
	}
}

func TestExtractRepairsDamage(t *testing.T) {
	tests := []struct {
		name   string
		damage func(dir string) error
	}{
		{"truncated", func(dir string) error {
			return os.Truncate(filepath.Join(dir, "bin", "runc"), 100)
		}},
		{"same size other content", func(dir string) error {
			f, err := os.OpenFile(filepath.Join(dir, "bin", "runc"), os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt([]byte("X"), 10)
			return err
		}},
		{"missing", func(dir string) error {
			return os.Remove(filepath.Join(dir, "images", "pause.tar"))
		}},
		{"not executable", func(dir string) error {
			return os.Chmod(filepath.Join(dir, "bin", "bridge"), 0o644)
		}},
		{"replaced by a symlink", func(dir string) error {
			path := filepath.Join(dir, "bin", "bridge")
			if err := os.Rename(path, path+".real"); err != nil {
				return err
			}
			return os.Symlink("bridge.real", path)
		}},
		{"directory gone", func(dir string) error { return os.RemoveAll(dir) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := packTestBundle(t, "")
			dataDir := t.TempDir()
			dir := filepath.Dir(extract(t, b, dataDir))
			if err := tt.damage(dir); err != nil {
				t.Fatalf("damage: %v", err)
			}

			extract(t, b, dataDir)
			checkExtracted(t, dir, "")
		})
	}
}

func TestExtractRemovesInterruptedRuns(t *testing.T) {
	b, _ := packTestBundle(t, "")
	dataDir := t.TempDir()
	root := filepath.Join(dataDir, DataDirName)
	partial := filepath.Join(b.Digest(), "bin")
	leftovers := []string{tmpPrefix + "abc", oldPrefix + "def"}
	for _, dir := range append(leftovers, partial) {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	half := filepath.Join(root, partial, "runc")
	if err := os.WriteFile(half, []byte("half"), 0o755); err != nil {
		t.Fatal(err)
	}

	binDir := extract(t, b, dataDir)
	checkExtracted(t, filepath.Dir(binDir), "")
	for _, name := range dataEntries(t, dataDir) {
		if strings.HasPrefix(name, tmpPrefix) || strings.HasPrefix(name, oldPrefix) {
			t.Errorf("leftover %s survived the extraction", name)
		}
	}
}

func TestExtractConcurrently(t *testing.T) {
	b, _ := packTestBundle(t, "")
	dataDir := t.TempDir()

	const workers = 8
	var wg sync.WaitGroup
	errs := make([]error, workers)
	dirs := make([]string, workers)
	for i := range workers {
		wg.Go(func() { dirs[i], errs[i] = b.Extract(dataDir) })
	}
	wg.Wait()

	for i := range workers {
		if errs[i] != nil || dirs[i] != dirs[0] {
			t.Errorf("worker %d: Extract = %s, %v, want %s", i, dirs[i], errs[i], dirs[0])
		}
	}
	checkExtracted(t, filepath.Dir(dirs[0]), "")
	if got := len(dataEntries(t, dataDir)); got != 3 {
		t.Errorf("data dir holds %q, want the lock, one bundle and the link",
			dataEntries(t, dataDir))
	}
}

func TestExtractNewBundleSwitchesCurrent(t *testing.T) {
	oldBundle, _ := packTestBundle(t, "v1")
	newBundle, _ := packTestBundle(t, "v2")
	dataDir := t.TempDir()
	oldBin := extract(t, oldBundle, dataDir)

	newBin := extract(t, newBundle, dataDir)
	checkExtracted(t, filepath.Dir(newBin), "v2")
	// Processes started from the older bundle may still run, so it stays.
	checkExtracted(t, filepath.Dir(oldBin), "v1")
}

func TestExtractRefusesDamagedBundle(t *testing.T) {
	b, dir := packTestBundle(t, "")
	_, otherDir := packTestBundle(t, "other")
	// Swap in another bundle's stream: valid zstd, other content.
	data, err := os.ReadFile(filepath.Join(otherDir, StreamName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, StreamName), data, 0o644); err != nil {
		t.Fatal(err)
	}

	dataDir := t.TempDir()
	if _, err := b.Extract(dataDir); !errors.Is(err, ErrInvalidBundle) {
		t.Fatalf("Extract error = %v, want ErrInvalidBundle", err)
	}
	want := lockName
	if got := strings.Join(dataEntries(t, dataDir), " "); got != want {
		t.Errorf("a failed extraction left %q, want only %q", got, want)
	}
}
