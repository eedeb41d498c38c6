package install

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"

	"github.com/lightcluster/lightcluster/node-binary/agent/cni"
	"github.com/lightcluster/lightcluster/node-binary/config"
)

// ErrUnsafeDataDir reports a data directory that uninstall refuses to delete because
// it is not a directory of lightnode's own, such as / or /var.
var ErrUnsafeDataDir = errors.New("refusing to remove a system directory as the data dir")

// Uninstall removes lightnode from the machine: it takes an embedded etcd member out
// of its cluster, stops and disables the services, stops the processes left running
// from the data directory, unmounts what is mounted there, and deletes the service
// definitions, binary, kubectl link, config, data directory, CNI interfaces and
// firewall rules. It carries on past failures and reports them all at the end. On a
// machine where nothing is installed it does nothing and succeeds.
func Uninstall(ctx context.Context, o Options) error {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return err
	}
	dataDir, err := resolveDataDir(o)
	if err != nil {
		return err
	}
	o.DataDir = dataDir
	mgr, mgrErr := detectServiceManager(o.System)
	if !installed(o, mgr) {
		o.say("lightnode is not installed")
		return nil
	}

	var errs []error
	note := func(err error) { errs = append(errs, err) }
	note(leaveEtcd(ctx, o))
	if mgrErr == nil {
		note(stopServices(ctx, o, mgr))
	}
	note(killLeftovers(o))
	note(unmountAll(ctx, o))
	note(removeFiles(ctx, o, mgr))
	note(deleteInterfaces(ctx, o))
	note(cleanFirewall(ctx, o))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("uninstall lightnode: %w", err)
	}
	o.say("lightnode uninstalled")
	return nil
}

// resolveDataDir returns the data directory to remove, refusing a system directory.
func resolveDataDir(o Options) (string, error) {
	dir := o.DataDir
	if dir == "" {
		dir = configValue(o, "data-dir")
	}
	if dir == "" {
		dir = config.DefaultDataDir
	}
	dir = path.Clean(dir)
	if !path.IsAbs(dir) || systemDirs[dir] {
		return "", fmt.Errorf("data dir %s: %w", dir, ErrUnsafeDataDir)
	}
	return dir, nil
}

// systemDirs are directories that are never a data directory of lightnode's.
var systemDirs = map[string]bool{
	"/": true, "/bin": true, "/boot": true, "/dev": true, "/etc": true, "/home": true,
	"/lib": true, "/lib64": true, "/opt": true, "/proc": true, "/root": true, "/run": true,
	"/sbin": true, "/srv": true, "/sys": true, "/tmp": true, "/usr": true,
	"/usr/local": true, "/usr/local/bin": true, "/var": true, "/var/lib": true,
}

// installed reports whether any part of lightnode is on the machine.
func installed(o Options, mgr serviceManager) bool {
	paths := []string{o.binaryPath(), configDir, o.ConfigFile, o.DataDir, runDir}
	if mgr != nil {
		for _, role := range Roles {
			paths = append(paths, mgr.unitPath(role))
		}
	}
	for _, p := range paths {
		if exists(o.System, p) {
			return true
		}
	}
	return false
}

// stopServices stops and disables every lightnode service that is defined.
func stopServices(ctx context.Context, o Options, mgr serviceManager) error {
	var errs []error
	for _, role := range Roles {
		if !exists(o.System, mgr.unitPath(role)) {
			continue
		}
		if err := mgr.stop(ctx, o, role); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", serviceName(role), err))
			continue
		}
		o.say("Stopped %s", serviceName(role))
	}
	return errors.Join(errs...)
}

// removeFiles deletes the service definitions, binary, kubectl link, config, the
// data, runtime and kubelet directories and the CNI state of lightnode's network. A
// directory stays when something is still mounted below it, since deleting would
// reach into the mounted file system.
func removeFiles(ctx context.Context, o Options, mgr serviceManager) error {
	var errs []error
	if mgr != nil {
		errs = append(errs, removeUnits(ctx, o, mgr))
	}
	if ownsKubectl(o) {
		errs = append(errs, removePath(o, o.kubectlPath()))
	}
	errs = append(errs, removePath(o, o.binaryPath()), removePath(o, configDir),
		removePath(o, o.ConfigFile), removePath(o, o.ConfigFile+".d"))

	errs = append(errs, removeCNIState(o))
	for _, dir := range []string{o.DataDir, runDir, kubeletDir} {
		busy, err := mountedBelow(o, dir)
		if err != nil {
			errs = append(errs, fmt.Errorf("keep %s: %w", dir, err))
			continue
		}
		if len(busy) > 0 {
			errs = append(errs, fmt.Errorf("keep %s: still mounted below it: %v", dir, busy))
			continue
		}
		errs = append(errs, removePath(o, dir))
	}
	return errors.Join(errs...)
}

// removeCNIState deletes the address leases and cached results of lightnode's pod
// network and of its pods' loopback, the pods' network namespaces (unmounted by then)
// and the kubelet's pod logs, leaving those of other CNI networks on the machine alone.
func removeCNIState(o Options) error {
	errs := []error{removePath(o, path.Join(cniStateDir, "networks", cni.NetworkName))}
	for _, pattern := range []string{
		path.Join(cniStateDir, "results", cni.NetworkName+"-*"),
		path.Join(cniStateDir, "results", "cni-loopback-*"),
		path.Join(netnsDir, "cni-*"),
	} {
		matches, err := filepath.Glob(o.System.Path(pattern))
		if err != nil {
			return err
		}
		for _, m := range matches {
			errs = append(errs, removePath(o, path.Join(path.Dir(pattern), filepath.Base(m))))
		}
	}
	for _, dir := range podLogDirs {
		errs = append(errs, removePath(o, dir))
	}
	return errors.Join(errs...)
}

// removeUnits deletes the service definitions and tells the init system.
func removeUnits(ctx context.Context, o Options, mgr serviceManager) error {
	removed := false
	var errs []error
	for _, role := range Roles {
		if exists(o.System, mgr.unitPath(role)) {
			errs = append(errs, removePath(o, mgr.unitPath(role)))
			removed = true
		}
	}
	if removed {
		errs = append(errs, mgr.unitsRemoved(ctx, o))
	}
	return errors.Join(errs...)
}
