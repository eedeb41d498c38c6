// Package pki creates, loads and renews the certificates of a lightcluster cluster.
//
// A cluster has a fixed set of certificate authorities (see CASet) that are generated once
// and never regenerated while the cluster exists, and leaf certificates issued from them
// that are renewed when they come close to expiry (see EnsureLeaf). Keys are ECDSA P-256.
// All times come from an injectable Clock so that renewal can be exercised without waiting.
package pki
