package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/lightcluster/lightcluster/node-binary/agent/cni"
	"github.com/lightcluster/lightcluster/node-binary/agent/containerd"
	"github.com/lightcluster/lightcluster/node-binary/agent/flannel"
	"github.com/lightcluster/lightcluster/node-binary/agent/kubelet"
	"github.com/lightcluster/lightcluster/node-binary/agent/netfilter"
	"github.com/lightcluster/lightcluster/node-binary/agent/proxy"
	"github.com/lightcluster/lightcluster/node-binary/bundle"
	"github.com/lightcluster/lightcluster/node-binary/config"
)

// extractBundle unpacks the bundled programs and images once per digest.
func (r *runner) extractBundle() error {
	binDir, err := bundle.Extract(r.cfg.DataDir)
	if err != nil {
		return fmt.Errorf("unpack bundle: %w", err)
	}
	r.binDir = binDir
	return nil
}

// start runs the components in order and waits until one fails or ctx is done.
func (r *runner) start(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	proxyMode, err := r.chooseProxyMode(ctx)
	if err != nil {
		return err
	}
	if err := setSysctls(); err != nil {
		r.log.Warn("Cannot enable IP forwarding for pods", "err", err)
	}
	ctrd, err := r.startContainerd(ctx)
	if err != nil {
		return err
	}
	defer ctrd.Stop()

	cs, err := r.nodeClient()
	if err != nil {
		return err
	}
	if err := r.settleCluster(ctx, cs); err != nil {
		return err
	}

	errs := make(chan error, 5)
	run := func(name string, f func() error) {
		go func() {
			err := f()
			if err == nil && ctx.Err() == nil {
				err = fmt.Errorf("%s stopped", name)
			}
			errs <- err
		}()
	}
	run("kubelet", func() error { return r.runKubelet(ctx) })
	run("kube-proxy", func() error { return r.runProxy(ctx, proxyMode) })
	run("flannel", func() error { return r.runFlannel(ctx, cs, proxyMode) })
	run("containerd", ctrd.Wait)
	if r.opts.Cluster != nil {
		go func() { _ = publishCluster(ctx, cs, r.nodeName, r.cluster) }()
	}

	select {
	case err := <-errs:
		if ctx.Err() == nil {
			return err
		}
	case <-ctx.Done():
	}
	r.log.Info("Stopping lightnode agent")
	return nil
}

// nodeClient returns a client that authenticates as the node.
func (r *runner) nodeClient() (kubernetes.Interface, error) {
	rc, err := clientcmd.BuildConfigFromFlags("", r.dirs.KubeletKubeconfig())
	if err != nil {
		return nil, fmt.Errorf("node client: %w", err)
	}
	return kubernetes.NewForConfig(rc)
}

// settleCluster takes the cluster settings from Options, or reads them from the
// cluster.
func (r *runner) settleCluster(ctx context.Context, cs kubernetes.Interface) error {
	if r.opts.Cluster != nil {
		r.cluster = *r.opts.Cluster
		return nil
	}
	c, recorded, err := waitForCluster(ctx, cs, r.log, clusterRetry)
	if err != nil {
		return err
	}
	if !recorded {
		r.log.Warn("No server recorded the cluster settings; assuming the defaults",
			"clusterCIDR", c.ClusterCIDR, "clusterDNS", c.ClusterDNS)
	}
	r.cluster = c
	return nil
}

