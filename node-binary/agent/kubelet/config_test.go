package kubelet

import (
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"
	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"
	"sigs.k8s.io/yaml"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
	}{
		{name: "cgroupfs node", s: Settings{CgroupDriver: CgroupDriverCgroupfs,
			RuntimeEndpoint: "unix:///run/c.sock", ClusterDomain: "cluster.local",
			ClusterDNS: []netip.Addr{netip.MustParseAddr("10.43.0.10")},
			ResolvConf: "/etc/resolv.conf"}},
		{name: "systemd node with a taint", s: Settings{CgroupDriver: CgroupDriverSystemd,
			RuntimeEndpoint: "unix:///run/c.sock", Taints: []corev1.Taint{{Key: "k",
				Effect: corev1.TaintEffectNoSchedule}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Render(tt.s)
			if err != nil {
				t.Fatalf("Render() error = %v", err)
			}
			var got kubeletv1beta1.KubeletConfiguration
			if err := yaml.UnmarshalStrict(data, &got); err != nil {
				t.Fatalf("rendered config does not parse: %v\n%s", err, data)
			}
			if got.Kind != "KubeletConfiguration" || got.CgroupDriver != tt.s.CgroupDriver ||
				got.ContainerRuntimeEndpoint != tt.s.RuntimeEndpoint {
				t.Errorf("Render() = %s", data)
			}
			if got.FailCgroupV1 == nil || *got.FailCgroupV1 {
				t.Errorf("failCgroupV1 = %v, want false", got.FailCgroupV1)
			}
			if len(got.ClusterDNS) != len(tt.s.ClusterDNS) ||
				len(got.RegisterWithTaints) != len(tt.s.Taints) {
				t.Errorf("clusterDNS %v, taints %v do not match %+v", got.ClusterDNS,
					got.RegisterWithTaints, tt.s)
			}
			if got.Authentication.Anonymous.Enabled == nil || *got.Authentication.Anonymous.Enabled {
				t.Errorf("anonymous authentication is not disabled")
			}
		})
	}
}
