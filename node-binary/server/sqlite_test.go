//go:build lightnode

package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

func configMap(name string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Data:       map[string]string{"key": name},
	}
}

func TestSQLiteServerKeepsDataAcrossRestart(t *testing.T) {
	n := newNode(t, "sqlite-1", "127.0.0.1")
	client := n.startReady()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cms := client.CoreV1().ConfigMaps("default")

	t.Run("create, list and watch", func(t *testing.T) {
		if _, err := cms.Create(ctx, configMap("first"), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		list, err := cms.List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		if _, err := cms.Create(ctx, configMap("second"), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		expectAdded(t, w, "second")
	})

	t.Run("kubectl get ns", func(t *testing.T) {
		out, err := run(t, []string{"KUBECONFIG=" + n.kubeconfig}, "kubectl", "get", "ns")
		if err != nil || !strings.Contains(out, "kube-system") {
			t.Fatalf("lightnode kubectl get ns: %v\n%s", err, out)
		}
	})

	t.Run("tokens", func(t *testing.T) {
		out, err := run(t, nil, "token", "show", "--data-dir", n.dataDir)
		if err != nil || !strings.HasPrefix(out, "K10") || !strings.Contains(out, "::server:") {
			t.Fatalf("token show: %v\n%s", err, out)
		}
	})

	n.stop()
	client = n.startReady()

	t.Run("data survives restart", func(t *testing.T) {
		cm, err := client.CoreV1().ConfigMaps("default").Get(ctx, "first", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if cm.Data["key"] != "first" {
			t.Errorf("data = %v, want key=first", cm.Data)
		}
	})
	n.stop()
}

func expectAdded(t *testing.T, w watch.Interface, name string) {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatal("watch closed before the event arrived")
			}
			if cm, isCM := ev.Object.(*corev1.ConfigMap); isCM && ev.Type == watch.Added &&
				cm.Name == name {
				return
			}
		case <-timeout:
			t.Fatalf("no ADDED event for %s", name)
		}
	}
}
