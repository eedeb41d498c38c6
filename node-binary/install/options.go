package install

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"time"

	"github.com/lightcluster/lightcluster/node-binary/config"
)

// Role is the kind of node a service runs.
type Role string

// The roles a node is installed as.
const (
	// RoleServer runs `lightnode server`.
	RoleServer Role = "server"
	// RoleAgent runs `lightnode agent`.
	RoleAgent Role = "agent"
)

// Roles lists every role, in the order uninstall handles them.
var Roles = []Role{RoleServer, RoleAgent}

// Defaults of Options.
const (
	// DefaultInstallDir is where the binary is installed.
	DefaultInstallDir = "/usr/local/bin"
	// DefaultWaitTimeout bounds the wait for the service to come up.
	DefaultWaitTimeout = 120 * time.Second
	// defaultPollInterval is how often the wait checks the service.
	defaultPollInterval = time.Second
	// defaultKubeletHealthz is where the kubelet lightnode configures answers its
	// health check.
	defaultKubeletHealthz = "http://127.0.0.1:10248/healthz"
	// waitLogInterval is how often a long wait says it is still waiting.
	waitLogInterval = 30 * time.Second
)

// Fixed paths on the machine.
const (
	configDir     = "/etc/lightnode"
	runDir        = "/run/lightnode"
	systemdDir    = "/etc/systemd/system"
	openrcDir     = "/etc/init.d"
	binaryName    = "lightnode"
	kubectlName   = "kubectl"
	etcdDataDir   = "server/db/etcd"
	etcdTLSSubdir = "server/tls/etcd"
	// kubeletDir is the kubelet's root directory: pod volumes are mounted below it.
	kubeletDir = "/var/lib/kubelet"
	// cniStateDir holds the CNI plugins' state: host-local's address leases under
	// networks/<network> and cached results named results/<network>-*.
	cniStateDir = "/var/lib/cni"
)

// Options configures Install and Uninstall.
type Options struct {
	// Role is the service to install. Install requires it; Uninstall removes every role.
	Role Role
	// Args are lightnode flags of the role to record in the config file, as in
	// `lightnode install server --token ...`. None leaves the config file as it is.
	Args []string
	// InstallDir is where the binary goes; DefaultInstallDir when empty.
	InstallDir string
	// ConfigFile is the config file; config.DefaultConfigFile when empty. A --config
	// flag in Args overrides it.
	ConfigFile string
	// DataDir is the data directory Uninstall removes; when empty, the data-dir of the
	// config file, else config.DefaultDataDir.
	DataDir string
	// WaitTimeout bounds the wait for the service; DefaultWaitTimeout when zero, no
	// wait when negative.
	WaitTimeout time.Duration
	// BeforeRemove runs before the service of an embedded etcd server stops, to take
	// the member out of the etcd cluster; nil uses the etcd client certificate in the
	// data directory. Its failure is reported and the uninstall goes on.
	BeforeRemove func(ctx context.Context) error
	// System is the machine; Host when nil.
	System System
	// Out receives progress messages; io.Discard when nil.
	Out io.Writer

	// pollInterval is how often the wait checks; tests shorten it.
	pollInterval time.Duration
	// kubeletHealthz is the health URL of the node's kubelet; tests point it elsewhere.
	kubeletHealthz string
}

// withDefaults returns o with every empty field set to its default.
func (o Options) withDefaults() Options {
	if o.InstallDir == "" {
		o.InstallDir = DefaultInstallDir
	}
	if o.ConfigFile == "" {
		o.ConfigFile = config.DefaultConfigFile
	}
	if o.WaitTimeout == 0 {
		o.WaitTimeout = DefaultWaitTimeout
	}
	if o.System == nil {
		o.System = Host{}
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.pollInterval == 0 {
		o.pollInterval = defaultPollInterval
	}
	if o.kubeletHealthz == "" {
		o.kubeletHealthz = defaultKubeletHealthz
	}
	return o
}

// validate checks the paths, which must be absolute.
func (o Options) validate() error {
	var errs []error
	for name, p := range map[string]string{
		"install dir": o.InstallDir, "config file": o.ConfigFile,
	} {
		if !path.IsAbs(p) {
			errs = append(errs, fmt.Errorf("%s %q: want an absolute path", name, p))
		}
	}
	return errors.Join(errs...)
}

// binaryPath returns where the lightnode binary is installed.
func (o Options) binaryPath() string { return path.Join(o.InstallDir, binaryName) }

// kubectlPath returns where the kubectl link goes.
func (o Options) kubectlPath() string { return path.Join(o.InstallDir, kubectlName) }

// say writes one progress line.
func (o Options) say(format string, args ...any) {
	_, _ = fmt.Fprintf(o.Out, format+"\n", args...)
}

// serviceName returns the service name of role.
func serviceName(role Role) string { return "lightnode-" + string(role) }

// podLogDirs hold the kubelet's logs of pods and containers.
var podLogDirs = []string{"/var/log/pods", "/var/log/containers"}
