//go:build !unix

package hosts

import "os/exec"

// killGroupOnCancel leaves cmd as it is: without process groups only the command itself
// is killed when its context is cancelled.
func killGroupOnCancel(*exec.Cmd) {}
