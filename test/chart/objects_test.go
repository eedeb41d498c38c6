package chart

import (
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// serviceMonitor is the part of a monitoring.coreos.com/v1 ServiceMonitor the chart
// renders.
type serviceMonitor struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		Selector struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"selector"`
		NamespaceSelector struct {
			MatchNames []string `json:"matchNames"`
		} `json:"namespaceSelector"`
		Endpoints []struct {
			Port          string `json:"port"`
			Path          string `json:"path"`
			Scheme        string `json:"scheme"`
			Interval      string `json:"interval"`
			ScrapeTimeout string `json:"scrapeTimeout"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// TestServiceAccountAndBindings checks that the roles are bound to the ServiceAccount
// the operator runs as, and that the leader-election Role exists only when needed.
func TestServiceAccountAndBindings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		values         string
		leaderElection bool
	}{
		{"defaults", "", false},
		{"two replicas", "replicaCount: 2\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			objs, err := renderChart(t, tt.values)
			if err != nil {
				t.Fatal(err)
			}
			var sa corev1.ServiceAccount
			objs.decode(t, "ServiceAccount", fullName, &sa)
			if sa.Namespace != releaseNamespace {
				t.Errorf("ServiceAccount namespace = %q, want %q", sa.Namespace, releaseNamespace)
			}
			want := rbacv1.Subject{Kind: "ServiceAccount", Name: fullName,
				Namespace: releaseNamespace}

			var crb rbacv1.ClusterRoleBinding
			objs.decode(t, "ClusterRoleBinding", fullName, &crb)
			if crb.RoleRef.Kind != "ClusterRole" || crb.RoleRef.Name != fullName ||
				!slices.Equal(crb.Subjects, []rbacv1.Subject{want}) {
				t.Errorf("ClusterRoleBinding binds %+v to %+v, want ClusterRole %s to %+v",
					crb.RoleRef, crb.Subjects, fullName, want)
			}

			leName := fullName + "-leader-election"
			if got := objs.has("Role", leName); got != tt.leaderElection {
				t.Fatalf("leader-election Role rendered: %v, want %v", got, tt.leaderElection)
			}
			if !tt.leaderElection {
				return
			}
			var rb rbacv1.RoleBinding
			objs.decode(t, "RoleBinding", leName, &rb)
			if rb.RoleRef.Name != leName || !slices.Equal(rb.Subjects, []rbacv1.Subject{want}) {
				t.Errorf("RoleBinding binds %+v to %+v", rb.RoleRef, rb.Subjects)
			}
			var role rbacv1.Role
			objs.decode(t, "Role", leName, &role)
			wantRules := readRole(t, "config/rbac/leader_election_role.yaml").Rules
			if !rulesEqual(role.Rules, wantRules) {
				t.Errorf("leader-election rules = %+v, want those of config/rbac: %+v",
					role.Rules, wantRules)
			}
		})
	}
}

// TestMetrics checks the metrics Service and the optional ServiceMonitor.
func TestMetrics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		values         string
		service        bool
		serviceMonitor bool
	}{
		{"defaults", "", true, false},
		{"ServiceMonitor", "metrics: {serviceMonitor: {enabled: true, interval: 30s, " +
			"labels: {release: prometheus}}}\n", true, true},
		{"metrics off", "metrics: {enabled: false, serviceMonitor: {enabled: true}}\n",
			false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			objs, err := renderChart(t, tt.values)
			if err != nil {
				t.Fatal(err)
			}
			d, c := deployment(t, objs)
			if !tt.service {
				wantFlag(t, c.Args, "metrics-bind-address", "0")
			}
			name := fullName + "-metrics"
			if got := objs.has("Service", name); got != tt.service {
				t.Fatalf("metrics Service rendered: %v, want %v", got, tt.service)
			}
			if tt.service {
				checkMetricsService(t, objs, name, d, c)
			}
			if got := len(objs.ofKind("ServiceMonitor")); got != btoi(tt.serviceMonitor) {
				t.Fatalf("%d ServiceMonitors rendered, want %d", got, btoi(tt.serviceMonitor))
			}
			if tt.serviceMonitor {
				checkServiceMonitor(t, objs)
			}
		})
	}
}

// checkMetricsService checks that the Service selects the operator pods and points at
// the manager's metrics port.
func checkMetricsService(t *testing.T, objs objects, name string, d appsv1.Deployment,
	c corev1.Container) {
	t.Helper()
	var svc corev1.Service
	objs.decode(t, "Service", name, &svc)
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("Service selector %v does not select the pods %v", svc.Spec.Selector,
			d.Spec.Template.Labels)
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != "metrics" ||
		svc.Spec.Ports[0].TargetPort != intstr.FromString("metrics") {
		t.Fatalf("Service ports = %+v, want metrics -> metrics", svc.Spec.Ports)
	}
	wantFlag(t, c.Args, "metrics-bind-address", ":8080")
	if !slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool {
		return p.Name == "metrics" && p.ContainerPort == 8080
	}) {
		t.Errorf("container ports = %+v, want metrics 8080", c.Ports)
	}
}

// checkServiceMonitor checks that the ServiceMonitor scrapes the metrics Service.
func checkServiceMonitor(t *testing.T, objs objects) {
	t.Helper()
	var sm serviceMonitor
	objs.decode(t, "ServiceMonitor", fullName, &sm)
	if sm.APIVersion != "monitoring.coreos.com/v1" || sm.Metadata.Namespace != releaseNamespace {
		t.Errorf("ServiceMonitor is %s in %q", sm.APIVersion, sm.Metadata.Namespace)
	}
	if sm.Metadata.Labels["release"] != "prometheus" {
		t.Errorf("ServiceMonitor labels = %v, want release=prometheus", sm.Metadata.Labels)
	}
	var svc corev1.Service
	objs.decode(t, "Service", fullName+"-metrics", &svc)
	if !labels.SelectorFromSet(sm.Spec.Selector.MatchLabels).Matches(labels.Set(svc.Labels)) {
		t.Errorf("ServiceMonitor selector %v does not select the Service %v",
			sm.Spec.Selector.MatchLabels, svc.Labels)
	}
	if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Port != "metrics" ||
		sm.Spec.Endpoints[0].Interval != "30s" {
		t.Errorf("endpoints = %+v, want port metrics every 30s", sm.Spec.Endpoints)
	}
}

// btoi is 1 for true and 0 for false.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
