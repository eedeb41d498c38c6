package server

import "path/filepath"

// layout names the directories and files of a server under <data-dir>/server.
type layout struct {
	root string
}

func newLayout(dataDir string) layout {
	return layout{root: filepath.Join(dataDir, "server")}
}

// TLSDir holds the CA set and the leaf certificates.
func (l layout) TLSDir() string { return filepath.Join(l.root, "tls") }

// TLS returns the path of a file of the TLS directory.
func (l layout) TLS(name string) string { return filepath.Join(l.TLSDir(), name) }

// DBDir holds the local datastore.
func (l layout) DBDir() string { return filepath.Join(l.root, "db") }

// CredDir holds the kubeconfigs of the embedded components.
func (l layout) CredDir() string { return filepath.Join(l.root, "cred") }

// Cred returns the path of a file of the credentials directory.
func (l layout) Cred(name string) string { return filepath.Join(l.CredDir(), name) }

// TokenFile holds the server token in full form.
func (l layout) TokenFile() string { return filepath.Join(l.root, "token") }

// AgentTokenFile holds the agent token in full form.
func (l layout) AgentTokenFile() string { return filepath.Join(l.root, "agent-token") }
