package containerd

import (
	"bytes"
	"fmt"
	"strings"
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
	// RegistryAuth holds the credentials CRI pulls present, keyed by the host they
	// connect to (see Registries.Auths). The rendered file then holds secrets, so it
	// must be written readable by root only.
	RegistryAuth map[string]AuthConfig
}

// configTemplate is containerd's configuration, version 3 (containerd 2.x). Every
// string is TOML-quoted by the quote function.
//
// Credentials go under the CRI images plugin's registry.configs, keyed by the host a
// pull connects to. containerd 2 marks that section deprecated in favour of hosts.toml,
// which has no credentials, but still honours it: the CRI plugin hands them to the
// authorizer of each host that hosts.toml resolves to, and pulls the local way rather
// than through the transfer service when the section is present.
var configTemplate = template.Must(template.New("config").Funcs(template.FuncMap{
	"quote": tomlString,
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
{{- range $host, $auth := .RegistryAuth}}

[plugins.'io.containerd.cri.v1.images'.registry.configs.{{quote $host}}.auth]
{{- with $auth.Username}}
  username = {{quote .}}{{end}}
{{- with $auth.Password}}
  password = {{quote .}}{{end}}
{{- with $auth.Auth}}
  auth = {{quote .}}{{end}}
{{- with $auth.IdentityToken}}
  identitytoken = {{quote .}}{{end}}
{{- end}}

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

// tomlString returns s as a TOML basic string. Unlike a Go quoted string it escapes
// control characters only in the forms TOML knows.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
