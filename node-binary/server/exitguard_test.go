//go:build lightnode

package server

import "testing"

func TestExitGuardParksOnlyWhileStopping(t *testing.T) {
	var exited []int
	parked := 0
	g := &exitGuard{exit: func(code int) { exited = append(exited, code) }, park: func() { parked++ }}

	g.osExit(255)
	if len(exited) != 1 || exited[0] != 255 || parked != 0 {
		t.Fatalf("before stop: exited %v, parked %d; want exit 255 and no park", exited, parked)
	}
	g.beginStop()
	g.osExit(1)
	if len(exited) != 1 || parked != 1 {
		t.Fatalf("while stopping: exited %v, parked %d; want no further exit and one park",
			exited, parked)
	}
}
