// Package hosts starts test machines for end-to-end tests: containers that boot systemd,
// run sshd and look like small Debian machines, on a Docker network of their own. It
// drives the scripts in hack/hosts (build-image.sh, up.sh, wait.sh, down.sh) through the
// docker command line, so tests, the demo and a person at a shell start hosts the same
// way.
//
// Every host has three accounts reachable with the run's private key: root, lcuser
// (passwordless sudo) and lcpass (sudo asks for the password in User.Password). A Set
// also injects faults: a clean shutdown (Stop), a power cut (Kill), a hung machine
// (Pause) and a network partition (Disconnect).
//
// Nothing runs at import; Up and New start hosts, and Down (registered with the test's
// Cleanup by Up) removes them with their volumes and network.
package hosts
