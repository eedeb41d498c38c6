// Package hostfacts gathers what the operator needs to know about a machine before it
// installs lightnode there: operating system, CPU architecture, kernel, init system,
// host name, CPU count, memory and the free space where the data directory will live.
//
// Gather runs one POSIX shell script over any Runner, such as an *ssh.Client; Parse
// turns the script's output into Facts and does no I/O.
package hostfacts
