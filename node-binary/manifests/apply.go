package manifests

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Cluster is what an Applier needs of the API server; NewCluster returns the real one.
type Cluster interface {
	// Apply applies obj with server-side apply as FieldManager, taking over fields
	// that others set, and returns its reference, with the namespace of a namespaced
	// object defaulted.
	Apply(ctx context.Context, obj *unstructured.Unstructured) (ObjectRef, error)
	// Delete deletes the object if it still carries ManifestLabel with the value
	// label, and reports whether it did. A missing object, or a kind the API server
	// no longer serves, is not an error.
	Delete(ctx context.Context, ref ObjectRef, label string) (bool, error)
	// Records returns the readable records of every manifest file.
	Records(ctx context.Context) ([]Record, error)
	// SaveRecord creates or replaces the record of r.File.
	SaveRecord(ctx context.Context, r Record) error
	// DeleteRecord deletes the record of file; a missing one is not an error.
	DeleteRecord(ctx context.Context, file string) error
}

// Applier keeps the manifests of one directory applied to a cluster; see the package
// comment for the rules. Sync and Run must not be called concurrently.
type Applier struct {
	dir     string
	server  string
	cluster Cluster
	log     *slog.Logger

	// applied holds, per file, the checksum of the content last applied in full.
	applied map[string]string
	// invalid holds, per file, content that did not parse and why, so that it is
	// reported again without being parsed again.
	invalid map[string]invalidFile

	lastProblem string
	lastLogged  time.Time
}

// NewApplier returns an Applier of dir for the server whose node name is server.
func NewApplier(dir, server string, cluster Cluster, log *slog.Logger) *Applier {
	return &Applier{dir: dir, server: server, cluster: cluster, log: log,
		applied: map[string]string{}, invalid: map[string]invalidFile{}}
}

// invalidFile is the content of a file that did not parse, and the error.
type invalidFile struct {
	checksum string
	err      error
}

// Sync reads the directory once and brings the cluster in line with it: it applies
// each file whose content differs from what this Applier last applied in full (every
// file when force is set), deletes the objects that left a file, and deletes the
// objects of each file that is gone when this server applied it last. Files are
// handled independently; the problems found are returned joined.
func (a *Applier) Sync(ctx context.Context, force bool) error {
	content, err := readDir(a.dir)
	if err != nil {
		return err
	}
	records, err := a.cluster.Records(ctx)
	if err != nil {
		return fmt.Errorf("list manifest records: %w", err)
	}
	byFile := map[string]Record{}
	for _, r := range records {
		byFile[r.File] = r
	}

	problems := slices.Clone(content.problems)
	for _, f := range content.files {
		if bad, ok := a.invalid[f.name]; ok && bad.checksum == f.checksum && !force {
			problems = append(problems, bad.err)
			continue
		}
		if !force && a.applied[f.name] == f.checksum {
			continue
		}
		if err := a.applyFile(ctx, f, byFile[f.name]); err != nil {
			problems = append(problems, err)
		}
	}

	for _, r := range records {
		if content.present[r.File] || r.Server != a.server {
			continue
		}
		if err := a.removeFile(ctx, r); err != nil {
			problems = append(problems, err)
		}
	}
	for name := range a.applied {
		if !content.present[name] {
			delete(a.applied, name)
		}
	}
	for name := range a.invalid {
		if !content.present[name] {
			delete(a.invalid, name)
		}
	}
	return errors.Join(problems...)
}

