package agent

import (
	"net/netip"
	"strings"
	"testing"
)

func TestDefaultRouteInterface(t *testing.T) {
	header := "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n"
	tests := []struct {
		name, table, want string
		wantErr           bool
	}{
		{name: "default route", table: header +
			"eth0\t0011A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n" +
			"eth1\t00000000\t0111A8C0\t0003\t0\t0\t0\t00000000\n", want: "eth1"},
		{name: "no default route", table: header +
			"eth0\t0011A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := defaultRouteInterface(strings.NewReader(tt.table))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("defaultRouteInterface() = %q, %v; want %q, error %v", got, err,
					tt.want, tt.wantErr)
			}
		})
	}
}

func TestHasUsableNameserver(t *testing.T) {
	tests := []struct {
		name, conf string
		want       bool
	}{
		{name: "docker embedded dns", conf: "nameserver 127.0.0.11\noptions ndots:0\n"},
		{name: "systemd-resolved", conf: "nameserver 127.0.0.53\n"},
		{name: "lan resolver", conf: "search lan\nnameserver 192.168.1.1\n", want: true},
		{name: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hasUsableNameserver([]byte(tt.conf)); got != tt.want {
				t.Errorf("hasUsableNameserver() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDefaultCluster(t *testing.T) {
	tests := []struct {
		name, service string
		wantDNS       []string
	}{
		{name: "default service network", service: "10.43.0.1", wantDNS: []string{"10.43.0.10"}},
		{name: "other service network", service: "172.20.0.1", wantDNS: []string{"172.20.0.10"}},
		{name: "no service address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ip, _ := netip.ParseAddr(tt.service)
			c := defaultCluster(ip)
			var dns []string
			for _, a := range c.ClusterDNS {
				dns = append(dns, a.String())
			}
			if strings.Join(dns, ",") != strings.Join(tt.wantDNS, ",") {
				t.Errorf("ClusterDNS = %v, want %v", dns, tt.wantDNS)
			}
			if c.ClusterCIDR.String() != "10.42.0.0/16" || c.FlannelBackend != "vxlan" {
				t.Errorf("defaultCluster() = %+v, want the server defaults", c)
			}
		})
	}
}

func TestLabelList(t *testing.T) {
	got := labelList(map[string]string{"b": "2", "a": "1"})
	if got != "a=1,b=2" {
		t.Errorf("labelList() = %q, want a=1,b=2", got)
	}
}

func TestEffectiveHas(t *testing.T) {
	tests := []struct {
		name, status string
		want         bool
	}{
		{name: "all capabilities", status: "Name:\tx\nCapEff:\t000001ffffffffff\n", want: true},
		{name: "all but sys_resource", status: "CapEff:\t000001fffeffffff\n"},
		{name: "no CapEff line", status: "Name:\tx\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := effectiveHas(strings.NewReader(tt.status), capSysResource); got != tt.want {
				t.Errorf("effectiveHas() = %v, want %v", got, tt.want)
			}
		})
	}
}
