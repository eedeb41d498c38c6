package pki

import "strings"

// Paths of the CA set files, relative to <data-dir>/server/tls.
const (
	ServerCACertFile            = "server-ca.crt"
	ServerCAKeyFile             = "server-ca.key"
	ClientCACertFile            = "client-ca.crt"
	ClientCAKeyFile             = "client-ca.key"
	RequestHeaderCACertFile     = "request-header-ca.crt"
	RequestHeaderCAKeyFile      = "request-header-ca.key"
	EtcdServerCACertFile        = "etcd/server-ca.crt"
	EtcdServerCAKeyFile         = "etcd/server-ca.key"
	EtcdPeerCACertFile          = "etcd/peer-ca.crt"
	EtcdPeerCAKeyFile           = "etcd/peer-ca.key"
	ServiceAccountKeyFile       = "service.key"
	ServiceAccountPublicKeyFile = "service.pub"
)

// caFile describes one CA of the set: its files, the prefix of its common name, and where
// it sits in a CASet.
type caFile struct {
	cert, key string
	name      string
	field     func(*CASet) **CA
}

// caFiles lists the CAs of a cluster in the order they are loaded and reported.
var caFiles = []caFile{
	{ServerCACertFile, ServerCAKeyFile, "lightnode-server-ca",
		func(s *CASet) **CA { return &s.ServerCA }},
	{ClientCACertFile, ClientCAKeyFile, "lightnode-client-ca",
		func(s *CASet) **CA { return &s.ClientCA }},
	{RequestHeaderCACertFile, RequestHeaderCAKeyFile, "lightnode-request-header-ca",
		func(s *CASet) **CA { return &s.RequestHeaderCA }},
	{EtcdServerCACertFile, EtcdServerCAKeyFile, "lightnode-etcd-server-ca",
		func(s *CASet) **CA { return &s.EtcdServerCA }},
	{EtcdPeerCACertFile, EtcdPeerCAKeyFile, "lightnode-etcd-peer-ca",
		func(s *CASet) **CA { return &s.EtcdPeerCA }},
}

// CASetFileNames returns the paths of every file of a CA set, in a fixed order.
func CASetFileNames() []string {
	names := make([]string, 0, 2*len(caFiles)+2)
	for _, f := range caFiles {
		names = append(names, f.cert, f.key)
	}
	return append(names, ServiceAccountKeyFile, ServiceAccountPublicKeyFile)
}

// SecretKey maps a CA set file path to a valid Kubernetes Secret data key by replacing
// directory separators with dashes, as in "etcd/server-ca.crt" to "etcd-server-ca.crt".
func SecretKey(path string) string {
	return strings.ReplaceAll(path, "/", "-")
}

// PathFromSecretKey maps a Secret data key back to the CA set file path it stands for. It
// reports false for a key that names no file of the set.
func PathFromSecretKey(key string) (string, bool) {
	for _, path := range CASetFileNames() {
		if SecretKey(path) == key {
			return path, true
		}
	}
	return "", false
}
