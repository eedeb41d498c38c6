package server

import (
	"context"
	"errors"
	"time"

	"github.com/lightcluster/lightcluster/node-binary/datastore"
)

// Bounds of start-up and shutdown.
const (
	readyTimeout    = 3 * time.Minute
	apiStopTimeout  = 30 * time.Second
	dataStopTimeout = 15 * time.Second
)

// start runs the components in order and waits until one fails or ctx is done.
func (r *runner) start(ctx context.Context) error {
	r.exits = installExitGuard()
	// The datastore and API server outlive ctx so that they stop in order.
	storeCtx, stopStore := context.WithCancel(context.WithoutCancel(ctx))
	defer stopStore()
	store, err := datastore.Start(storeCtx, r.datastoreConfig())
	if err != nil {
		return &componentError{component: "datastore", err: err}
	}
	r.store = store
	r.log.Info("Datastore ready", "endpoints", store.Backend.Endpoints)

	apiCtx, stopAPI := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAPI()
	failed := make(chan error, 5)
	apiDone, err := r.startAPIServer(apiCtx, failed)
	if err != nil {
		return err
	}
	if err := r.waitReady(ctx, failed); err != nil || ctx.Err() != nil {
		return r.stop(err, stopAPI, apiDone, stopStore)
	}
	r.log.Info("API server ready", "url", r.localURL())

	r.goComponent(ctx, "kube-controller-manager", r.runControllerManager, failed)
	r.goComponent(ctx, "kube-scheduler", r.runScheduler, failed)
	r.startJoinWatch(ctx, failed)
	r.startManifests(ctx, failed)

	select {
	case err = <-failed:
	case <-store.Done():
		err = &componentError{component: "datastore", err: store.Err()}
	case <-ctx.Done():
		r.log.Info("Stopping")
	}
	return r.stop(err, stopAPI, apiDone, stopStore)
}

// startAPIServer builds the API server and runs it in the background; its end is
// reported on failed when unexpected, and always closes the returned channel.
func (r *runner) startAPIServer(ctx context.Context, failed chan<- error) (
	<-chan struct{}, error) {
	wrap, err := r.joinWrapper()
	if err != nil {
		return nil, &componentError{component: "join", err: err}
	}
	api, err := r.newAPIServer(ctx, wrap)
	if err != nil {
		return nil, &componentError{component: "kube-apiserver", err: err}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		err := api.run(ctx)
		if ctx.Err() == nil {
			failed <- &componentError{component: "kube-apiserver", err: err}
		}
	}()
	return done, nil
}

// goComponent runs a component in the background and reports on failed when it
// ends before ctx is done. The component itself is never cancelled: with leader
// election, the upstream controllers exit the process when their context ends, so
// they run until the process exits after the API server and datastore stopped.
func (r *runner) goComponent(ctx context.Context, name string,
	run func(context.Context) error, failed chan<- error) {
	r.log.Info("Starting " + name)
	go func() {
		err := run(context.WithoutCancel(ctx))
		if ctx.Err() == nil {
			failed <- &componentError{component: name, err: err}
		}
	}()
}

// stop stops the API server, then the datastore, each within a bound, and returns
// cause. From here on, a component that exits the process through klog is parked.
func (r *runner) stop(cause error, stopAPI context.CancelFunc, apiDone <-chan struct{},
	stopStore context.CancelFunc) error {
	r.exits.beginStop()
	stopAPI()
	if !waitFor(apiDone, apiStopTimeout) {
		r.log.Warn("API server did not stop in time", "timeout", apiStopTimeout)
	}
	stopStore()
	if !waitFor(r.store.Done(), dataStopTimeout) {
		r.log.Warn("Datastore did not stop in time", "timeout", dataStopTimeout)
	}
	if cause != nil {
		return cause
	}
	r.log.Info("Stopped")
	return nil
}

func waitFor(done <-chan struct{}, timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

var errNotReady = errors.New("not ready")
