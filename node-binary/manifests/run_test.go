package manifests

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// waitObjects waits, a bounded time, until the cluster holds want.
func waitObjects(t *testing.T, c *fakeCluster, want []string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if slices.Equal(c.names(), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("objects %q, want %q", c.names(), want)
}

// TestRunFollowsTheDirectory checks that Run applies a new file, an edit and a removal
// as they happen, well before its poll interval would.
func TestRunFollowsTheDirectory(t *testing.T) {
	dir := t.TempDir()
	cluster := newFakeCluster()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewApplier(dir, "server-1", cluster, quietLog).Run(ctx) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after its context ended")
		}
	}()

	writeManifest(t, dir, "app.yaml", cmA)
	waitObjects(t, cluster, []string{"ConfigMap default/a=app.yaml"})
	writeManifest(t, dir, "app.yaml", nsA)
	waitObjects(t, cluster, []string{"Namespace apps=app.yaml"})
	if err := os.Remove(filepath.Join(dir, "app.yaml")); err != nil {
		t.Fatal(err)
	}
	waitObjects(t, cluster, nil)
}
