package chart

import (
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
)

// fullName is the name of the release's objects.
const fullName = releaseName

// deployment returns the rendered operator Deployment and its manager container.
func deployment(t *testing.T, objs objects) (appsv1.Deployment, corev1.Container) {
	t.Helper()
	var d appsv1.Deployment
	objs.decode(t, "Deployment", fullName, &d)
	if d.Namespace != releaseNamespace {
		t.Errorf("Deployment namespace = %q, want %q", d.Namespace, releaseNamespace)
	}
	for _, c := range d.Spec.Template.Spec.Containers {
		if c.Name == "manager" {
			return d, c
		}
	}
	t.Fatalf("Deployment has no manager container")
	return d, corev1.Container{}
}

// flag returns the value of --name=value in args, and whether it is there.
func flag(args []string, name string) (string, bool) {
	for _, arg := range args {
		if value, ok := strings.CutPrefix(arg, "--"+name+"="); ok {
			return value, true
		}
	}
	return "", false
}

// wantFlag fails unless args hold --name=want.
func wantFlag(t *testing.T, args []string, name, want string) {
	t.Helper()
	if got, ok := flag(args, name); !ok || got != want {
		t.Errorf("--%s = %q (given: %v), want %q; args %v", name, got, ok, want, args)
	}
}

// volumeAt returns the volume mounted at path, and whether there is one.
func volumeAt(d appsv1.Deployment, c corev1.Container, path string) (corev1.Volume,
	corev1.VolumeMount, bool) {
	for _, m := range c.VolumeMounts {
		if m.MountPath != path {
			continue
		}
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.Name == m.Name {
				return v, m, true
			}
		}
	}
	return corev1.Volume{}, corev1.VolumeMount{}, false
}

// TestDeploymentDefaults checks the operator Deployment that the default values render.
func TestDeploymentDefaults(t *testing.T) {
	t.Parallel()
	objs, err := renderChart(t, "")
	if err != nil {
		t.Fatal(err)
	}
	d, c := deployment(t, objs)

	if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
		t.Errorf("replicas = %v, want 1", d.Spec.Replicas)
	}
	if d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("strategy = %q without leader election, want Recreate", d.Spec.Strategy.Type)
	}
	wantImage := "lightcluster/lightcluster-operator:" + kubernetesVersion(t)
	if c.Image != wantImage || c.ImagePullPolicy != corev1.PullIfNotPresent {
		t.Errorf("image = %q %q, want %q IfNotPresent", c.Image, c.ImagePullPolicy, wantImage)
	}
	wantArgs := []string{
		"--node-binaries=/opt/lightnode",
		"--max-concurrent-provisions=10",
		"--metrics-bind-address=:8080",
		"--health-probe-bind-address=:8081",
		"--zap-log-level=info",
		"--zap-encoder=json",
		"--zap-stacktrace-level=error",
	}
	if !slices.Equal(c.Args, wantArgs) {
		t.Errorf("args = %v, want %v", c.Args, wantArgs)
	}
	if d.Spec.Template.Spec.ServiceAccountName != fullName {
		t.Errorf("serviceAccountName = %q, want %q", d.Spec.Template.Spec.ServiceAccountName,
			fullName)
	}

	// The image's catalog is used as is: only /tmp is mounted.
	if len(c.VolumeMounts) != 1 || len(d.Spec.Template.Spec.Volumes) != 1 {
		t.Errorf("volumes %v mounted as %v, want only /tmp", d.Spec.Template.Spec.Volumes,
			c.VolumeMounts)
	}
	if v, _, ok := volumeAt(d, c, "/tmp"); !ok || v.EmptyDir == nil {
		t.Errorf("/tmp is %+v (mounted: %v), want an emptyDir", v, ok)
	}

	want := resource.MustParse("100m")
	if got := c.Resources.Requests[corev1.ResourceCPU]; got.Cmp(want) != 0 {
		t.Errorf("cpu request = %s, want %s", got.String(), want.String())
	}
	if got := d.Spec.Template.Spec; got.NodeSelector != nil || got.Tolerations != nil ||
		got.Affinity != nil {
		t.Errorf("placement = %v %v %v, want none", got.NodeSelector, got.Tolerations,
			got.Affinity)
	}
	if !labels.SelectorFromSet(d.Spec.Selector.MatchLabels).Matches(
		labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("selector %v does not select the pod labels %v", d.Spec.Selector.MatchLabels,
			d.Spec.Template.Labels)
	}
}

// TestDeploymentSecurity checks that the pod runs as non-root with a read-only root
// file system, no capabilities and the runtime's seccomp profile.
func TestDeploymentSecurity(t *testing.T) {
	t.Parallel()
	objs, err := renderChart(t, "")
	if err != nil {
		t.Fatal(err)
	}
	d, c := deployment(t, objs)

	pod := d.Spec.Template.Spec.SecurityContext
	if pod == nil || pod.RunAsNonRoot == nil || !*pod.RunAsNonRoot ||
		pod.RunAsUser == nil || *pod.RunAsUser != 65532 {
		t.Fatalf("pod securityContext = %+v, want runAsNonRoot and runAsUser 65532", pod)
	}
	if pod.SeccompProfile == nil ||
		pod.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod seccompProfile = %+v, want RuntimeDefault", pod.SeccompProfile)
	}

	sc := c.SecurityContext
	if sc == nil {
		t.Fatal("container has no securityContext")
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"readOnlyRootFilesystem", sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem},
		{"no privilege escalation",
			sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation},
		{"runAsNonRoot", sc.RunAsNonRoot != nil && *sc.RunAsNonRoot},
		{"drop ALL", sc.Capabilities != nil &&
			slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) &&
			len(sc.Capabilities.Add) == 0},
		{"seccomp RuntimeDefault", sc.SeccompProfile != nil &&
			sc.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault},
	}
	for _, check := range checks {
		if !check.ok {
			t.Errorf("container securityContext: want %s, got %+v", check.name, sc)
		}
	}
}
