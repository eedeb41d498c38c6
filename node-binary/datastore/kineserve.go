package datastore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"sync"
	"time"

	"github.com/k3s-io/kine/pkg/drivers"
	"github.com/k3s-io/kine/pkg/server"
	"go.etcd.io/etcd/server/v3/embed"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	// The SQL datastores lightnode offers, each registering its DSN schemes with kine.
	// kine's endpoint package would link every driver it has (NATS with its server, an
	// S3-backed store, ...), which a node carries for nothing.
	_ "github.com/k3s-io/kine/pkg/drivers/mysql"
	_ "github.com/k3s-io/kine/pkg/drivers/pgsql"
	_ "github.com/k3s-io/kine/pkg/drivers/sqlite"
)

// kineStopTimeout bounds how long open watches may delay a stop before they are cut.
const kineStopTimeout = 2 * time.Second

// grpcOverhead is the room a request needs beyond the largest value etcd accepts.
const grpcOverhead = 512 * 1024

// kineSettings tune kine's backend (none of the driver settings has a usable zero
// value) and what its etcd API reports.
type kineSettings struct {
	driver              drivers.Config
	notifyInterval      time.Duration
	emulatedETCDVersion string
}

// serveKine opens the datastore of dsn through kine and serves it over the etcd API on
// the unix socket at socket (mode 0600) until ctx is done, with wg counting what runs.
// It returns the etcd endpoint of the socket.
func serveKine(ctx context.Context, wg *sync.WaitGroup, dsn, socket string,
	s kineSettings) (endpoint string, err error) {
	bctx, cancel := context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			cancel()
		}
	}()
	driver := s.driver
	driver.Endpoint = dsn
	_, backend, err := drivers.New(bctx, wg, &driver)
	if errors.Is(err, drivers.ErrUnknownDriver) {
		return "", errors.New("datastore endpoint: unknown scheme; use sqlite://, " +
			"postgres://, mysql:// or an etcd http(s):// URL")
	}
	if err != nil {
		return "", err
	}
	if backend == nil {
		return "", errors.New("datastore endpoint: no SQL datastore behind it")
	}
	if err := backend.Start(bctx); err != nil {
		return "", fmt.Errorf("start backend: %w", err)
	}

	if err := os.Remove(socket); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("remove stale socket %s: %w", socket, err)
	}
	listener, err := net.Listen("unix", socket)
	if err != nil {
		return "", fmt.Errorf("listen on %s: %w", socket, err)
	}
	if err := os.Chmod(socket, 0o600); err != nil {
		listener.Close()
		return "", fmt.Errorf("listen on %s: %w", socket, err)
	}

	srv := newKineGRPCServer()
	server.New(backend, "unix", s.notifyInterval, s.emulatedETCDVersion).Register(srv)
	wg.Add(2)
	go func() {
		defer wg.Done()
		// Serve returns once the server stops; its error then says nothing new.
		_ = srv.Serve(listener)
	}()
	go func() {
		defer wg.Done()
		<-ctx.Done()
		cut := time.AfterFunc(kineStopTimeout, srv.Stop)
		srv.GracefulStop()
		cut.Stop()
		cancel()
	}()
	return "unix://" + socket, nil
}

// newKineGRPCServer returns a gRPC server with the limits and keepalive rules of an
// etcd server, so that the API server sees the datastore it expects.
func newKineGRPCServer() *grpc.Server {
	return grpc.NewServer(
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime: embed.DefaultGRPCKeepAliveMinTime,
		}),
		grpc.KeepaliveParams(keepalive.ServerParameters{
			Time:    embed.DefaultGRPCKeepAliveInterval,
			Timeout: embed.DefaultGRPCKeepAliveTimeout,
		}),
		grpc.MaxConcurrentStreams(embed.DefaultMaxConcurrentStreams),
		grpc.MaxRecvMsgSize(int(embed.DefaultMaxRequestBytes)+grpcOverhead),
		grpc.MaxSendMsgSize(math.MaxInt32),
	)
}
