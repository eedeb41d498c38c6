package manifests

import (
	"context"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Intervals of Run.
const (
	// pollInterval bounds how long a change goes unnoticed when no file event
	// arrives.
	pollInterval = 15 * time.Second
	// resyncInterval is how often every file is applied again, changed or not, so
	// that objects deleted or edited in the cluster come back.
	resyncInterval = 10 * time.Minute
	// settleDelay gathers the events of one edit, which often writes several times.
	settleDelay = 300 * time.Millisecond
	// firstRetry is the wait after the first failed sync; it doubles up to maxRetry
	// while syncs keep failing. Early failures are common: at start, the objects a
	// manifest needs (a namespace, a service account) appear within seconds.
	firstRetry = 500 * time.Millisecond
	maxRetry   = 5 * time.Second
	// repeatLog is how often the same problem is logged again.
	repeatLog = 5 * time.Minute
)

// Run applies the directory at once and keeps it applied until ctx is done, then
// returns ctx's error. It reacts to file events in the directory and polls it every
// pollInterval as well. Problems are retried within maxRetry and logged, at most every
// repeatLog while they stay the same.
func (a *Applier) Run(ctx context.Context) error {
	events := a.watch(ctx)
	var lastFull time.Time
	retry := firstRetry
	for {
		force := time.Since(lastFull) >= resyncInterval
		if force {
			lastFull = time.Now()
		}
		err := a.Sync(ctx, force)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := pollInterval
		if err != nil {
			a.report(err)
			wait, retry = retry, min(2*retry, maxRetry)
		} else {
			a.reportResolved()
			retry = firstRetry
		}

		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		case <-events:
			timer.Stop()
			settle(ctx, events)
		}
	}
}

// settle waits settleDelay, dropping the events that arrive meanwhile.
func settle(ctx context.Context, events <-chan struct{}) {
	timer := time.NewTimer(settleDelay)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
			return
		case <-events:
		}
	}
}

// watch returns a channel that receives a value when a manifest file of the directory
// changes, until ctx is done. When the directory cannot be watched, it logs why and
// returns a channel that never receives: polling still finds every change.
func (a *Applier) watch(ctx context.Context) <-chan struct{} {
	events := make(chan struct{}, 1)
	w, err := fsnotify.NewWatcher()
	if err == nil {
		err = w.Add(a.dir)
		if err != nil {
			w.Close()
		}
	}
	if err != nil {
		a.log.Warn("Cannot watch the manifests directory; polling it only", "dir", a.dir,
			"interval", pollInterval, "err", err)
		return events
	}
	go func() {
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if IsManifestName(filepath.Base(ev.Name)) {
					select {
					case events <- struct{}{}:
					default:
					}
				}
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
			}
		}
	}()
	return events
}

// report logs a sync's problems unless the same were logged within repeatLog.
func (a *Applier) report(err error) {
	text := err.Error()
	if text == a.lastProblem && time.Since(a.lastLogged) < repeatLog {
		return
	}
	a.lastProblem, a.lastLogged = text, time.Now()
	a.log.Warn("Manifests not all applied; retrying", "dir", a.dir, "err", err)
}

// reportResolved logs that the problems last reported are gone.
func (a *Applier) reportResolved() {
	if a.lastProblem == "" {
		return
	}
	a.lastProblem = ""
	a.log.Info("Manifests applied", "dir", a.dir)
}
