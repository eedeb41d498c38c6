// Package install installs lightnode on the machine it runs on as a system service, and
// removes it again.
//
// Install copies the running binary into the install directory, links kubectl to it
// when the machine has no kubectl, records the given flags in the config file, writes a
// systemd unit (or an OpenRC script), enables and starts the service, and waits until
// it is up. Uninstall stops the service, leaves the embedded etcd cluster, stops the
// containers it left running, and removes what install and the running node created:
// files, mounts, network interfaces and firewall rules.
//
// Both are idempotent. Every effect on the host goes through a System, so tests run
// them against a directory and a recorded command runner.
package install
