package datastore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	"go.etcd.io/etcd/server/v3/embed"
)

// Default ports of embedded etcd.
const (
	DefaultEtcdClientPort = 2379
	DefaultEtcdPeerPort   = 2380
)

// etcdReadyTimeout bounds how long a member may take to join its cluster.
const etcdReadyTimeout = 2 * time.Minute

// EtcdConfig describes the embedded etcd member of this server.
type EtcdConfig struct {
	// Name is the member name, unique in the cluster.
	Name string
	// ListenIP is the address etcd listens on; loopback is always served too.
	ListenIP net.IP
	// AdvertiseIP is the address other members reach this one at.
	AdvertiseIP net.IP
	// ClientPort and PeerPort are the client and peer ports.
	ClientPort, PeerPort int
	// ServerTLS is the serving certificate for clients and the CA that verifies them.
	ServerTLS TLSFiles
	// PeerTLS is the certificate members present to each other and the CA that
	// verifies them.
	PeerTLS TLSFiles
	// ClientTLS is the client certificate with which this server talks to etcd
	// members, its own and others.
	ClientTLS TLSFiles
	// JoinClientURLs are client URLs of an existing cluster to join. They are used
	// only when no local data exists; a member with data restarts from it.
	JoinClientURLs []string
}

// TLSFiles names a certificate, its key and the CA that verifies the other side.
type TLSFiles struct {
	CertFile, KeyFile, CAFile string
}

// ClientURL is the URL clients on this machine reach the member at.
func (c EtcdConfig) ClientURL() string { return hostURL(c.AdvertiseIP, c.ClientPort) }

// PeerURL is the URL other members reach this member at.
func (c EtcdConfig) PeerURL() string { return hostURL(c.AdvertiseIP, c.PeerPort) }

func hostURL(ip net.IP, port int) string {
	return "https://" + net.JoinHostPort(ip.String(), strconv.Itoa(port))
}

// startEtcd starts the member, joining the cluster first when it has no data yet.
func startEtcd(ctx context.Context, dbDir string, c EtcdConfig) (*Datastore, error) {
	dir := filepath.Join(dbDir, "etcd")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create etcd directory: %w", err)
	}
	cfg, err := embedConfig(dir, c)
	if err != nil {
		return nil, err
	}
	learner, err := planCluster(ctx, cfg, dir, c)
	if err != nil {
		return nil, err
	}

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, fmt.Errorf("start etcd in %s: %w", dir, err)
	}
	if learner != 0 {
		pctx, cancel := context.WithTimeout(ctx, etcdReadyTimeout)
		err := promoteMember(pctx, c, learner)
		cancel()
		if err != nil {
			e.Close()
			return nil, err
		}
	}
	if err := waitReady(ctx, e); err != nil {
		e.Close()
		return nil, err
	}
	return watchEtcd(ctx, e, c), nil
}

func embedConfig(dir string, c EtcdConfig) (*embed.Config, error) {
	cfg := embed.NewConfig()
	cfg.Name = c.Name
	cfg.Dir = dir
	cfg.Logger = "zap"
	cfg.LogLevel = "warn"
	cfg.ClientTLSInfo = tlsInfo(c.ServerTLS)
	cfg.PeerTLSInfo = tlsInfo(c.PeerTLS)

	listenClient, err := urls(listenURLs(c.ListenIP, c.AdvertiseIP, c.ClientPort)...)
	if err != nil {
		return nil, err
	}
	listenPeer, err := urls(hostURL(listenIP(c.ListenIP, c.AdvertiseIP), c.PeerPort))
	if err != nil {
		return nil, err
	}
	advClient, _ := urls(c.ClientURL())
	advPeer, _ := urls(c.PeerURL())
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = listenClient, advClient
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = listenPeer, advPeer
	cfg.ListenMetricsUrls = nil
	cfg.InitialCluster = c.Name + "=" + c.PeerURL()
	cfg.InitialClusterToken = "lightnode"
	return cfg, nil
}

// listenIP is the specific address to listen on: ListenIP unless it is the
// unspecified address, in which case listening on the advertised one suffices.
func listenIP(listen, advertise net.IP) net.IP {
	if listen == nil || listen.IsUnspecified() {
		return advertise
	}
	return listen
}

func listenURLs(listen, advertise net.IP, port int) []string {
	ip := listenIP(listen, advertise)
	out := []string{hostURL(ip, port)}
	if !ip.IsLoopback() {
		out = append(out, hostURL(net.IPv4(127, 0, 0, 1), port))
	}
	return out
}

func urls(raw ...string) ([]url.URL, error) {
	out := make([]url.URL, 0, len(raw))
	for _, r := range raw {
		u, err := url.Parse(r)
		if err != nil {
			return nil, fmt.Errorf("etcd url %s: %w", r, err)
		}
		out = append(out, *u)
	}
	return out, nil
}

func tlsInfo(f TLSFiles) transport.TLSInfo {
	return transport.TLSInfo{
		CertFile: f.CertFile, KeyFile: f.KeyFile, TrustedCAFile: f.CAFile,
		ClientCertAuth: true,
	}
}

// planCluster decides how the member starts: from local data, as the first member
// of a new cluster, or added to an existing cluster as a learner, whose member ID it
// returns (zero otherwise) for startEtcd to promote.
func planCluster(ctx context.Context, cfg *embed.Config, dir string, c EtcdConfig) (
	uint64, error) {
	if hasData(dir) || len(c.JoinClientURLs) == 0 {
		return 0, nil
	}
	initial, id, err := addMember(ctx, c)
	if err != nil {
		return 0, err
	}
	cfg.InitialCluster = initial
	cfg.ClusterState = embed.ClusterStateFlagExisting
	return id, nil
}

func hasData(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "member", "wal"))
	return err == nil
}

// waitReady waits until the member serves, which for a joining member means it
// caught up with the cluster.
func waitReady(ctx context.Context, e *embed.Etcd) error {
	timer := time.NewTimer(etcdReadyTimeout)
	defer timer.Stop()
	select {
	case <-e.Server.ReadyNotify():
		return nil
	case err := <-e.Err():
		return fmt.Errorf("etcd: %w", err)
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return fmt.Errorf("etcd not ready after %s: %w", etcdReadyTimeout,
			errors.New("no quorum; are the other members running?"))
	}
}

func watchEtcd(ctx context.Context, e *embed.Etcd, c EtcdConfig) *Datastore {
	d := &Datastore{
		Backend: Backend{
			Endpoints: []string{hostURL(listenIP(c.ListenIP, c.AdvertiseIP), c.ClientPort)},
			CAFile:    c.ServerTLS.CAFile,
			CertFile:  c.ClientTLS.CertFile,
			KeyFile:   c.ClientTLS.KeyFile,
		},
		done: make(chan struct{}),
	}
	go func() {
		var err error
		select {
		case <-ctx.Done():
		case err = <-e.Err():
			err = fmt.Errorf("etcd: %w", err)
		}
		e.Close()
		d.stop(err)
	}()
	return d
}

func joinNames(names map[string]string) string {
	parts := make([]string, 0, len(names))
	for name, peer := range names {
		parts = append(parts, name+"="+peer)
	}
	return strings.Join(parts, ",")
}
