//go:build linux

package residency

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ReleaseProgramPages drops this process's pages of its executable's read-only
// mappings and returns how many bytes of address space it covered. Writable mappings
// (the program's variables) are left alone.
func ReleaseProgramPages() (int64, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, fmt.Errorf("release program pages: %w", err)
	}
	ranges, err := readOnlyMappings("/proc/self/maps", exe)
	if err != nil {
		return 0, fmt.Errorf("release program pages: %w", err)
	}
	var total int64
	for _, r := range ranges {
		// The addresses come from the kernel, not from a Go pointer, so no Go object is
		// involved: the pages are the program's own, mapped from its file.
		_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, r.start, r.end-r.start,
			syscall.MADV_DONTNEED)
		if errno != 0 {
			return total, fmt.Errorf("release program pages %#x-%#x: %w", r.start, r.end, errno)
		}
		total += int64(r.end - r.start)
	}
	return total, nil
}

// mapping is an address range of the process.
type mapping struct{ start, end uintptr }

// readOnlyMappings returns the mappings of the maps file (the format of
// /proc/PID/maps) that map path without write permission.
func readOnlyMappings(maps, path string) ([]mapping, error) {
	f, err := os.Open(maps)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// address perms offset dev inode pathname
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || strings.Join(fields[5:], " ") != path ||
			strings.Contains(fields[1], "w") {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			return nil, fmt.Errorf("%s: malformed address range %q", maps, fields[0])
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			return nil, fmt.Errorf("%s: malformed address range %q", maps, fields[0])
		}
		out = append(out, mapping{uintptr(start), uintptr(end)})
	}
	return out, sc.Err()
}
