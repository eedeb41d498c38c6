package manifests

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// fakeCluster keeps objects and records in memory, as the API server would.
type fakeCluster struct {
	mu      sync.Mutex
	objects map[objectKey]map[string]string // labels by object
	records map[string]Record
	applies int
	// failApply makes Apply fail for objects of that name.
	failApply map[string]bool
}

func newFakeCluster() *fakeCluster {
	return &fakeCluster{objects: map[objectKey]map[string]string{},
		records: map[string]Record{}, failApply: map[string]bool{}}
}

// clusterScoped lists the kinds of the tests that have no namespace.
var clusterScoped = map[string]bool{"Namespace": true, "ClusterRole": true,
	"ClusterRoleBinding": true, "CustomResourceDefinition": true}

func (c *fakeCluster) Apply(_ context.Context, obj *unstructured.Unstructured) (ObjectRef,
	error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.applies++
	if c.failApply[obj.GetName()] {
		return ObjectRef{}, errors.New("refused")
	}
	ref := ObjectRef{APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(),
		Namespace: obj.GetNamespace(), Name: obj.GetName()}
	switch {
	case clusterScoped[ref.Kind]:
		ref.Namespace = ""
	case ref.Namespace == "":
		ref.Namespace = "default"
	}
	c.objects[keyOf(ref)] = obj.GetLabels()
	return ref, nil
}

func (c *fakeCluster) Delete(_ context.Context, ref ObjectRef, label string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	labels, ok := c.objects[keyOf(ref)]
	if !ok || labels[ManifestLabel] != label {
		return false, nil
	}
	delete(c.objects, keyOf(ref))
	return true, nil
}

func (c *fakeCluster) Records(context.Context) ([]Record, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Record
	for _, r := range c.records {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out, nil
}

func (c *fakeCluster) SaveRecord(_ context.Context, r Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.records[r.File] = r
	return nil
}

func (c *fakeCluster) DeleteRecord(_ context.Context, file string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.records, file)
	return nil
}

// names returns "kind namespace/name=label" for every object, sorted.
func (c *fakeCluster) names() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k, labels := range c.objects {
		ref := ObjectRef{Kind: k.kind, Namespace: k.namespace, Name: k.name}
		out = append(out, fmt.Sprintf("%s=%s", ref, labels[ManifestLabel]))
	}
	sort.Strings(out)
	return out
}

// quietLog discards what the code under test logs.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))
