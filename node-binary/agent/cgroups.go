package agent

import (
	"os"

	"golang.org/x/sys/unix"

	"github.com/lightcluster/lightcluster/node-binary/agent/kubelet"
)

// cgroupHost describes the cgroup set-up of the machine.
type cgroupHost struct {
	// unified is true on a cgroup v2 only hierarchy.
	unified bool
	// systemd is true when systemd is the init system.
	systemd bool
}

// detectCgroups inspects /sys/fs/cgroup and /run/systemd/system.
func detectCgroups() cgroupHost {
	var st unix.Statfs_t
	unified := unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
	_, err := os.Stat("/run/systemd/system")
	return cgroupHost{unified: unified, systemd: err == nil}
}

// driver returns the cgroup driver kubelet and containerd share: systemd on a cgroup
// v2 host run by systemd, cgroupfs otherwise (on v1 hierarchies, systemd's own use
// of the cgroup tree and the kubelet's get in each other's way less with cgroupfs).
func (h cgroupHost) driver() string {
	if h.unified && h.systemd {
		return kubelet.CgroupDriverSystemd
	}
	return kubelet.CgroupDriverCgroupfs
}
