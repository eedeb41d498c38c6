package install

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
)

// netnsDir holds the network namespaces of pods, named cni-<id> by the CNI plugins.
const netnsDir = "/run/netns"

// unmountAll detaches every mount below the data, runtime and kubelet directories,
// and the pod network namespaces, deepest first. Detaching is lazy, so a mount still
// in use by a dying process does not stop the uninstall.
func unmountAll(ctx context.Context, o Options) error {
	points, err := mountPoints(o.System)
	if err != nil {
		return err
	}
	var targets []string
	for _, p := range points {
		if ownedMount(o, p) {
			targets = append(targets, p)
		}
	}
	// Longer paths first: a mount inside another goes before it.
	slices.SortFunc(targets, func(a, b string) int { return len(b) - len(a) })

	var errs []error
	for _, t := range targets {
		if err := run(ctx, o, "umount", "-l", t); err != nil {
			errs = append(errs, err)
		}
	}
	if len(targets) > 0 {
		o.say("Unmounted %d file systems", len(targets)-len(errs))
	}
	return errors.Join(errs...)
}

// ownedMount reports whether mount point p belongs to lightnode.
func ownedMount(o Options, p string) bool {
	for _, dir := range []string{o.DataDir, runDir, kubeletDir} {
		if p == dir || isBelow(p, dir) {
			return true
		}
	}
	return strings.HasPrefix(p, netnsDir+"/cni-")
}

// mountedBelow returns the mount points inside dir, or dir itself if it is one.
func mountedBelow(o Options, dir string) ([]string, error) {
	points, err := mountPoints(o.System)
	if err != nil {
		return nil, err
	}
	var below []string
	for _, p := range points {
		if p == dir || isBelow(p, dir) {
			below = append(below, p)
		}
	}
	return below, nil
}

// mountPoints returns the mount points of this process's mount namespace.
func mountPoints(sys System) ([]string, error) {
	data, err := os.ReadFile(sys.Path("/proc/self/mountinfo"))
	if err != nil {
		return nil, fmt.Errorf("list mounts: %w", err)
	}
	var points []string
	for line := range strings.Lines(string(data)) {
		fields := strings.Fields(line)
		if len(fields) < 5 {
			continue
		}
		points = append(points, path.Clean(unescapeMount(fields[4])))
	}
	return points, nil
}

// unescapeMount decodes the octal escapes (\040 for a space) of a mountinfo path.
func unescapeMount(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
