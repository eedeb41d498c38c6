// Package token creates and parses the join tokens with which servers and agents join a
// cluster.
//
// The full form is K10<hash>::<username>:<secret>, where <hash> is the hex SHA-256 of the
// cluster's CA bundle, letting a joining node pin the CA before it trusts anything it
// downloads, and <username> is "server" for server tokens and "node" for agent tokens. The
// short form is the secret alone and pins nothing. The format is the one K3s uses, so
// tokens read the same to people who know it.
//
// A Token never prints its secret by accident: fmt verbs, String and slog all show the
// redacted form. Value returns the usable token.
package token
