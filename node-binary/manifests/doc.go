// Package manifests keeps the Kubernetes objects of a server's manifests directory,
// <data-dir>/server/manifests, applied to the cluster, K3s-style: the packaged
// components (CoreDNS) and whatever a user drops there.
//
// At start, WriteDefaults renders the default manifests that the binary carries with
// the cluster's settings (DNS address and domain, upstream resolvers) and writes them
// into the directory. A default file starts with the line OwnedMarker; while that line
// is there, the file is lightnode's and is rewritten at every start. A file without it
// is the user's: an edited default whose marker line was deleted is never overwritten
// or removed. A default whose component is disabled is not written, and an earlier
// copy of it that lightnode owns is removed, which deletes its objects.
//
// An Applier applies every *.yaml, *.yml and *.json file of the directory (not hidden,
// not in subdirectories) with server-side apply under the field manager FieldManager,
// and keeps them applied: it watches the directory and polls it on a bounded interval,
// applies a file again when its content changed, and re-applies everything now and
// then so that deleted or changed objects come back. Every object it applies carries
// the label ManifestLabel naming its file. For each file, a record (a ConfigMap in
// kube-system labelled RecordLabel) lists the objects last applied from it; objects
// that left a file are deleted, and when a file is removed, the server that applied it
// last deletes all its objects and the record. An object is deleted only while it
// still carries the label of that file.
package manifests
