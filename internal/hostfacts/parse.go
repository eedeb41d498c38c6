package hostfacts

import (
	"fmt"
	"strconv"
	"strings"
)

// osReleasePrefix marks the lines of the script's output copied from os-release.
const osReleasePrefix = "os-release:"

// Parse turns the output of Script into Facts. Missing optional values stay zero;
// a missing architecture, kernel or init system, or a malformed number, is an error.
func Parse(output string) (Facts, error) {
	values := map[string]string{}
	osRelease := map[string]string{}
	for _, line := range strings.Split(output, "\n") {
		if rest, ok := strings.CutPrefix(line, osReleasePrefix); ok {
			if key, value, ok := parseOSReleaseLine(rest); ok {
				osRelease[key] = value
			}
			continue
		}
		if key, value, ok := strings.Cut(line, "="); ok {
			values[key] = strings.TrimSpace(value)
		}
	}

	for _, key := range []string{"arch", "kernel", "init"} {
		if values[key] == "" {
			return Facts{}, fmt.Errorf("host facts lack %s", key)
		}
	}
	facts := Facts{
		OSID:      osRelease["ID"],
		OSVersion: osRelease["VERSION_ID"],
		OSName:    osRelease["PRETTY_NAME"],
		Arch:      normalizeArch(values["arch"]),
		Kernel:    values["kernel"],
		Init:      parseInit(values["init"]),
		Hostname:  values["hostname"],
	}
	return facts, parseSizes(&facts, values)
}

// parseSizes fills in CPU count, memory and free space.
func parseSizes(facts *Facts, values map[string]string) error {
	var err error
	if facts.CPUs, err = parseCount("cpus", values["cpus"]); err != nil {
		return err
	}
	if facts.MemoryBytes, err = parseMemTotal(values["meminfo"]); err != nil {
		return err
	}
	if facts.DataDirFreeBytes, err = parseDFAvailable(values["df"]); err != nil {
		return err
	}
	return nil
}

// parseInit maps the script's init value to an InitSystem.
func parseInit(value string) InitSystem {
	switch InitSystem(value) {
	case InitSystemd, InitOpenRC:
		return InitSystem(value)
	default:
		return InitUnknown
	}
}

// parseCount parses a non-negative integer; empty means zero.
func parseCount(field, value string) (int, error) {
	if value == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("host facts: %s %q is not a count", field, value)
	}
	return n, nil
}

// parseMemTotal parses a /proc/meminfo line such as "MemTotal: 16318712 kB" into bytes.
func parseMemTotal(line string) (int64, error) {
	if line == "" {
		return 0, nil
	}
	fields := strings.Fields(line)
	if len(fields) != 3 || fields[0] != "MemTotal:" || fields[2] != "kB" {
		return 0, fmt.Errorf("host facts: unexpected meminfo line %q", line)
	}
	return parseKiB("memory", fields[1])
}

// parseDFAvailable parses the data line of df -Pk, whose fourth column is the space
// available in KiB, into bytes.
func parseDFAvailable(line string) (int64, error) {
	if line == "" {
		return 0, nil
	}
	fields := strings.Fields(line)
	if len(fields) < 6 {
		return 0, fmt.Errorf("host facts: unexpected df line %q", line)
	}
	return parseKiB("free space", fields[3])
}

// parseKiB parses a KiB count into bytes.
func parseKiB(field, value string) (int64, error) {
	kib, err := strconv.ParseInt(value, 10, 64)
	if err != nil || kib < 0 || kib > (1<<53) {
		return 0, fmt.Errorf("host facts: %s %q is not a KiB count", field, value)
	}
	return kib * 1024, nil
}

// parseOSReleaseLine parses one os-release assignment, removing the quotes and
// backslash escapes the format allows. Comments and blank lines report false.
func parseOSReleaseLine(line string) (string, string, bool) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return "", "", false
	}
	key, value, ok := strings.Cut(line, "=")
	if !ok || key == "" {
		return "", "", false
	}
	return key, unquoteOSRelease(value), true
}

// unquoteOSRelease removes one level of single or double quotes; inside double quotes
// a backslash escapes the next character.
func unquoteOSRelease(value string) string {
	if len(value) >= 2 && value[0] == '\'' && value[len(value)-1] == '\'' {
		return value[1 : len(value)-1]
	}
	if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
		return value
	}
	inner := value[1 : len(value)-1]
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		if inner[i] == '\\' && i+1 < len(inner) {
			i++
		}
		b.WriteByte(inner[i])
	}
	return b.String()
}
