// Package sshtest runs an in-process SSH server for unit tests of the SSH transport.
//
// The server listens on 127.0.0.1, accepts one authorized public key, and runs each
// "exec" request with sh -c on the local machine, so commands, uploads and digests
// act on real files in the test's temporary directories. It can rotate its host key,
// simulate sudo with or without a password, drop the connection after a number of
// stdin bytes, and make chosen commands fail.
package sshtest
