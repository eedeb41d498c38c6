// Package datastore starts the storage the API server of a lightnode server keeps its
// objects in, and tells the API server how to reach it.
//
// Three kinds exist: kine over SQLite in <data-dir>/server/db (the default), an
// external database through kine or an external etcd reached directly
// (--datastore-endpoint), and embedded etcd (--cluster-init, and servers joining one),
// whose members talk to each other over TLS from the etcd CAs.
package datastore
