package agent

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
)

// capSysResource is the capability that lowering an OOM score adjustment needs.
const capSysResource = 24

// hasCapability reports whether this process has capability bit in its effective set.
func hasCapability(bit uint) bool {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return false
	}
	defer f.Close()
	return effectiveHas(f, bit)
}

// effectiveHas reads the CapEff line of a /proc/PID/status file.
func effectiveHas(status io.Reader, bit uint) bool {
	sc := bufio.NewScanner(status)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "CapEff:")
		if !ok {
			continue
		}
		caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		return err == nil && caps&(1<<bit) != 0
	}
	return false
}
