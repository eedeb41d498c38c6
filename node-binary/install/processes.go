package install

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
)

// process is what uninstall reads of one running process.
type process struct {
	pid, ppid  int
	exe, argv0 string
}

// killLeftovers stops the processes the services left behind: every process started
// from the data directory or from the installed binary (containerd, its shims, the
// CNI plugins), with all their descendants, which are the containers. This process
// and its ancestors are spared.
func killLeftovers(o Options) error {
	procs, err := listProcesses(o.System)
	if err != nil {
		return err
	}
	victims := leftoverPIDs(procs, o.DataDir, o.binaryPath(), os.Getpid())

	var errs []error
	for _, pid := range victims {
		if err := o.System.Kill(pid); err != nil && !errors.Is(err, os.ErrProcessDone) {
			errs = append(errs, fmt.Errorf("kill process %d: %w", pid, err))
		}
	}
	if len(victims) > 0 {
		o.say("Stopped %d leftover processes", len(victims))
	}
	return errors.Join(errs...)
}

// leftoverPIDs returns, sorted, the processes started from under dataDir or from
// binary, and their descendants, never self, an ancestor of self, or process 1.
func leftoverPIDs(procs map[int]process, dataDir, binary string, self int) []int {
	spared := map[int]bool{1: true}
	for pid := self; pid > 0 && !spared[pid]; pid = procs[pid].ppid {
		spared[pid] = true
	}
	children := map[int][]int{}
	for _, p := range procs {
		children[p.ppid] = append(children[p.ppid], p.pid)
	}

	picked := map[int]bool{}
	var pick func(pid int)
	pick = func(pid int) {
		if spared[pid] || picked[pid] {
			return
		}
		picked[pid] = true
		for _, c := range children[pid] {
			pick(c)
		}
	}
	for _, p := range procs {
		if isBelow(p.exe, dataDir) || isBelow(p.argv0, dataDir) || p.exe == binary {
			pick(p.pid)
		}
	}

	pids := make([]int, 0, len(picked))
	for pid := range picked {
		pids = append(pids, pid)
	}
	slices.Sort(pids)
	return pids
}

// isBelow reports whether p is a path inside dir.
func isBelow(p, dir string) bool {
	return p != "" && strings.HasPrefix(path.Clean(p), dir+"/")
}

// listProcesses reads every process in /proc. Processes that end while it reads, or
// that it may not inspect, are skipped.
func listProcesses(sys System) (map[int]process, error) {
	entries, err := os.ReadDir(sys.Path("/proc"))
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	procs := map[int]process{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !e.IsDir() {
			continue
		}
		if p, ok := readProcess(sys, pid); ok {
			procs[pid] = p
		}
	}
	return procs, nil
}

// readProcess reads the parent, executable and first argument of pid.
func readProcess(sys System, pid int) (process, bool) {
	dir := sys.Path("/proc/" + strconv.Itoa(pid))
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return process{}, false
	}
	// The command name in parentheses may hold spaces; the fields follow its end.
	_, rest, ok := strings.Cut(string(stat[bytes.LastIndexByte(stat, ')')+1:]), " ")
	fields := strings.Fields(rest)
	if !ok || len(fields) < 2 {
		return process{}, false
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return process{}, false
	}

	p := process{pid: pid, ppid: ppid}
	if exe, err := os.Readlink(dir + "/exe"); err == nil {
		p.exe = strings.TrimSuffix(exe, " (deleted)")
	}
	if cmdline, err := os.ReadFile(dir + "/cmdline"); err == nil {
		p.argv0, _, _ = strings.Cut(string(cmdline), "\x00")
	}
	return p, true
}
