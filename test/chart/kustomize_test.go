package chart

import (
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// kustomizeNamespace is the namespace config/default installs into.
const kustomizeNamespace = "lightcluster-system"

// buildKustomization renders config/default the way `kubectl apply -k` does.
func buildKustomization(t *testing.T) objects {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(),
		filepath.Join(moduleRoot(t), "config", "default"))
	if err != nil {
		t.Fatalf("kustomize config/default: %v", err)
	}
	out, err := resources.AsYaml()
	if err != nil {
		t.Fatalf("kustomize config/default: %v", err)
	}
	return parseObjects(t, out)
}

// TestKustomizeDefault checks what `kubectl apply -k config/default` installs: the
// namespace, the generated CRDs and RBAC, and the manager with the image that
// `make docker-build` tags, reading the catalog the image carries.
func TestKustomizeDefault(t *testing.T) {
	t.Parallel()
	objs := buildKustomization(t)

	if !objs.has("Namespace", kustomizeNamespace) {
		t.Errorf("no Namespace %s; rendered %v", kustomizeNamespace, objs.keys())
	}
	want := generatedCRDs(t)
	if got := objs.ofKind("CustomResourceDefinition"); len(got) != len(want) {
		t.Errorf("CRDs %v, want %d", got, len(want))
	}
	for key, wantCRD := range want {
		var got map[string]any
		objs.decode(t, "CustomResourceDefinition",
			strings.TrimPrefix(key, "CustomResourceDefinition/"), &got)
		if meta, ok := got["metadata"].(map[string]any); ok {
			delete(meta, "labels") // app.kubernetes.io/part-of
		}
		if !equalJSON(got, wantCRD) {
			t.Errorf("%s differs from config/crd/bases", key)
		}
	}

	var role rbacv1.ClusterRole
	objs.decode(t, "ClusterRole", "lightcluster-operator", &role)
	if wantRules := readRole(t, "config/rbac/role.yaml").Rules; !rulesEqual(role.Rules,
		wantRules) {
		t.Errorf("ClusterRole rules = %+v, want %+v", role.Rules, wantRules)
	}
	var crb rbacv1.ClusterRoleBinding
	objs.decode(t, "ClusterRoleBinding", "lightcluster-operator", &crb)
	if len(crb.Subjects) != 1 || crb.Subjects[0].Namespace != kustomizeNamespace {
		t.Errorf("ClusterRoleBinding subjects = %+v, want the ServiceAccount in %s",
			crb.Subjects, kustomizeNamespace)
	}
	for _, kind := range []string{"ServiceAccount", "Role", "RoleBinding", "Deployment",
		"Service"} {
		if len(objs.ofKind(kind)) == 0 {
			t.Errorf("no %s rendered", kind)
		}
	}
	checkKustomizeManager(t, objs)
}

// checkKustomizeManager checks the manager Deployment and its metrics Service.
func checkKustomizeManager(t *testing.T, objs objects) {
	t.Helper()
	var d appsv1.Deployment
	objs.decode(t, "Deployment", "lightcluster-operator", &d)
	if d.Namespace != kustomizeNamespace || len(d.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("Deployment in %q with %d containers, want %s with one", d.Namespace,
			len(d.Spec.Template.Spec.Containers), kustomizeNamespace)
	}
	c := d.Spec.Template.Spec.Containers[0]
	if want := "lightcluster/lightcluster-operator:" + kubernetesVersion(t); c.Image != want {
		t.Errorf("image = %q, want %q", c.Image, want)
	}
	wantFlag(t, c.Args, "node-binaries", "/opt/lightnode")

	// Nothing may hide the image's catalog; /tmp is the one writable directory.
	if _, _, ok := volumeAt(d, c, "/opt/lightnode"); ok {
		t.Errorf("a volume is mounted over the image's catalog: %+v", c.VolumeMounts)
	}
	if v, _, ok := volumeAt(d, c, "/tmp"); !ok || v.EmptyDir == nil {
		t.Errorf("/tmp is %+v (mounted: %v), want an emptyDir", v, ok)
	}
	pod := d.Spec.Template.Spec.SecurityContext
	if pod == nil || pod.RunAsUser == nil || *pod.RunAsUser != 65532 ||
		pod.RunAsNonRoot == nil || !*pod.RunAsNonRoot {
		t.Errorf("pod securityContext = %+v, want non-root 65532", pod)
	}
	if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil ||
		!*sc.ReadOnlyRootFilesystem {
		t.Errorf("container securityContext = %+v, want a read-only root", sc)
	}

	var svc corev1.Service
	objs.decode(t, "Service", "lightcluster-operator-metrics", &svc)
	if svc.Namespace != kustomizeNamespace ||
		!labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("metrics Service in %q selects %v, want the operator pods %v in %s",
			svc.Namespace, svc.Spec.Selector, d.Spec.Template.Labels, kustomizeNamespace)
	}
}
