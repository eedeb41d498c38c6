package join

import (
	"context"
	"fmt"
	"log/slog"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// WatchNodeDeletions deletes the node password of every Node deleted from the cluster,
// so that a rebuilt machine can join again under the same name. Deletions that fail are
// retried with backoff. It runs until ctx is done, and fails only when the Node cache
// cannot start.
func WatchNodeDeletions(ctx context.Context, client kubernetes.Interface,
	store PasswordStore) error {
	factory := informers.NewSharedInformerFactory(client, 0)
	nodes := factory.Core().V1().Nodes().Informer()
	queue := workqueue.NewTypedRateLimitingQueue(
		workqueue.DefaultTypedControllerRateLimiter[string]())
	defer factory.Shutdown()
	defer queue.ShutDown()

	_, err := nodes.AddEventHandler(cache.ResourceEventHandlerFuncs{
		DeleteFunc: func(obj any) {
			if name := deletedNodeName(obj); name != "" {
				queue.Add(name)
			}
		},
	})
	if err != nil {
		return fmt.Errorf("watch node deletions: %w", err)
	}

	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), nodes.HasSynced) {
		return nil
	}
	go func() {
		<-ctx.Done()
		queue.ShutDown()
	}()
	for forgetNextNode(ctx, queue, nodes.GetIndexer(), store) {
	}
	return nil
}

// forgetNextNode deletes the password of the next deleted node in queue, unless a
// Node of that name exists again. It reports false once the queue shuts down.
func forgetNextNode(ctx context.Context, queue workqueue.TypedRateLimitingInterface[string],
	nodes cache.Indexer, store PasswordStore) bool {
	name, shutdown := queue.Get()
	if shutdown {
		return false
	}
	defer queue.Done(name)

	if _, exists, _ := nodes.GetByKey(name); exists {
		queue.Forget(name)
		return true
	}
	if err := store.Delete(ctx, name); err != nil {
		slog.Warn("Cannot delete the node password of a deleted Node; will retry",
			"node", name, "err", err)
		queue.AddRateLimited(name)
		return true
	}
	slog.Info("Deleted node password of deleted Node", "node", name)
	queue.Forget(name)
	return true
}

// deletedNodeName returns the name of the Node in a delete notification, which may be
// a tombstone when the watch missed the deletion itself.
func deletedNodeName(obj any) string {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	if node, ok := obj.(*corev1.Node); ok {
		return node.Name
	}
	return ""
}
