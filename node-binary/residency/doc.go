// Package residency hands back to the kernel the pages of lightnode's own program that
// start-up touched and a running node does not use.
//
// lightnode is one large program that carries every component, so its start runs the
// initialisation of some 1,500 packages, and the kernel maps the program's pages in
// runs of 64 KiB around each one touched. A node then runs a small part of that code,
// yet every page mapped once stays counted in its resident memory. The read-only
// segments (code, constant data, the tables the Go runtime reads) are never modified,
// so dropping them from the process loses nothing: they stay in the page cache, and
// whatever the process still uses is mapped again on its next access.
package residency
