// Package bundle carries the auxiliary programs and images of a lightnode node inside
// the lightnode binary, and unpacks them onto the host, so that the one file copied to a
// machine stays the whole installation.
//
// A bundle is a directory with two files: one zstd stream holding the content of every
// file back to back, so that the compression shares what the programs have in common,
// and a manifest.json that lists, for each file, its name, its kind (a program for bin/
// or an image archive for images/), and the SHA-256 digest, size and offset of its
// content. The bundle's digest is the SHA-256 digest of manifest.json, so it changes
// whenever any file does.
//
// The build writes the bundle with Pack into the package's assets directory and
// compiles lightnode with the build tag "bundle", which embeds it. Built without that
// tag (unit tests, go vet), the package holds no bundle and Embedded returns
// ErrNotEmbedded.
//
// Extract unpacks a bundle into <data-dir>/data/<digest>/ (bin/ and images/) and points
// the <data-dir>/data/current symlink at it. Unpacking happens once per digest, through
// a temporary directory renamed into place; later calls check every file's digest and
// unpack again only when a file is missing or damaged. Calls from several processes
// are serialised by a lock file.
package bundle
