package install

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Files of the etcd client certificate, relative to <data-dir>/server/tls/etcd, with
// which uninstall takes the member out of the cluster.
const (
	EtcdClientCertFile = "client.crt"
	EtcdClientKeyFile  = "client.key"
	EtcdServerCAFile   = "server-ca.crt"
)

// localEtcd is the client URL of the embedded etcd member on this machine.
const localEtcd = "https://127.0.0.1:2379"

// etcdLeaveTimeout bounds leaving the etcd cluster.
const etcdLeaveTimeout = 20 * time.Second

// leaveEtcd takes the embedded etcd member of this machine out of its cluster, so the
// remaining members keep their quorum. A failure is reported as a warning only: the
// machine is going away either way, and the member can be removed from another server.
func leaveEtcd(ctx context.Context, o Options) error {
	if !exists(o.System, path.Join(o.DataDir, etcdDataDir)) {
		return nil
	}
	leave := o.BeforeRemove
	if leave == nil {
		leave = func(ctx context.Context) error { return removeLocalMember(ctx, o) }
	}
	if err := leave(ctx); err != nil {
		o.say("Warning: could not leave the etcd cluster: %v; remove this member "+
			"from another server", err)
	}
	return nil
}

// removeLocalMember asks the local etcd member for its ID and removes it, unless it is
// the last member, whose cluster ends with it.
func removeLocalMember(ctx context.Context, o Options) error {
	tlsConfig, err := etcdClientTLS(o.System.Path(path.Join(o.DataDir, etcdTLSSubdir)))
	if err != nil {
		return err
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints: []string{localEtcd}, TLS: tlsConfig,
		DialTimeout: 5 * time.Second, Logger: zap.NewNop(),
	})
	if err != nil {
		return fmt.Errorf("connect to etcd at %s: %w", localEtcd, err)
	}
	defer func() { _ = cli.Close() }()
	ctx, cancel := context.WithTimeout(ctx, etcdLeaveTimeout)
	defer cancel()

	status, err := cli.Status(ctx, localEtcd)
	if err != nil {
		return fmt.Errorf("etcd status at %s: %w", localEtcd, err)
	}
	members, err := cli.MemberList(ctx)
	if err != nil {
		return fmt.Errorf("list etcd members: %w", err)
	}
	if len(members.Members) <= 1 {
		o.say("This is the last etcd member; nothing to leave")
		return nil
	}
	if _, err := cli.MemberRemove(ctx, status.Header.MemberId); err != nil {
		return fmt.Errorf("remove etcd member %x: %w", status.Header.MemberId, err)
	}
	o.say("Removed etcd member %x from the cluster", status.Header.MemberId)
	return nil
}

// etcdClientTLS loads the etcd client certificate and server CA from dir.
func etcdClientTLS(dir string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(path.Join(dir, EtcdClientCertFile),
		path.Join(dir, EtcdClientKeyFile))
	if err != nil {
		return nil, fmt.Errorf("load etcd client certificate: %w", err)
	}
	caPEM, err := os.ReadFile(path.Join(dir, EtcdServerCAFile))
	if err != nil {
		return nil, fmt.Errorf("load etcd server CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("etcd server CA holds no certificate")
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool,
		MinVersion: tls.VersionTLS12}, nil
}
