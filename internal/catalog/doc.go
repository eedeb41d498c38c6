// Package catalog finds the lightnode binaries that the operator can install.
//
// A catalog is a directory laid out as <dir>/<version>/lightnode-linux-<arch>, for
// example /opt/lightnode/v1.37.2/lightnode-linux-amd64. Version directories are read
// when a binary is first asked for, so binaries added while the operator runs are
// found without a restart. The SHA-256 digest of each binary is computed once and
// kept until the file's size or modification time changes.
package catalog
