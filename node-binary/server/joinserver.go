package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/lightcluster/lightcluster/node-binary/join"
)

// joinWrapper returns what puts the join endpoints in front of the API server.
func (r *runner) joinWrapper() (func(http.Handler) http.Handler, error) {
	client, err := r.adminClient()
	if err != nil {
		return nil, err
	}
	opts := join.Options{
		CAs:         r.cas,
		ServerToken: r.serverToken,
		AgentToken:  r.agentToken,
		Datastore:   r.datastoreInfo,
		Passwords:   join.NewSecretStore(client),
		Clock:       r.opts.Clock,
		Logger:      r.log,
	}
	return func(next http.Handler) http.Handler {
		opts.Next = next
		h, err := join.NewHandler(opts)
		if err != nil {
			// The options were complete when the server was prepared.
			panic(fmt.Sprintf("join handler: %v", err))
		}
		return h
	}, validateJoin(opts)
}

func validateJoin(opts join.Options) error {
	_, err := join.NewHandler(opts)
	return err
}

// startJoinWatch forgets the node password of every deleted Node.
func (r *runner) startJoinWatch(ctx context.Context, failed chan<- error) {
	client, err := r.adminClient()
	if err != nil {
		failed <- &componentError{component: "join", err: err}
		return
	}
	go func() {
		err := join.WatchNodeDeletions(ctx, client, join.NewSecretStore(client))
		if ctx.Err() == nil && err != nil && !errors.Is(err, context.Canceled) {
			failed <- &componentError{component: "node password watch", err: err}
		}
	}()
}

// adminClient talks to the local API server as the admin.
func (r *runner) adminClient() (kubernetes.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", r.dirs.Cred(adminKubeconfig))
	if err != nil {
		return nil, fmt.Errorf("admin kubeconfig: %w", err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("admin client: %w", err)
	}
	return client, nil
}
