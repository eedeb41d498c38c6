// Package certs decides which leaf certificates a lightnode server needs and keeps
// them valid.
//
// The certificate authorities come from internal/pki (see pki.EnsureCASet); this
// package issues, from them, the API server's serving certificate, the client
// certificates of the admin and of the embedded components, and the certificates of
// embedded etcd. Ensure renews a leaf that expires within RenewBefore and leaves the
// CAs alone. Check lists every certificate of a TLS directory with its expiry. Rotate
// moves leaves aside, by service, so that the next start issues new ones.
package certs