// startContainerd renders containerd's configuration, starts it and imports images.
func (r *runner) startContainerd(ctx context.Context) (*containerd.Process, error) {
	snapshotter, err := containerd.ChooseSnapshotter(r.dirs.ContainerdRoot())
	if err != nil {
		return nil, err
	}
	if snapshotter != containerd.SnapshotterOverlay {
		r.log.Warn("Overlay mounts fail here; containerd copies image layers instead",
			"snapshotter", snapshotter)
	}
	configPath, err := r.writeContainerdConfig(snapshotter)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(containerdState, 0o711); err != nil {
		return nil, fmt.Errorf("containerd state: %w", err)
	}
	logOut, err := os.OpenFile(r.dirs.ContainerdLog(), os.O_CREATE|os.O_WRONLY|os.O_APPEND,
		0o600)
	if err != nil {
		return nil, fmt.Errorf("containerd log: %w", err)
	}
	defer logOut.Close()

	p, err := containerd.Start(ctx, r.opts.Self, configPath, containerdAddress, r.binDir, logOut)
	if err != nil {
		return nil, err
	}
	r.log.Info("Started containerd", "snapshotter", snapshotter, "log", r.dirs.ContainerdLog())
	if err := r.importImages(ctx, p, snapshotter); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

// writeContainerdConfig writes containerd's configuration and registry hosts.
func (r *runner) writeContainerdConfig(snapshotter string) (string, error) {
	regs, err := containerd.LoadRegistries(containerd.DefaultRegistriesFile)
	if err != nil {
		return "", err
	}
	for _, host := range regs.UnusedConfigs() {
		r.log.Warn("Registry configuration has no effect: no mirror entry connects to its host",
			"file", containerd.DefaultRegistriesFile, "host", host)
	}
	hostsDir := r.dirs.Etc("containerd", "certs.d")
	if err := containerd.WriteHosts(hostsDir, regs); err != nil {
		return "", err
	}
	data, err := containerd.Render(containerd.Config{
		Root:          r.dirs.ContainerdRoot(),
		State:         containerdState,
		Address:       containerdAddress,
		BinDir:        r.binDir,
		CNIConfDir:    r.dirs.CNIConfDir(),
		HostsDir:      hostsDir,
		SandboxImage:  PauseImage,
		Snapshotter:   snapshotter,
		SystemdCgroup: r.cgroups.driver() == kubelet.CgroupDriverSystemd,

		RestrictOOMScoreAdj: !hasCapability(capSysResource),
		RegistryAuth:        regs.Auths(),
	})
	if err != nil {
		return "", err
	}
	path := r.dirs.Etc("containerd", "config.toml")
	return path, writeFile(path, data, 0o600)
}

// importImages imports the bundled images and those of the images directory.
func (r *runner) importImages(ctx context.Context, p *containerd.Process,
	snapshotter string) error {
	for _, dir := range []string{bundle.ImagesDir(r.binDir), r.dirs.ImagesDir()} {
		if _, err := containerd.ImportDir(ctx, p.Client, dir, snapshotter, r.log); err != nil {
			return err
		}
	}
	return nil
}

// runKubelet writes the kubelet's configuration and runs it.
func (r *runner) runKubelet(ctx context.Context) error {
	resolv, err := resolvConf(r.dirs.Etc("resolv.conf"))
	if err != nil {
		return err
	}
	data, err := kubelet.Render(kubelet.Settings{
		CgroupDriver:    r.cgroups.driver(),
		RuntimeEndpoint: "unix://" + containerdAddress,
		ClientCAFile:    r.dirs.TLS(clientCAFile),
		TLSCertFile:     r.dirs.TLS(kubeletServingCert),
		TLSKeyFile:      r.dirs.TLS(kubeletServingKey),
		ClusterDNS:      r.cluster.ClusterDNS,
		ClusterDomain:   r.cluster.ClusterDomain,
		ResolvConf:      resolv,
		Taints:          nodeTaints(r.cfg.Taints),
	})
	if err != nil {
		return err
	}
	path := r.dirs.Etc("kubelet.yaml")
	if err := writeFile(path, data, 0o600); err != nil {
		return err
	}
	r.log.Info("Starting kubelet", "cgroupDriver", r.cgroups.driver())
	return kubelet.Run(ctx, path, r.kubeletArgs())
}

// kubeletArgs are the kubelet's node flags, then the user's extra flags.
func (r *runner) kubeletArgs() []string {
	ips := make([]string, 0, len(r.nodeIPs))
	for _, ip := range r.nodeIPs {
		ips = append(ips, ip.String())
	}
	args := []string{
		"--kubeconfig=" + r.dirs.KubeletKubeconfig(),
		"--hostname-override=" + r.nodeName,
		"--node-ip=" + strings.Join(ips, ","),
		"--cert-dir=" + r.dirs.path("tls", "kubelet"),
	}
	if labels := labelList(r.cfg.Labels); labels != "" {
		args = append(args, "--node-labels="+labels)
	}
	for _, a := range r.cfg.KubeletArg {
		args = append(args, "--"+strings.TrimPrefix(a, "--"))
	}
	return args
}

// chooseProxyMode settles the packet filter kube-proxy and flannel program: the one
// --kube-proxy-arg proxy-mode names, or with auto the one that works on the host.
func (r *runner) chooseProxyMode(ctx context.Context) (string, error) {
	requested := r.cfg.ProxyMode
	if requested == "" {
		requested = config.ProxyModeAuto
	}
	choice, err := netfilter.Choose(ctx, requested, netfilter.Local)
	if err != nil {
		return "", fmt.Errorf("--kube-proxy-arg proxy-mode=%s: %w", requested, err)
	}
	r.log.Info("Chose the packet filter for kube-proxy and flannel", "mode", choice.Mode,
		"requested", requested, "reason", choice.Reason)
	return choice.Mode, nil
}

// runProxy writes kube-proxy's configuration for mode and runs it.
func (r *runner) runProxy(ctx context.Context, mode string) error {
	data, err := proxy.Render(proxy.Settings{
		Kubeconfig:  r.dirs.ProxyKubeconfig(),
		NodeName:    r.nodeName,
		ClusterCIDR: r.cluster.ClusterCIDR,
		Mode:        mode,
	})
	if err != nil {
		return err
	}
	path := r.dirs.Etc("kube-proxy.yaml")
	if err := writeFile(path, data, 0o600); err != nil {
		return err
	}
	return proxy.Run(ctx, path)
}

// runFlannel runs the pod network, writing the CNI configuration once flannel holds
// the node's subnet; its rules use the packet filter of proxyMode. With the none
// backend it only waits.
func (r *runner) runFlannel(ctx context.Context, cs kubernetes.Interface,
	proxyMode string) error {
	if r.cluster.FlannelBackend == config.FlannelNone {
		r.log.Info("Flannel disabled; the CNI configuration is left to the cluster's own CNI")
		<-ctx.Done()
		return nil
	}
	if err := r.waitPodCIDR(ctx, cs); err != nil {
		return nil
	}
	iface := r.cfg.FlannelIface
	if iface == "" {
		iface = r.nodeIPs[0].String()
	}
	return flannel.Run(ctx, flannel.Config{
		Kubeconfig:  r.dirs.KubeletKubeconfig(),
		NodeName:    r.nodeName,
		Interface:   iface,
		Backend:     r.cluster.FlannelBackend,
		ClusterCIDR: r.cluster.ClusterCIDR,
		Dir:         r.dirs.Etc("flannel"),
		NFTables:    proxyMode == netfilter.ModeNFTables,
	}, func(l flannel.Lease) error {
		r.log.Info("Pod network ready", "subnet", l.Subnet, "mtu", l.MTU,
			"backend", r.cluster.FlannelBackend)
		return cni.WriteConflist(r.dirs.CNIConfDir(), cni.Network{
			Subnet: l.Subnet, ClusterCIDR: l.ClusterCIDR, MTU: l.MTU})
	})
}

// setSysctls enables forwarding and bridge filtering, which pod traffic needs.
func setSysctls() error {
	for _, name := range []string{"net/ipv4/ip_forward", "net/bridge/bridge-nf-call-iptables"} {
		if err := os.WriteFile(filepath.Join("/proc/sys", name), []byte("1"), 0o644); err != nil {
			return err
		}
	}
	return nil
}
