package join

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Bounds on what an agent may send.
const (
	maxRequestBytes = 64 << 10
	maxNodeIPs      = 16
	// maxNodeNameLength keeps the node password Secret name within the 253 characters
	// of a DNS subdomain.
	maxNodeNameLength = validation.DNS1123SubdomainMaxLength - len(passwordSecretSuffix)
	// maxPasswordBytes is the longest password bcrypt hashes without truncating it.
	maxPasswordBytes = 72
)

// nodeRequest is a validated request for agent credentials.
type nodeRequest struct {
	name     string
	password string
	hostname string
	ips      []net.IP
}

// serveAgentCredentials checks the token, the request and the node password, then
// issues the node's certificates.
func (h *handler) serveAgentCredentials(w http.ResponseWriter, r *http.Request) {
	if !h.authenticate(r, agentsAndServers) {
		rejectToken(w)
		return
	}
	req, err := readNodeRequest(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}

	switch err := h.checkNodePassword(r.Context(), req.name, req.password); {
	case errors.Is(err, errPasswordMismatch):
		h.log.Warn("Refused credentials: node name taken by another machine", "node", req.name)
		writeError(w, http.StatusForbidden, fmt.Sprintf("node %q already joined with a "+
			"different node password; delete the Node to let this machine join", req.name))
		return
	case err != nil:
		h.log.Warn("Cannot check node password", "node", req.name, "err", err)
		writeError(w, http.StatusServiceUnavailable, "node password store unavailable")
		return
	}

	creds, err := h.issueAgentCredentials(req)
	if err != nil {
		h.log.Error("Cannot issue node credentials", "node", req.name, "err", err)
		writeError(w, http.StatusInternalServerError, "cannot issue node certificates")
		return
	}
	h.log.Info("Issued node credentials", "node", req.name)
	writeJSON(w, creds)
}

// readNodeRequest reads and validates the identity headers and the body. Its errors
// are fit for the response: they quote the node name, never the password.
func readNodeRequest(w http.ResponseWriter, r *http.Request) (nodeRequest, error) {
	req := nodeRequest{
		name:     r.Header.Get(NodeNameHeader),
		password: r.Header.Get(NodePasswordHeader),
	}
	if err := validateNodeName(req.name); err != nil {
		return req, err
	}
	if n := len(req.password); n == 0 || n > maxPasswordBytes {
		return req, fmt.Errorf("header %s must hold 1 to %d bytes",
			NodePasswordHeader, maxPasswordBytes)
	}

	var body AgentRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err := dec.Decode(&body); err != nil {
		return req, errors.New("request body must be a JSON agent request")
	}
	return req, req.setBody(body)
}

// validateNodeName checks that name can be a Node name and fits a Secret name.
func validateNodeName(name string) error {
	if name == "" {
		return fmt.Errorf("header %s is required", NodeNameHeader)
	}
	if len(name) > maxNodeNameLength {
		return fmt.Errorf("node name is longer than %d characters", maxNodeNameLength)
	}
	if problems := validation.IsDNS1123Subdomain(name); len(problems) > 0 {
		return fmt.Errorf("node name %q is not a lowercase DNS subdomain: %s",
			name, problems[0])
	}
	return nil
}

// setBody records the hostname and addresses of body once they are checked.
func (req *nodeRequest) setBody(body AgentRequest) error {
	if body.Hostname != "" && len(validation.IsDNS1123Subdomain(body.Hostname)) == 0 {
		req.hostname = body.Hostname
	}
	if len(body.IPs) > maxNodeIPs {
		return fmt.Errorf("at most %d node IPs are accepted", maxNodeIPs)
	}
	for _, s := range body.IPs {
		addr, err := netip.ParseAddr(s)
		if err != nil || addr.Zone() != "" {
			return fmt.Errorf("node IP %q is not an IP address", s)
		}
		req.ips = append(req.ips, net.IP(addr.AsSlice()))
	}
	return nil
}
