package datastore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// memberTimeout bounds each call to an existing cluster's members.
const memberTimeout = 30 * time.Second

// addMember adds this member to the cluster reachable at c.JoinClientURLs and returns
// the initial-cluster value it must start with. A member of the same name already
// listed with this peer URL (a start that failed after being added) is reused.
func addMember(ctx context.Context, c EtcdConfig) (string, error) {
	cli, err := Client(c.JoinClientURLs, c.ClientTLS)
	if err != nil {
		return "", err
	}
	defer cli.Close()

	ctx, cancel := context.WithTimeout(ctx, memberTimeout)
	defer cancel()
	list, err := cli.MemberList(ctx)
	if err != nil {
		return "", fmt.Errorf("list etcd members at %s: %w", strings.Join(c.JoinClientURLs, ","), err)
	}
	peers := map[string]string{}
	known := false
	for _, m := range list.Members {
		for _, u := range m.PeerURLs {
			if u == c.PeerURL() {
				known = true
			}
		}
		if m.Name != "" && len(m.PeerURLs) > 0 {
			peers[m.Name] = m.PeerURLs[0]
		}
	}
	if !known {
		if _, err := cli.MemberAdd(ctx, []string{c.PeerURL()}); err != nil {
			return "", fmt.Errorf("add etcd member %s: %w", c.Name, err)
		}
	}
	peers[c.Name] = c.PeerURL()
	return joinNames(peers), nil
}

// Client returns an etcd client for endpoints that authenticates with tlsFiles.
func Client(endpoints []string, tlsFiles TLSFiles) (*clientv3.Client, error) {
	info := transport.TLSInfo{
		CertFile: tlsFiles.CertFile, KeyFile: tlsFiles.KeyFile, TrustedCAFile: tlsFiles.CAFile,
	}
	tlsConfig, err := info.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("etcd client TLS: %w", err)
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints: endpoints, TLS: tlsConfig, DialTimeout: 10 * time.Second,
	})
	if err != nil {
		return nil, fmt.Errorf("etcd client for %s: %w", strings.Join(endpoints, ","), err)
	}
	return cli, nil
}
