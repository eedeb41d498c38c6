package manifests

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
)

// ErrInvalidManifest reports a manifest file that does not hold Kubernetes objects as
// given; applying it again fails again until the file changes.
var ErrInvalidManifest = errors.New("invalid manifest")

// Parse decodes the objects of a manifest: YAML documents separated by ---, or JSON
// values one after another. Empty documents are skipped, and a List (any kind ending
// in List with items) gives its items. Every object needs apiVersion, kind and
// metadata.name; errors wrap ErrInvalidManifest and name the document.
func Parse(data []byte) ([]*unstructured.Unstructured, error) {
	dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for doc := 1; ; doc++ {
		var raw map[string]any
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: document %d: %w", ErrInvalidManifest, doc, err)
		}
		if len(raw) == 0 {
			continue
		}
		got, err := documentObjects(&unstructured.Unstructured{Object: raw})
		if err != nil {
			return nil, fmt.Errorf("%w: document %d: %w", ErrInvalidManifest, doc, err)
		}
		objs = append(objs, got...)
	}
}

// documentObjects returns the object of one document, or the items of a List.
func documentObjects(u *unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	if strings.HasSuffix(u.GetKind(), "List") && u.Object["items"] != nil {
		list, err := u.ToList()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u.GetKind(), err)
		}
		var objs []*unstructured.Unstructured
		for i := range list.Items {
			item := &list.Items[i]
			if err := checkObject(item); err != nil {
				return nil, fmt.Errorf("item %d: %w", i+1, err)
			}
			objs = append(objs, item)
		}
		return objs, nil
	}
	if err := checkObject(u); err != nil {
		return nil, err
	}
	return []*unstructured.Unstructured{u}, nil
}

// checkObject reports an object that server-side apply cannot take.
func checkObject(u *unstructured.Unstructured) error {
	switch {
	case u.GetAPIVersion() == "":
		return fmt.Errorf("no apiVersion")
	case u.GetKind() == "":
		return fmt.Errorf("no kind")
	case u.GetName() == "":
		return fmt.Errorf("%s has no metadata.name", u.GetKind())
	}
	return nil
}
