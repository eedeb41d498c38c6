//go:build linux

package residency

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestReadOnlyMappings(t *testing.T) {
	maps := filepath.Join(t.TempDir(), "maps")
	content := `00400000-05529000 r-xp 00000000 fd:01 123 /usr/local/bin/lightnode
05529000-0c8a0000 r--p 05128000 fd:01 123 /usr/local/bin/lightnode
0c8a0000-0ca33000 rw-p 0c49f000 fd:01 123 /usr/local/bin/lightnode
0ca33000-0ea00000 rw-p 00000000 00:00 0
7f0000000000-7f0000001000 r--p 00000000 fd:01 456 /usr/local/bin/lightnode-other
7f0000002000-7f0000003000 r--p 00000000 fd:01 789 /opt/with space/lightnode
`
	if err := os.WriteFile(maps, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := readOnlyMappings(maps, "/usr/local/bin/lightnode")
	if err != nil {
		t.Fatal(err)
	}
	want := []mapping{{0x400000, 0x5529000}, {0x5529000, 0xc8a0000}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %#v, want %#v", got, want)
	}
	got, err = readOnlyMappings(maps, "/opt/with space/lightnode")
	if err != nil || len(got) != 1 {
		t.Errorf("path with a space: got %#v, %v", got, err)
	}
}

func TestReadOnlyMappingsRejectsMalformedRange(t *testing.T) {
	maps := filepath.Join(t.TempDir(), "maps")
	if err := os.WriteFile(maps, []byte("zz-00 r-xp 0 0 0 /bin/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readOnlyMappings(maps, "/bin/x"); err == nil || !strings.Contains(err.Error(), maps) {
		t.Errorf("got %v, want an error naming %s", err, maps)
	}
}

// The test binary drops its own pages and keeps running: its resident file pages
// shrink, and code runs again afterwards.
func TestReleaseProgramPages(t *testing.T) {
	before := residentFileKiB(t)
	n, err := ReleaseProgramPages()
	if err != nil {
		t.Fatal(err)
	}
	after := residentFileKiB(t)
	if n == 0 {
		t.Fatal("no read-only mapping of the test binary found")
	}
	if after >= before {
		t.Errorf("resident file pages went from %d KiB to %d KiB", before, after)
	}
	if strconv.Itoa(42) != "42" {
		t.Error("code misbehaves after its pages were dropped")
	}
}

// residentFileKiB returns the process's file-backed resident memory.
func residentFileKiB(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		t.Skipf("no smaps_rollup: %v", err)
	}
	var rss, anon int
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "Rss:":
			rss = v
		case "Anonymous:":
			anon = v
		}
	}
	return rss - anon
}
