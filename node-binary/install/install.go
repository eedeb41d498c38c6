package install

import (
	"context"
	"fmt"

	"github.com/lightcluster/lightcluster/node-binary/config"
)

// Install installs the running binary as the lightnode service of o.Role and starts
// it: it copies the binary, links kubectl, records o.Args in the config file, writes
// the service definition, enables and starts the service, and waits until it is up.
// It restarts a running service only when the binary, the definition or the config
// changed, so running it again changes nothing.
func Install(ctx context.Context, o Options) error {
	o = o.withDefaults()
	if o.Role != RoleServer && o.Role != RoleAgent {
		return fmt.Errorf("install: role %q: want %s or %s", o.Role, RoleServer, RoleAgent)
	}
	file, settings, err := parseArgs(o.Role, o.Args)
	if err != nil {
		return err
	}
	if file != "" {
		o.ConfigFile = file
	}
	if err := o.validate(); err != nil {
		return err
	}
	mgr, err := detectServiceManager(o.System)
	if err != nil {
		return fmt.Errorf("install lightnode %s: %w", o.Role, err)
	}
	if err := checkOtherRole(o, mgr); err != nil {
		return err
	}

	unitChanged, err := installFiles(o, mgr, settings)
	if err != nil {
		return err
	}
	if err := start(ctx, o, mgr, unitChanged); err != nil {
		return err
	}
	if err := waitUntilUp(ctx, o, mgr); err != nil {
		return err
	}
	o.say("%s is running; logs: %s", serviceName(o.Role), mgr.logHint(o.Role))
	return nil
}

// checkOtherRole refuses to install a role beside the other one: both read the same
// config file and data dir, and a server runs its own agent already.
func checkOtherRole(o Options, mgr serviceManager) error {
	for _, role := range Roles {
		if role != o.Role && exists(o.System, mgr.unitPath(role)) {
			return fmt.Errorf("install lightnode %s: lightnode %s is installed on this "+
				"machine (%s), and both would share %s and %s; run lightnode uninstall "+
				"first to change the role", o.Role, role, mgr.unitPath(role), o.ConfigFile,
				o.DataDir)
		}
	}
	return nil
}

// installFiles puts the binary, kubectl link, config and service definition in place,
// and reports whether the definition changed.
func installFiles(o Options, mgr serviceManager, settings []configSetting) (bool, error) {
	if err := installBinary(o); err != nil {
		return false, err
	}
	if err := linkKubectl(o); err != nil {
		return false, err
	}
	if err := writeConfig(o, settings); err != nil {
		return false, err
	}

	unit, mode := mgr.render(o, o.Role, execStart(o))
	unitChanged, err := writeIfChanged(o.System, mgr.unitPath(o.Role), unit, mode)
	if err != nil {
		return false, err
	}
	if unitChanged {
		o.say("Wrote %s", mgr.unitPath(o.Role))
	}
	return unitChanged, nil
}

// start enables and starts the service, restarting it when the binary, definition or
// config differ from what it last started with, and records what it starts with.
func start(ctx context.Context, o Options, mgr serviceManager, unitChanged bool) error {
	print, err := fingerprint(o, mgr)
	if err != nil {
		return err
	}
	restart := print != startedWith(o)
	if err := mgr.start(ctx, o, o.Role, unitChanged, restart); err != nil {
		return fmt.Errorf("start %s: %w", serviceName(o.Role), err)
	}
	return recordStart(o, print)
}

// execStart returns the command line of the service.
func execStart(o Options) []string {
	args := []string{o.binaryPath(), string(o.Role)}
	if o.ConfigFile != config.DefaultConfigFile {
		args = append(args, "--"+configFlag, o.ConfigFile)
	}
	return args
}
