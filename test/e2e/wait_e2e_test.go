//go:build e2e

package e2e

import (
	"context"
	"testing"
	"time"
)

// waitFor polls check every pollInterval until it holds or timeout passes, then fails
// t with the last observation.
func waitFor(ctx context.Context, t testing.TB, timeout time.Duration, what string,
	check func() (bool, string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := ""
	for {
		ok, seen := check()
		if ok {
			return
		}
		last = seen
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not reached within %s; last seen: %s", what, timeout, last)
		case <-time.After(pollInterval):
		}
	}
}
