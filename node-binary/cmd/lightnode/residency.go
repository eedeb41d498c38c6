package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/lightcluster/lightcluster/node-binary/residency"
)

// startupPagesDelay is how long after its start a long-running lightnode process hands
// back the pages of its program that start-up mapped (see package residency): long
// enough for the components to be up and for what they keep using to be mapped again.
const startupPagesDelay = 30 * time.Second

// releaseStartupPages waits startupPagesDelay, unless ctx ends first, then drops the
// process's mapped pages of its program.
func releaseStartupPages(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(startupPagesDelay):
	}
	n, err := residency.ReleaseProgramPages()
	if err != nil {
		slog.Warn("Could not hand back start-up pages of the program", "err", err)
		return
	}
	slog.Debug("Handed back start-up pages of the program", "addressSpaceMiB", n>>20)
}
