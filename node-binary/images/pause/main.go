// Command pause is the process that holds a pod's namespaces open. It sleeps until it
// receives SIGINT or SIGTERM, and as the pod's first process it reaps every child that
// exits, so that no zombie outlives its parent inside the pod.
package main

import (
	"errors"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	run(func() {})
}

// run waits for signals until SIGINT or SIGTERM; ready is called once the handlers are
// in place.
func run(ready func()) {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	ready()

	for sig := range signals {
		if sig == syscall.SIGCHLD {
			reapChildren()
			continue
		}
		os.Exit(0)
	}
}

// reapChildren collects the exit status of every child that has exited. Signals merge
// while pending, so one SIGCHLD may stand for many exits.
func reapChildren() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if pid <= 0 || err != nil {
			return
		}
	}
}
