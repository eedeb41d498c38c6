package datastore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// memberTimeout bounds each call to an existing cluster's members.
const memberTimeout = 30 * time.Second

// addMember adds this member to the cluster reachable at c.JoinClientURLs as a learner
// and returns the initial-cluster value it must start with and its member ID. A learner
// does not count towards the quorum until promoteMember makes it a voter, so the
// cluster keeps accepting writes while the new member catches up; a voting member
// added at once would leave a one-member cluster without quorum until the new one
// runs. A member of the same name already listed with this peer URL (a start that
// failed after being added) is reused.
func addMember(ctx context.Context, c EtcdConfig) (string, uint64, error) {
	cli, err := Client(c.JoinClientURLs, c.ClientTLS)
	if err != nil {
		return "", 0, err
	}
	defer cli.Close()

	listCtx, cancel := context.WithTimeout(ctx, memberTimeout)
	defer cancel()
	list, err := cli.MemberList(listCtx)
	if err != nil {
		return "", 0, fmt.Errorf("list etcd members at %s: %w",
			strings.Join(c.JoinClientURLs, ","), err)
	}
	peers := map[string]string{}
	var id uint64
	for _, m := range list.Members {
		for _, u := range m.PeerURLs {
			if u == c.PeerURL() {
				id = m.ID
			}
		}
		if m.Name != "" && len(m.PeerURLs) > 0 {
			peers[m.Name] = m.PeerURLs[0]
		}
	}
	if id == 0 {
		if id, err = addLearner(ctx, cli, c); err != nil {
			return "", 0, err
		}
	}
	peers[c.Name] = c.PeerURL()
	return joinNames(peers), id, nil
}

// addRetry is how often a joining member asks again to be added while the cluster
// refuses for the moment, and addTimeout how long it keeps asking.
const (
	addRetry   = 2 * time.Second
	addTimeout = 3 * time.Minute
)

// addLearner adds c's member as a learner and returns its ID. The cluster refuses an
// addition for a while after a member joined: it takes one learner at a time, and a
// member promoted a moment ago does not count as healthy yet; the call is repeated
// then, as when two servers join at once.
func addLearner(ctx context.Context, cli *clientv3.Client, c EtcdConfig) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, addTimeout)
	defer cancel()
	for {
		callCtx, cancelCall := context.WithTimeout(ctx, memberTimeout)
		resp, err := cli.MemberAddAsLearner(callCtx, []string{c.PeerURL()})
		cancelCall()
		if err == nil {
			return resp.Member.ID, nil
		}
		if !errors.Is(err, rpctypes.ErrTooManyLearners) && !errors.Is(err, rpctypes.ErrUnhealthy) {
			return 0, fmt.Errorf("add etcd member %s: %w", c.Name, err)
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("add etcd member %s: %w (last answer: %v)", c.Name,
				ctx.Err(), err)
		case <-time.After(addRetry):
		}
	}
}

// promoteInterval is how often a learner asks to become a voting member while it
// catches up with the cluster.
const promoteInterval = time.Second

// promoteMember makes the learner id a voting member once it has caught up with the
// cluster reachable at c.JoinClientURLs, asking every promoteInterval until ctx ends.
// A member that votes already is left as it is.
func promoteMember(ctx context.Context, c EtcdConfig, id uint64) error {
	cli, err := Client(c.JoinClientURLs, c.ClientTLS)
	if err != nil {
		return err
	}
	defer cli.Close()
	for {
		callCtx, cancel := context.WithTimeout(ctx, memberTimeout)
		_, err := cli.MemberPromote(callCtx, id)
		cancel()
		switch {
		case err == nil, errors.Is(err, rpctypes.ErrMemberNotLearner):
			return nil
		case !errors.Is(err, rpctypes.ErrMemberLearnerNotReady) && ctx.Err() == nil &&
			callCtx.Err() == nil:
			return fmt.Errorf("promote etcd member %s: %w", c.Name, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("promote etcd member %s: %w (last answer: %v)", c.Name,
				ctx.Err(), err)
		case <-time.After(promoteInterval):
		}
	}
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
