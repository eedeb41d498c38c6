package server

import (
	"os"
	"sync"
	"sync/atomic"

	"k8s.io/klog/v2"
)

// exitGuard decides what a component's call to klog's process exit does. The
// in-process controller manager and scheduler end the process through klog when
// they lose the API server, for example while the controller manager still builds
// its clients. Once this server has begun to stop, the API server going away is
// expected: the calling goroutine is parked instead, so that the datastore still
// closes cleanly and the process exits with the status of Run.
type exitGuard struct {
	stopping atomic.Bool
	exit     func(code int)
	park     func()
}

var (
	processExitGuard     = &exitGuard{exit: os.Exit, park: func() { select {} }}
	installExitGuardOnce sync.Once
)

// installExitGuard routes klog's process exit through processExitGuard.
func installExitGuard() *exitGuard {
	installExitGuardOnce.Do(func() { klog.OsExit = processExitGuard.osExit })
	return processExitGuard
}

// beginStop makes later exits through klog park their goroutine.
func (g *exitGuard) beginStop() { g.stopping.Store(true) }

func (g *exitGuard) osExit(code int) {
	if g.stopping.Load() {
		g.park()
		return
	}
	g.exit(code)
}
