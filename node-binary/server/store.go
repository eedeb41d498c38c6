package server

import (
	"context"
	"fmt"
	"net"

	"github.com/lightcluster/lightcluster/internal/pki"
	"github.com/lightcluster/lightcluster/node-binary/certs"
	"github.com/lightcluster/lightcluster/node-binary/datastore"
	"github.com/lightcluster/lightcluster/node-binary/join"
)

// datastoreConfig says which datastore this server runs or uses.
func (r *runner) datastoreConfig() datastore.Config {
	tls := r.dirs.TLS
	cfg := datastore.Config{
		DBDir:    r.dirs.DBDir(),
		Endpoint: r.cfg.DatastoreEndpoint,
		EtcdClientTLS: datastore.Backend{
			CAFile:   tls(pki.EtcdServerCACertFile),
			CertFile: tls(certs.EtcdClientCertFile),
			KeyFile:  tls(certs.EtcdClientKeyFile),
		},
	}
	if r.embeddedEtcd() {
		etcd := r.etcdConfig()
		cfg.Etcd = &etcd
	}
	return cfg
}

func (r *runner) etcdConfig() datastore.EtcdConfig {
	tls := r.dirs.TLS
	return datastore.EtcdConfig{
		Name:        r.cfg.NodeName,
		ListenIP:    net.IP(r.cfg.BindIP.AsSlice()),
		AdvertiseIP: net.IP(r.advertiseIP().AsSlice()),
		ClientPort:  r.opts.EtcdClientPort,
		PeerPort:    r.opts.EtcdPeerPort,
		ServerTLS: datastore.TLSFiles{CertFile: tls(certs.EtcdServerCertFile),
			KeyFile: tls(certs.EtcdServerKeyFile), CAFile: tls(pki.EtcdServerCACertFile)},
		PeerTLS: datastore.TLSFiles{CertFile: tls(certs.EtcdPeerCertFile),
			KeyFile: tls(certs.EtcdPeerKeyFile), CAFile: tls(pki.EtcdPeerCACertFile)},
		ClientTLS: datastore.TLSFiles{CertFile: tls(certs.EtcdClientCertFile),
			KeyFile: tls(certs.EtcdClientKeyFile), CAFile: tls(pki.EtcdServerCACertFile)},
		JoinClientURLs: r.joinEtcdURLs,
	}
}

// datastoreInfo tells joining servers how to join the datastore.
func (r *runner) datastoreInfo(ctx context.Context) (join.DatastoreInfo, error) {
	switch {
	case r.embeddedEtcd():
		return r.etcdMembers(ctx)
	case r.cfg.DatastoreEndpoint != "":
		return join.DatastoreInfo{Kind: "external"}, nil
	}
	return join.DatastoreInfo{Kind: "sqlite"}, nil
}

func (r *runner) etcdMembers(ctx context.Context) (join.DatastoreInfo, error) {
	ec := r.etcdConfig()
	cli, err := datastore.Client([]string{ec.ClientURL()}, ec.ClientTLS)
	if err != nil {
		return join.DatastoreInfo{}, err
	}
	defer cli.Close()
	list, err := cli.MemberList(ctx)
	if err != nil {
		return join.DatastoreInfo{}, fmt.Errorf("list etcd members: %w", err)
	}
	info := join.DatastoreInfo{Kind: "etcd"}
	for _, m := range list.Members {
		info.EtcdMembers = append(info.EtcdMembers, join.EtcdMember{
			Name: m.Name, PeerURLs: m.PeerURLs, ClientURLs: m.ClientURLs,
		})
	}
	return info, nil
}
