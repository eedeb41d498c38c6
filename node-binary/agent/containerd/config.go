package containerd

import (
	"bytes"
	"fmt"
	"strconv"
	"text/template"
)

// Snapshotters that Render accepts.
const (
	// SnapshotterOverlay stores layers as overlay mounts, the fast default.
	SnapshotterOverlay = "overlayfs"
	// SnapshotterNative copies layers; it works where overlay mounts fail.
	SnapshotterNative = "native"
)

// Namespace is the containerd namespace of the CRI plugin, where imported images must
// land for the kubelet to see them.
const Namespace = "k8s.io"

// Config holds what the rendered containerd configuration says.
type Config struct {
	// Root holds containerd's persistent data (content, snapshots, metadata).
	Root string
	// State holds its runtime state (sockets, shim state); it lives on a tmpfs.
	State string
	// Address is the path of the gRPC socket.
	Address string
	// BinDir holds runc, the runc shim and the CNI plugins.
	BinDir string
	// CNIConfDir is where the network configuration is written.
	CNIConfDir string
	// HostsDir is the registry hosts directory (see WriteHosts).
	HostsDir string
	// SandboxImage is the pause image reference.
	SandboxImage string
	// Snapshotter is SnapshotterOverlay or SnapshotterNative.
	Snapshotter string
	// SystemdCgroup makes runc use the systemd cgroup driver instead of cgroupfs.
	SystemdCgroup bool
	// RestrictOOMScoreAdj keeps containers' OOM score adjustments at or above
	// containerd's own, for hosts where lowering one is not permitted (no
	// CAP_SYS_RESOURCE, as in some containers).
	RestrictOOMScoreAdj bool
}

// configTemplate is containerd's configuration, version 3 (containerd 2.x). Paths
// are TOML-quoted by the quote function.
var configTemplate = template.Must(template.New("config").Funcs(template.FuncMap{
	"quote": strconv.Quote,
}).Parse(`version = 3
root = {{quote .Root}}
state = {{quote .State}}

[grpc]
  address = {{quote .Address}}

[ttrpc]
  address = {{quote (print .Address ".ttrpc")}}

[plugins.'io.containerd.internal.v1.opt']
  path = {{quote (print .Root "/opt")}}

[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = "127.0.0.1"
  stream_server_port = "10010"

[plugins.'io.containerd.cri.v1.images']
  snapshotter = {{quote .Snapshotter}}
  disable_snapshot_annotations = true

[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = {{quote .SandboxImage}}

[plugins.'io.containerd.cri.v1.images'.registry]
  config_path = {{quote .HostsDir}}

[plugins.'io.containerd.cri.v1.runtime']
  enable_selinux = false
  restrict_oom_score_adj = {{.RestrictOOMScoreAdj}}

[plugins.'io.containerd.cri.v1.runtime'.cni]
  bin_dirs = [{{quote .BinDir}}]
  conf_dir = {{quote .CNIConfDir}}

[plugins.'io.containerd.cri.v1.runtime'.containerd]
  default_runtime_name = "runc"

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
  snapshotter = {{quote .Snapshotter}}

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  BinaryName = {{quote (print .BinDir "/runc")}}
  SystemdCgroup = {{.SystemdCgroup}}

[plugins.'io.containerd.transfer.v1.local']
  config_path = {{quote .HostsDir}}
`))

// Render returns the containerd configuration file for c.
func Render(c Config) ([]byte, error) {
	if c.Snapshotter != SnapshotterOverlay && c.Snapshotter != SnapshotterNative {
		return nil, fmt.Errorf("render containerd config: unknown snapshotter %q", c.Snapshotter)
	}
	var buf bytes.Buffer
	if err := configTemplate.Execute(&buf, c); err != nil {
		return nil, fmt.Errorf("render containerd config: %w", err)
	}
	return buf.Bytes(), nil
}
