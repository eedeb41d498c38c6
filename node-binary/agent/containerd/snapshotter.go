package containerd

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ChooseSnapshotter returns SnapshotterOverlay when an overlay mount works below root,
// which is where the snapshots will live, and SnapshotterNative otherwise: overlay
// refuses to stack on another overlay, as in a container's root file system.
func ChooseSnapshotter(root string) (string, error) {
	if err := os.MkdirAll(root, 0o711); err != nil {
		return "", fmt.Errorf("choose snapshotter: %w", err)
	}
	dir, err := os.MkdirTemp(root, ".overlay-check-")
	if err != nil {
		return "", fmt.Errorf("choose snapshotter: %w", err)
	}
	defer os.RemoveAll(dir)
	if overlayWorks(dir) {
		return SnapshotterOverlay, nil
	}
	return SnapshotterNative, nil
}

// overlayWorks mounts a small overlay in dir and unmounts it.
func overlayWorks(dir string) bool {
	sub := func(n string) string { return filepath.Join(dir, n) }
	for _, n := range []string{"lower1", "lower2", "upper", "work", "merged"} {
		if err := os.Mkdir(sub(n), 0o755); err != nil {
			return false
		}
	}
	opts := fmt.Sprintf("lowerdir=%s:%s,upperdir=%s,workdir=%s",
		sub("lower1"), sub("lower2"), sub("upper"), sub("work"))
	if err := unix.Mount("overlay", sub("merged"), "overlay", 0, opts); err != nil {
		return false
	}
	_ = unix.Unmount(sub("merged"), unix.MNT_DETACH)
	return true
}
