// Package join lets servers and agents join a lightnode cluster with a token.
//
// The server side is an http.Handler, mounted on the API port in front of the API
// server, that serves three endpoints:
//
//   - GET /cacerts, without authentication: the server CA bundle, which a joining node
//     checks against the CA hash its token carries.
//   - GET /v1-lightnode/server-bootstrap, with the server token: the cluster's CA set
//     and the datastore information another server needs to join.
//   - POST /v1-lightnode/agent-credentials, with the agent (or server) token and a
//     per-node password: the certificates a kubelet and kube-proxy run with.
//
// Tokens travel as HTTP basic credentials whose user is the token's role ("server" or
// "node") and whose password is its secret. A request without valid credentials for
// the endpoint gets 401, whatever is wrong with them.
//
// The node password binds a node name to the first machine that joined under it: the
// server keeps a hash of it in a Secret in kube-system and refuses another password
// for the same name with 403, until the Node object is deleted (see
// WatchNodeDeletions), so a rebuilt machine can join again under its old name.
//
// The client side (Client) fetches the CA bundle without verifying TLS, checks it
// against the token's CA hash before it sends any credential, and from then on
// verifies every connection against that CA.
package join