// applyFile applies the objects of one file, deletes those of old that the file no
// longer holds, and records what it holds now.
func (a *Applier) applyFile(ctx context.Context, f manifestFile, old Record) error {
	objs, err := Parse(f.data)
	if err != nil {
		err = fmt.Errorf("manifest %s: %w", f.name, err)
		a.invalid[f.name] = invalidFile{checksum: f.checksum, err: err}
		return err
	}
	delete(a.invalid, f.name)
	label := LabelValue(f.name)

	// Apply every object, even after one failed, so that one bad object does not hold
	// back the others.
	var problems []error
	var applied []ObjectRef
	for _, obj := range applyOrder(objs) {
		setLabel(obj, label)
		ref, err := a.cluster.Apply(ctx, obj)
		if err != nil {
			problems = append(problems, fmt.Errorf("manifest %s: apply %s: %w", f.name,
				describe(obj), err))
			continue
		}
		applied = append(applied, ref)
	}

	// Objects that left the file go only once the rest applied: a file that failed
	// part-way keeps every object it had, and its record lists them all.
	stale := without(old.Objects, applied)
	if len(problems) == 0 {
		stale = a.deleteObjects(ctx, f.name, stale, &problems)
	}
	kept := append(slices.Clone(applied), stale...)

	rec := Record{File: f.name, Checksum: f.checksum, Server: a.server, Objects: kept}
	if err := a.cluster.SaveRecord(ctx, rec); err != nil {
		problems = append(problems, fmt.Errorf("manifest %s: save record: %w", f.name, err))
	}
	if len(problems) > 0 {
		return errors.Join(problems...)
	}
	if a.applied[f.name] != f.checksum {
		a.log.Info("Applied manifest", "file", f.name, "objects", len(applied))
	}
	a.applied[f.name] = f.checksum
	return nil
}

// removeFile deletes the objects of a file that is gone, then its record.
func (a *Applier) removeFile(ctx context.Context, r Record) error {
	var problems []error
	left := a.deleteObjects(ctx, r.File, r.Objects, &problems)
	if len(left) > 0 {
		r.Objects = left
		if err := a.cluster.SaveRecord(ctx, r); err != nil {
			problems = append(problems, fmt.Errorf("manifest %s: save record: %w", r.File, err))
		}
		return errors.Join(problems...)
	}
	if err := a.cluster.DeleteRecord(ctx, r.File); err != nil {
		return fmt.Errorf("manifest %s: delete record: %w", r.File, err)
	}
	a.log.Info("Deleted the objects of a removed manifest", "file", r.File,
		"objects", len(r.Objects))
	return nil
}

// deleteObjects deletes refs, the last applied first, and returns those that could not
// be deleted; their errors are added to problems.
func (a *Applier) deleteObjects(ctx context.Context, file string, refs []ObjectRef,
	problems *[]error) []ObjectRef {
	var left []ObjectRef
	label := LabelValue(file)
	for i := len(refs) - 1; i >= 0; i-- {
		ref := refs[i]
		deleted, err := a.cluster.Delete(ctx, ref, label)
		if err != nil {
			*problems = append(*problems, fmt.Errorf("manifest %s: delete %s: %w", file, ref, err))
			left = append([]ObjectRef{ref}, left...)
			continue
		}
		if deleted {
			a.log.Info("Deleted object no longer in its manifest", "file", file, "object",
				ref.String())
		}
	}
	return left
}

// applyOrder returns objs with namespaces first, then custom resource definitions,
// then the rest in file order, so that what others need exists first.
func applyOrder(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	rank := func(u *unstructured.Unstructured) int {
		switch u.GroupVersionKind().GroupKind().String() {
		case "Namespace":
			return 0
		case "CustomResourceDefinition.apiextensions.k8s.io":
			return 1
		}
		return 2
	}
	out := slices.Clone(objs)
	slices.SortStableFunc(out, func(x, y *unstructured.Unstructured) int {
		return rank(x) - rank(y)
	})
	return out
}

// setLabel puts ManifestLabel on obj.
func setLabel(obj *unstructured.Unstructured, value string) {
	labels := obj.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[ManifestLabel] = value
	obj.SetLabels(labels)
}

// describe names an object of a manifest, for messages.
func describe(obj *unstructured.Unstructured) string {
	return ObjectRef{Kind: obj.GetKind(), Namespace: obj.GetNamespace(),
		Name: obj.GetName()}.String()
}

// without returns the refs of list that are not in drop, keeping their order. Two
// refs are the same object when their group, kind, namespace and name agree.
func without(list, drop []ObjectRef) []ObjectRef {
	seen := map[objectKey]bool{}
	for _, r := range drop {
		seen[keyOf(r)] = true
	}
	var out []ObjectRef
	for _, r := range list {
		if !seen[keyOf(r)] {
			out = append(out, r)
		}
	}
	return out
}
