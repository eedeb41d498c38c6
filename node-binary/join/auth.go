package join

import (
	"net/http"

	"github.com/lightcluster/lightcluster/internal/token"
)

// audience says which tokens an endpoint accepts.
type audience int

const (
	// serverOnly accepts the server token presented as user "server".
	serverOnly audience = iota
	// agentsAndServers accepts the agent token as user "node", and the server token as
	// either user.
	agentsAndServers
)

// authenticate reports whether r carries basic credentials that aud accepts. It never
// says which part was wrong, so a caller learns nothing about the secrets.
func (h *handler) authenticate(r *http.Request, aud audience) bool {
	user, secret, ok := r.BasicAuth()
	if !ok || secret == "" {
		return false
	}

	serverOK := matches(h.opts.ServerToken, secret)
	switch aud {
	case serverOnly:
		return user == string(token.RoleServer) && serverOK
	case agentsAndServers:
		agentOK := matches(h.opts.AgentToken, secret)
		switch token.Role(user) {
		case token.RoleAgent:
			return agentOK || serverOK
		case token.RoleServer:
			return serverOK
		}
	}
	return false
}

// matches reports whether t is set and its secret is secret, in constant time.
func matches(t token.Token, secret string) bool {
	return t.Secret() != "" && t.Matches(secret)
}

// rejectToken answers 401 with a challenge and a body that names no secret.
func rejectToken(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="lightnode"`)
	writeError(w, http.StatusUnauthorized, "token rejected")
}
