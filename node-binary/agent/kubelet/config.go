package kubelet

import (
	"fmt"
	"net/netip"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

// Cgroup drivers; containerd must use the same one.
const (
	// CgroupDriverSystemd has systemd create the cgroups of pods.
	CgroupDriverSystemd = "systemd"
	// CgroupDriverCgroupfs writes the cgroup file system directly.
	CgroupDriverCgroupfs = "cgroupfs"
)

// Settings are the node-specific values of the kubelet configuration.
type Settings struct {
	// CgroupDriver is CgroupDriverSystemd or CgroupDriverCgroupfs.
	CgroupDriver string
	// RuntimeEndpoint is the CRI socket, unix:///path.
	RuntimeEndpoint string
	// ClientCAFile verifies clients of the kubelet's API (the API server).
	ClientCAFile string
	// TLSCertFile and TLSKeyFile are the kubelet's serving certificate and key.
	TLSCertFile, TLSKeyFile string
	// ClusterDNS lists the cluster DNS service addresses.
	ClusterDNS []netip.Addr
	// ClusterDomain is the cluster's DNS domain.
	ClusterDomain string
	// ResolvConf is the resolver configuration pods with the Default DNS policy get.
	ResolvConf string
	// Taints are registered with the Node.
	Taints []corev1.Taint
}

// Render returns the KubeletConfiguration file for s.
func Render(s Settings) ([]byte, error) {
	c := base()
	c.CgroupDriver = s.CgroupDriver
	c.ContainerRuntimeEndpoint = s.RuntimeEndpoint
	c.ImageServiceEndpoint = s.RuntimeEndpoint
	c.Authentication.X509.ClientCAFile = s.ClientCAFile
	c.TLSCertFile, c.TLSPrivateKeyFile = s.TLSCertFile, s.TLSKeyFile
	for _, ip := range s.ClusterDNS {
		c.ClusterDNS = append(c.ClusterDNS, ip.String())
	}
	c.ClusterDomain = s.ClusterDomain
	c.ResolverConfig = ptr.To(s.ResolvConf)
	c.RegisterWithTaints = s.Taints
	data, err := yaml.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("render kubelet config: %w", err)
	}
	return data, nil
}

// base returns the settings that are the same on every lightnode node.
func base() *kubeletv1beta1.KubeletConfiguration {
	return &kubeletv1beta1.KubeletConfiguration{
		TypeMeta: metav1.TypeMeta{
			APIVersion: kubeletv1beta1.SchemeGroupVersion.String(),
			Kind:       "KubeletConfiguration",
		},
		Authentication: kubeletv1beta1.KubeletAuthentication{
			Anonymous: kubeletv1beta1.KubeletAnonymousAuthentication{Enabled: ptr.To(false)},
			Webhook: kubeletv1beta1.KubeletWebhookAuthentication{Enabled: ptr.To(true),
				CacheTTL: metav1.Duration{Duration: 2 * time.Minute}},
		},
		Authorization: kubeletv1beta1.KubeletAuthorization{
			Mode: kubeletv1beta1.KubeletAuthorizationModeWebhook,
		},
		// Only the local health check; 10250 serves the API server.
		HealthzBindAddress: "127.0.0.1",
		HealthzPort:        ptr.To[int32](10248),
		ReadOnlyPort:       0,
		// cgroup v1 hosts are still common among small machines; Run warns on them.
		FailCgroupV1: ptr.To(false),
		FailSwapOn:   ptr.To(false),
		// Nodes that live in containers cannot change kernel defaults.
		ProtectKernelDefaults: false,
		SerializeImagePulls:   ptr.To(false),
		// Images are imported, not pulled: keep them, however full the disk.
		ImageGCHighThresholdPercent: ptr.To[int32](100),
		ImageGCLowThresholdPercent:  ptr.To[int32](99),
		EvictionHard: map[string]string{
			"memory.available":  "100Mi",
			"nodefs.available":  "1%",
			"imagefs.available": "1%",
		},
		MergeDefaultEvictionSettings: ptr.To(false),
		ContainerLogMaxSize:          "10Mi",
		ContainerLogMaxFiles:         ptr.To[int32](3),
		StaticPodPath:                "",
		ShutdownGracePeriod:          metav1.Duration{},
	}
}
