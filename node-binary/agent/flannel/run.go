package flannel

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/flannel-io/flannel/pkg/backend"
	"github.com/flannel-io/flannel/pkg/ip"
	"github.com/flannel-io/flannel/pkg/ipmatch"
	"github.com/flannel-io/flannel/pkg/subnet"
	"github.com/flannel-io/flannel/pkg/subnet/kube"
	"github.com/flannel-io/flannel/pkg/trafficmngr"
	"github.com/flannel-io/flannel/pkg/trafficmngr/iptables"
	"github.com/flannel-io/flannel/pkg/trafficmngr/nftables"

	// The backends register themselves with the backend manager.
	_ "github.com/flannel-io/flannel/pkg/backend/hostgw"
	_ "github.com/flannel-io/flannel/pkg/backend/vxlan"
	_ "github.com/flannel-io/flannel/pkg/backend/wireguard"
)

// annotationPrefix is the prefix of the Node annotations flannel keeps its lease in.
const annotationPrefix = "flannel.alpha.coreos.com"

// resyncSeconds is how often the iptables rules are checked and repaired; nftables
// rules are written whole and need no repair.
const resyncSeconds = 60

// Config says how Run sets up the pod network.
type Config struct {
	// Kubeconfig authenticates as the node; it may read Nodes and patch its own.
	Kubeconfig string
	// NodeName is the node's Node name.
	NodeName string
	// Interface names the interface to carry pod traffic, or holds one of its IP
	// addresses (the node IP).
	Interface string
	// Backend is one of the Backend constants.
	Backend string
	// ClusterCIDR is the IPv4 pod network of the cluster.
	ClusterCIDR netip.Prefix
	// Dir holds net-conf.json and subnet.env.
	Dir string
	// NFTables makes flannel program its masquerading and forwarding rules with
	// nftables rather than iptables, as kube-proxy does in nftables mode.
	NFTables bool
}

// Lease is what the node holds once flannel runs.
type Lease struct {
	// Subnet is the node's pod subnet.
	Subnet netip.Prefix
	// ClusterCIDR is the cluster's pod network.
	ClusterCIDR netip.Prefix
	// MTU is the MTU pod interfaces must use on this network.
	MTU int
}

// Run sets up the pod network of cfg, calls ready with the node's lease, and keeps
// the routes and rules current until ctx is done.
func Run(ctx context.Context, cfg Config, ready func(Lease) error) error {
	sm, config, err := subnetManager(ctx, cfg)
	if err != nil {
		return err
	}
	iface, err := ipmatch.LookupExtIface(cfg.Interface, "", "", ipv4Stack(),
		ipmatch.PublicIPOpts{})
	if err != nil {
		return fmt.Errorf("flannel: interface %s: %w", cfg.Interface, err)
	}

	// The backend acquires the lease, which waits for the Node's pod CIDR.
	var wg sync.WaitGroup
	be, err := backend.NewManager(ctx, sm, iface).GetBackend(config.BackendType)
	if err != nil {
		return fmt.Errorf("flannel: backend %s: %w", config.BackendType, err)
	}
	bn, err := be.RegisterNetwork(ctx, &wg, config)
	if err != nil {
		return fmt.Errorf("flannel: register network: %w", err)
	}

	if err := setupRules(ctx, config, bn); err != nil {
		return err
	}
	subnetFile := filepath.Join(cfg.Dir, "subnet.env")
	if err := sm.HandleSubnetFile(subnetFile, config, true, bn.Lease().Subnet,
		bn.Lease().IPv6Subnet, bn.MTU()); err != nil {
		return fmt.Errorf("flannel: write %s: %w", subnetFile, err)
	}
	if err := ready(leaseOf(config, bn)); err != nil {
		return err
	}

	wg.Add(1)
	go func() {
		defer wg.Done()
		bn.Run(ctx)
	}()
	err = sm.CompleteLease(ctx, bn.Lease(), &wg)
	wg.Wait()
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("flannel: lease: %w", err)
	}
	return nil
}

// subnetManager writes net-conf.json and starts the kube subnet manager for the node.
func subnetManager(ctx context.Context, cfg Config) (subnet.Manager, *subnet.Config, error) {
	conf, err := NetConf(cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("flannel: %w", err)
	}
	confPath := filepath.Join(cfg.Dir, "net-conf.json")
	if err := os.WriteFile(confPath, conf, 0o644); err != nil {
		return nil, nil, fmt.Errorf("flannel: %w", err)
	}

	// The kube subnet manager finds the node it runs for through this variable.
	if err := os.Setenv("NODE_NAME", cfg.NodeName); err != nil {
		return nil, nil, fmt.Errorf("flannel: %w", err)
	}
	sm, err := kube.NewSubnetManager(ctx, "", cfg.Kubeconfig, annotationPrefix, confPath, true)
	if err != nil {
		return nil, nil, fmt.Errorf("flannel: subnet manager: %w", err)
	}
	config, err := sm.GetNetworkConfig(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("flannel: network config: %w", err)
	}
	return sm, config, nil
}

// setupRules installs the masquerading and forwarding rules of the pod network, with
// the packet filter net-conf.json names, after removing those an earlier run may have
// left with the other one.
func setupRules(ctx context.Context, config *subnet.Config, bn backend.Network) error {
	tm, stale := trafficManagers(config.EnableNFTables)
	if stale != nil {
		// Best effort: with its program installed, either manager only logs what it
		// cannot remove.
		_ = stale.CleanUp(ctx)
	}
	if err := tm.Init(ctx); err != nil {
		return fmt.Errorf("flannel: packet filter: %w", err)
	}
	var none4 ip.IP4Net
	var none6 ip.IP6Net
	if err := tm.SetupAndEnsureMasqRules(ctx, config.Network, none4, none4,
		config.IPv6Network, none6, none6, bn.Lease(), resyncSeconds, false); err != nil {
		return fmt.Errorf("flannel: masquerade rules: %w", err)
	}
	tm.SetupAndEnsureForwardRules(ctx, config.Network, config.IPv6Network, resyncSeconds)
	return nil
}

// trafficManagers returns the manager of the packet filter in use, and the manager
// of the other one when its program is installed, so that its rules can be removed.
func trafficManagers(useNFTables bool) (use, stale trafficmngr.TrafficManager) {
	var ipt, nft trafficmngr.TrafficManager = &iptables.IPTablesManager{},
		&nftables.NFTablesManager{}
	use, stale, staleProgram := ipt, nft, "nft"
	if useNFTables {
		use, stale, staleProgram = nft, ipt, "iptables"
	}
	if _, err := exec.LookPath(staleProgram); err != nil {
		stale = nil
	}
	return use, stale
}

// leaseOf converts flannel's lease.
func leaseOf(config *subnet.Config, bn backend.Network) Lease {
	return Lease{
		Subnet:      prefixOf(bn.Lease().Subnet),
		ClusterCIDR: prefixOf(config.Network),
		MTU:         bn.MTU(),
	}
}

// prefixOf converts a flannel IPv4 network.
func prefixOf(n ip.IP4Net) netip.Prefix {
	p, _ := netip.ParsePrefix(n.String())
	return p
}

// ipv4Stack is flannel's code for an IPv4-only node.
func ipv4Stack() int {
	stack, _ := ipmatch.GetIPFamily(true, false)
	return stack
}
