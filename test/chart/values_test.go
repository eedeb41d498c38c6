package chart

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// TestDeploymentValues renders the chart with non-default values and checks the
// fields of the Deployment that each one changes.
func TestDeploymentValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values string
		check  func(t *testing.T, objs objects)
	}{{
		name:   "two replicas elect a leader",
		values: "replicaCount: 2\n",
		check: func(t *testing.T, objs objects) {
			d, c := deployment(t, objs)
			if *d.Spec.Replicas != 2 || !slices.Contains(c.Args, "--leader-elect") {
				t.Errorf("replicas %d with args %v, want 2 with --leader-elect",
					*d.Spec.Replicas, c.Args)
			}
			if d.Spec.Strategy.Type != "" {
				t.Errorf("strategy = %q with leader election, want the default",
					d.Spec.Strategy.Type)
			}
		},
	}, {
		name:   "leader election by value",
		values: "leaderElection: {enabled: true}\n",
		check: func(t *testing.T, objs objects) {
			if _, c := deployment(t, objs); !slices.Contains(c.Args, "--leader-elect") {
				t.Errorf("args = %v, want --leader-elect", c.Args)
			}
		},
	}, {
		name: "custom image",
		values: "image: {repository: registry.example/lc/operator, tag: dev-1, " +
			"pullPolicy: Always}\nimagePullSecrets: [{name: pull}]\n",
		check: func(t *testing.T, objs objects) {
			d, c := deployment(t, objs)
			if c.Image != "registry.example/lc/operator:dev-1" || c.ImagePullPolicy != "Always" {
				t.Errorf("image = %q %q, want registry.example/lc/operator:dev-1 Always",
					c.Image, c.ImagePullPolicy)
			}
			secrets := d.Spec.Template.Spec.ImagePullSecrets
			if len(secrets) != 1 || secrets[0].Name != "pull" {
				t.Errorf("imagePullSecrets = %v, want pull", secrets)
			}
		},
	}, {
		name: "resources",
		values: "resources:\n  requests: {cpu: 250m, memory: 128Mi}\n" +
			"  limits: {cpu: '1', memory: 1Gi}\n",
		check: func(t *testing.T, objs objects) {
			_, c := deployment(t, objs)
			want := corev1.ResourceRequirements{
				Requests: corev1.ResourceList{
					corev1.ResourceCPU:    resource.MustParse("250m"),
					corev1.ResourceMemory: resource.MustParse("128Mi"),
				},
				Limits: corev1.ResourceList{
					corev1.ResourceCPU:    resource.MustParse("1"),
					corev1.ResourceMemory: resource.MustParse("1Gi"),
				},
			}
			for _, list := range []struct{ got, want corev1.ResourceList }{
				{c.Resources.Requests, want.Requests}, {c.Resources.Limits, want.Limits},
			} {
				if len(list.got) != len(list.want) {
					t.Errorf("resources = %v, want %v", c.Resources, want)
				}
				for name, q := range list.want {
					if got := list.got[name]; got.Cmp(q) != 0 {
						t.Errorf("%s = %s, want %s", name, got.String(), q.String())
					}
				}
			}
		},
	}, {
		name: "provisioning and log flags",
		values: "provisioning: {maxConcurrentProvisions: 3, recheckInterval: 1m, " +
			"drainTimeout: 30s}\nlog: {level: debug, encoder: console}\n" +
			"extraArgs: [--leader-election-namespace=kube-system]\n",
		check: func(t *testing.T, objs objects) {
			_, c := deployment(t, objs)
			wantFlag(t, c.Args, "max-concurrent-provisions", "3")
			wantFlag(t, c.Args, "recheck-interval", "1m")
			wantFlag(t, c.Args, "drain-timeout", "30s")
			wantFlag(t, c.Args, "zap-log-level", "debug")
			wantFlag(t, c.Args, "zap-encoder", "console")
			wantFlag(t, c.Args, "leader-election-namespace", "kube-system")
			if _, ok := flag(c.Args, "uninstall-timeout"); ok {
				t.Errorf("args = %v, want no --uninstall-timeout when it is not set", c.Args)
			}
		},
	}, {
		name: "catalog from a PVC",
		values: "nodeBinaries: {source: persistentVolumeClaim, path: /catalog, " +
			"persistentVolumeClaim: {claimName: lightnode-catalog, subPath: releases}}\n",
		check: func(t *testing.T, objs objects) {
			d, c := deployment(t, objs)
			wantFlag(t, c.Args, "node-binaries", "/catalog")
			v, m, ok := volumeAt(d, c, "/catalog")
			if !ok || v.PersistentVolumeClaim == nil ||
				v.PersistentVolumeClaim.ClaimName != "lightnode-catalog" {
				t.Fatalf("/catalog is %+v (mounted: %v), want claim lightnode-catalog", v, ok)
			}
			if !m.ReadOnly || m.SubPath != "releases" || !v.PersistentVolumeClaim.ReadOnly {
				t.Errorf("mount %+v of %+v, want read-only with subPath releases", m, v)
			}
		},
	}, {
		name:   "catalog from a hostPath",
		values: "nodeBinaries: {source: hostPath, hostPath: {path: /srv/lightnode}}\n",
		check: func(t *testing.T, objs objects) {
			d, c := deployment(t, objs)
			v, m, ok := volumeAt(d, c, "/opt/lightnode")
			if !ok || v.HostPath == nil || v.HostPath.Path != "/srv/lightnode" || !m.ReadOnly {
				t.Fatalf("/opt/lightnode is %+v %+v (mounted: %v), want /srv/lightnode "+
					"read-only", v, m, ok)
			}
			if v.HostPath.Type == nil || *v.HostPath.Type != corev1.HostPathDirectory {
				t.Errorf("hostPath type = %v, want Directory", v.HostPath.Type)
			}
		},
	}, {
		name: "placement",
		values: "nodeSelector: {node-role.kubernetes.io/control-plane: ''}\n" +
			"tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists, " +
			"effect: NoSchedule}]\n" +
			"affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: " +
			"{nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/arch, " +
			"operator: In, values: [amd64]}]}]}}}\npriorityClassName: system-cluster-critical\n",
		check: func(t *testing.T, objs objects) {
			d, _ := deployment(t, objs)
			spec := d.Spec.Template.Spec
			if _, ok := spec.NodeSelector["node-role.kubernetes.io/control-plane"]; !ok ||
				len(spec.NodeSelector) != 1 {
				t.Errorf("nodeSelector = %v, want the control-plane role", spec.NodeSelector)
			}
			if len(spec.Tolerations) != 1 || spec.Tolerations[0].Effect != corev1.TaintEffectNoSchedule ||
				spec.Tolerations[0].Operator != corev1.TolerationOpExists {
				t.Errorf("tolerations = %+v, want one Exists NoSchedule", spec.Tolerations)
			}
			if spec.Affinity == nil || spec.Affinity.NodeAffinity == nil {
				t.Errorf("affinity = %+v, want a node affinity", spec.Affinity)
			}
			if spec.PriorityClassName != "system-cluster-critical" {
				t.Errorf("priorityClassName = %q", spec.PriorityClassName)
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			objs, err := renderChart(t, tt.values)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, objs)
		})
	}
}

// TestRefusedValues checks that values which cannot work fail the rendering with a
// message that names them.
func TestRefusedValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		values  string
		wantErr string
	}{
		{"unknown catalog source", "nodeBinaries: {source: s3}\n", "/nodeBinaries/source"},
		{"PVC without a claim", "nodeBinaries: {source: persistentVolumeClaim}\n",
			"nodeBinaries.persistentVolumeClaim.claimName"},
		{"hostPath without a path", "nodeBinaries: {source: hostPath}\n",
			"nodeBinaries.hostPath.path"},
		{"image catalog elsewhere", "nodeBinaries: {path: /catalog}\n", "nodeBinaries.path"},
		{"no ServiceAccount name", "serviceAccount: {create: false}\n", "serviceAccount.name"},
		{"negative replicas", "replicaCount: -1\n", "replicaCount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := renderChart(t, tt.values)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("render error = %v, want one naming %s", err, tt.wantErr)
			}
		})
	}
}
