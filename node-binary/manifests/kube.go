package manifests

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// kubeCluster is the Cluster of a real API server.
type kubeCluster struct {
	dynamic dynamic.Interface
	core    kubernetes.Interface
	mapper  *restmapper.DeferredDiscoveryRESTMapper
}

// NewCluster returns the Cluster that cfg reaches. It learns the API server's kinds
// through discovery, again whenever a manifest names a kind it does not know yet.
func NewCluster(cfg *rest.Config) (Cluster, error) {
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("manifests client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("manifests client: %w", err)
	}
	core, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("manifests client: %w", err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))
	return &kubeCluster{dynamic: dyn, core: core, mapper: mapper}, nil
}

// mapping returns the resource of gvk, asking discovery again when the kind is new.
func (c *kubeCluster) mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		c.mapper.Reset()
		m, err = c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	return m, err
}

// resource returns the client of m's resource in namespace, which is ignored for
// cluster-scoped kinds.
func (c *kubeCluster) resource(m *meta.RESTMapping, namespace string) dynamic.ResourceInterface {
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return c.dynamic.Resource(m.Resource).Namespace(namespace)
	}
	return c.dynamic.Resource(m.Resource)
}

// Apply applies obj with server-side apply.
func (c *kubeCluster) Apply(ctx context.Context, obj *unstructured.Unstructured) (ObjectRef,
	error) {
	m, err := c.mapping(obj.GroupVersionKind())
	if err != nil {
		return ObjectRef{}, err
	}
	switch {
	case m.Scope.Name() != meta.RESTScopeNameNamespace:
		obj.SetNamespace("")
	case obj.GetNamespace() == "":
		obj.SetNamespace(metav1.NamespaceDefault)
	}
	_, err = c.resource(m, obj.GetNamespace()).Apply(ctx, obj.GetName(), obj,
		metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	if err != nil {
		return ObjectRef{}, err
	}
	return ObjectRef{APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(),
		Namespace: obj.GetNamespace(), Name: obj.GetName()}, nil
}

// Delete deletes the object while it carries the label, in the background.
func (c *kubeCluster) Delete(ctx context.Context, ref ObjectRef, label string) (bool, error) {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return false, fmt.Errorf("%s: %w", ref, err)
	}
	m, err := c.mapping(gv.WithKind(ref.Kind))
	if meta.IsNoMatchError(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r := c.resource(m, ref.Namespace)
	live, err := r.Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if live.GetLabels()[ManifestLabel] != label || live.GetDeletionTimestamp() != nil {
		return false, nil
	}

	// The UID precondition spares an object that was replaced since the read.
	uid := live.GetUID()
	background := metav1.DeletePropagationBackground
	err = r.Delete(ctx, ref.Name, metav1.DeleteOptions{
		Preconditions:     &metav1.Preconditions{UID: &uid},
		PropagationPolicy: &background,
	})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return false, nil
	}
	return err == nil, err
}

// Records lists the record ConfigMaps; one whose data does not parse is skipped.
func (c *kubeCluster) Records(ctx context.Context) ([]Record, error) {
	list, err := c.core.CoreV1().ConfigMaps(RecordNamespace).List(ctx, metav1.ListOptions{
		LabelSelector: RecordLabel + "=true",
	})
	if err != nil {
		return nil, err
	}
	return recordsOf(list.Items), nil
}

// recordsOf decodes the records of ConfigMaps, skipping those that do not parse.
func recordsOf(cms []corev1.ConfigMap) []Record {
	var records []Record
	for _, cm := range cms {
		r, err := parseRecord(cm.Data)
		if err != nil || cm.Name != RecordName(r.File) {
			continue
		}
		records = append(records, r)
	}
	return records
}

// SaveRecord applies the record's ConfigMap.
func (c *kubeCluster) SaveRecord(ctx context.Context, r Record) error {
	data, err := recordData(r)
	if err != nil {
		return err
	}
	cm := corev1ac.ConfigMap(RecordName(r.File), RecordNamespace).
		WithLabels(map[string]string{RecordLabel: "true"}).
		WithData(data)
	_, err = c.core.CoreV1().ConfigMaps(RecordNamespace).Apply(ctx, cm,
		metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	return err
}

// DeleteRecord deletes the record's ConfigMap.
func (c *kubeCluster) DeleteRecord(ctx context.Context, file string) error {
	err := c.core.CoreV1().ConfigMaps(RecordNamespace).Delete(ctx, RecordName(file),
		metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
