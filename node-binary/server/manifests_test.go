//go:build lightnode

package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// manifestWait bounds each wait for the applier; it polls every 15 s at most.
const manifestWait = 90 * time.Second

// appManifest holds config maps named by names, each with data key=value.
func appManifest(value string, names ...string) string {
	var docs []string
	for _, name := range names {
		docs = append(docs, fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n"+
			"  name: %s\n  namespace: default\ndata:\n  key: %s\n", name, value))
	}
	return strings.Join(docs, "---\n")
}

func TestManifests(t *testing.T) {
	n := newNode(t, "manifests-1", "127.0.0.1")
	client := n.startReady()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := filepath.Join(n.dataDir, "server", "manifests")
	coredns := filepath.Join(dir, "coredns.yaml")

	t.Run("CoreDNS is applied from its default manifest", func(t *testing.T) {
		eventually(t, "Service kube-dns", func() (bool, string) {
			svc, err := client.CoreV1().Services("kube-system").Get(ctx, "kube-dns",
				metav1.GetOptions{})
			if err != nil {
				return false, err.Error()
			}
			return svc.Spec.ClusterIP == "10.43.0.10" &&
				svc.Labels["lightnode.dev/manifest"] == "coredns.yaml", svc.Spec.ClusterIP
		})
		d, err := client.AppsV1().Deployments("kube-system").Get(ctx, "coredns",
			metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Spec.Template.Spec.Containers[0].Image != "lightcluster.dev/coredns:1.15.0" {
			t.Errorf("coredns runs %s", d.Spec.Template.Spec.Containers[0].Image)
		}
		if corefile := corefileOf(ctx, t, client); strings.Contains(corefile, "forward") {
			t.Errorf("Corefile forwards without --dns-upstream:\n%s", corefile)
		}
	})

	t.Run("a dropped manifest is applied, edits are applied, removal deletes", func(t *testing.T) {
		app := filepath.Join(dir, "app.yaml")
		writeFile(t, app, appManifest("one", "app-a", "app-b"))
		waitConfigMap(ctx, t, client, "app-a", "one")
		waitConfigMap(ctx, t, client, "app-b", "one")

		writeFile(t, app, appManifest("two", "app-a"))
		waitConfigMap(ctx, t, client, "app-a", "two")
		waitConfigMap(ctx, t, client, "app-b", "")

		if err := os.Remove(app); err != nil {
			t.Fatal(err)
		}
		waitConfigMap(ctx, t, client, "app-a", "")
	})

	t.Run("an edit of the default manifest is applied", func(t *testing.T) {
		data, err := os.ReadFile(coredns)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, coredns, strings.Replace(string(data), "cache 30", "cache 31", 1))
		eventually(t, "Corefile with cache 31", func() (bool, string) {
			corefile := corefileOf(ctx, t, client)
			return strings.Contains(corefile, "cache 31"), corefile
		})
	})

	// At a start, lightnode's own copy of a default is rewritten, unless the component
	// is disabled: then the copy is removed, and with it the objects it applied.
	n.stop()
	n.args = append(n.args, "--disable", "coredns")
	client = n.startReady()

	t.Run("--disable coredns removes CoreDNS", func(t *testing.T) {
		eventually(t, "Deployment coredns deleted", func() (bool, string) {
			_, err := client.AppsV1().Deployments("kube-system").Get(ctx, "coredns",
				metav1.GetOptions{})
			return apierrors.IsNotFound(err), fmt.Sprint(err)
		})
		for _, get := range []func() error{
			func() error {
				_, err := client.CoreV1().Services("kube-system").Get(ctx, "kube-dns",
					metav1.GetOptions{})
				return err
			},
			func() error {
				_, err := client.CoreV1().ConfigMaps("kube-system").Get(ctx,
					"lightnode-manifest.coredns.yaml", metav1.GetOptions{})
				return err
			},
		} {
			eventually(t, "CoreDNS objects and record deleted", func() (bool, string) {
				err := get()
				return apierrors.IsNotFound(err), fmt.Sprint(err)
			})
		}
		if _, err := os.Stat(coredns); !os.IsNotExist(err) {
			t.Errorf("coredns.yaml still there (%v) with --disable coredns", err)
		}
	})
	n.stop()
}

// corefileOf returns the Corefile of CoreDNS's ConfigMap, or "" when there is none.
func corefileOf(ctx context.Context, t *testing.T, client kubernetes.Interface) string {
	t.Helper()
	cm, err := client.CoreV1().ConfigMaps("kube-system").Get(ctx, "coredns",
		metav1.GetOptions{})
	if err != nil {
		return ""
	}
	return cm.Data["Corefile"]
}

// waitConfigMap waits until default/name holds key=value, or is gone when value is "".
func waitConfigMap(ctx context.Context, t *testing.T, client kubernetes.Interface, name,
	value string) {
	t.Helper()
	eventually(t, fmt.Sprintf("ConfigMap %s with %q", name, value), func() (bool, string) {
		cm, err := client.CoreV1().ConfigMaps("default").Get(ctx, name, metav1.GetOptions{})
		if value == "" {
			return apierrors.IsNotFound(err), fmt.Sprint(err)
		}
		if err != nil {
			return false, err.Error()
		}
		return cm.Data["key"] == value, fmt.Sprint(cm.Data)
	})
}

// eventually polls check until it holds, failing the test after manifestWait.
func eventually(t *testing.T, what string, check func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(manifestWait)
	last := ""
	for time.Now().Before(deadline) {
		ok, seen := check()
		if ok {
			return
		}
		last = seen
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s; last seen: %s", what, manifestWait, last)
}

// writeFile replaces a file the way an editor does: a new file renamed over the old.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), ".edit-"+filepath.Base(path))
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}
