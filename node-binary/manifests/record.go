package manifests

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Names of the labels, annotations and records the Applier writes.
const (
	// FieldManager is the field manager of every server-side apply.
	FieldManager = "lightnode"
	// ManifestLabel is on every applied object; its value names the manifest file
	// (see LabelValue).
	ManifestLabel = "lightnode.dev/manifest"
	// RecordLabel marks the ConfigMaps that record what each manifest file applied.
	RecordLabel = "lightnode.dev/manifest-record"
	// RecordNamespace holds the records.
	RecordNamespace = "kube-system"

	recordPrefix = "lightnode-manifest."
	keyFile      = "file"
	keyChecksum  = "checksum"
	keyServer    = "server"
	keyObjects   = "objects"
)

// ObjectRef names one applied object.
type ObjectRef struct {
	// APIVersion is the object's group and version, as in the manifest.
	APIVersion string `json:"apiVersion"`
	// Kind is the object's kind.
	Kind string `json:"kind"`
	// Namespace is empty for cluster-scoped objects.
	Namespace string `json:"namespace,omitempty"`
	// Name is the object's name.
	Name string `json:"name"`
}

// String returns the reference as kind namespace/name, for messages.
func (r ObjectRef) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// Record is what one manifest file applied, as last recorded in the cluster.
type Record struct {
	// File is the manifest's file name.
	File string
	// Checksum is the SHA-256 digest of the content applied.
	Checksum string
	// Server is the node name of the server that applied it last.
	Server string
	// Objects lists the objects applied, in the order they were applied.
	Objects []ObjectRef
}

// fileHash is a short digest of a file name, for names that cannot hold the name.
func fileHash(file string) string { return "h-" + checksum([]byte(file))[:20] }

// labelValuePattern is a label value: alphanumeric at both ends, [-._] inside.
var labelValuePattern = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)

// LabelValue returns the value of ManifestLabel for objects of a file: the file name
// when it is a valid label value, otherwise a digest of it.
func LabelValue(file string) string {
	if len(file) <= validation.LabelValueMaxLength && labelValuePattern.MatchString(file) {
		return file
	}
	return fileHash(file)
}

// RecordName returns the name of the ConfigMap that records a file: recordPrefix and
// the file name when that is a valid object name, otherwise a digest of it.
func RecordName(file string) string {
	name := recordPrefix + file
	if len(validation.IsDNS1123Subdomain(name)) == 0 {
		return name
	}
	return recordPrefix + fileHash(file)
}

// recordData encodes a record as ConfigMap data.
func recordData(r Record) (map[string]string, error) {
	objects, err := json.Marshal(r.Objects)
	if err != nil {
		return nil, fmt.Errorf("encode record of %s: %w", r.File, err)
	}
	return map[string]string{keyFile: r.File, keyChecksum: r.Checksum, keyServer: r.Server,
		keyObjects: string(objects)}, nil
}

// parseRecord decodes a record from ConfigMap data.
func parseRecord(data map[string]string) (Record, error) {
	r := Record{File: data[keyFile], Checksum: data[keyChecksum], Server: data[keyServer]}
	if r.File == "" || strings.ContainsRune(r.File, '/') {
		return r, fmt.Errorf("record names no manifest file")
	}
	if err := json.Unmarshal([]byte(data[keyObjects]), &r.Objects); err != nil {
		return r, fmt.Errorf("record of %s: objects: %w", r.File, err)
	}
	return r, nil
}

// objectKey identifies an object across API versions of its group.
type objectKey struct {
	group, kind, namespace, name string
}

// keyOf returns the identity of the object r names.
func keyOf(r ObjectRef) objectKey {
	group, _, found := strings.Cut(r.APIVersion, "/")
	if !found {
		group = ""
	}
	return objectKey{group: group, kind: r.Kind, namespace: r.Namespace, name: r.Name}
}
