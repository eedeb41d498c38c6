package manifests

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestNamesOfAFile(t *testing.T) {
	long := strings.Repeat("a", 70) + ".yaml"
	tests := []struct {
		file, label, record string
	}{
		{"coredns.yaml", "coredns.yaml", "lightnode-manifest.coredns.yaml"},
		{"My_App.yaml", "My_App.yaml", "lightnode-manifest." + fileHash("My_App.yaml")},
		{"my app.yaml", fileHash("my app.yaml"), "lightnode-manifest." + fileHash("my app.yaml")},
		{long, fileHash(long), "lightnode-manifest." + long},
	}
	for _, tt := range tests {
		label, record := LabelValue(tt.file), RecordName(tt.file)
		if label != tt.label || record != tt.record {
			t.Errorf("%q: label %q record %q, want %q and %q", tt.file, label, record,
				tt.label, tt.record)
		}
		if msgs := validation.IsValidLabelValue(label); len(msgs) > 0 {
			t.Errorf("%q: label %q is not valid: %v", tt.file, label, msgs)
		}
		if msgs := validation.IsDNS1123Subdomain(record); len(msgs) > 0 {
			t.Errorf("%q: record name %q is not valid: %v", tt.file, record, msgs)
		}
	}
	if RecordName("a.yaml") == RecordName("A.yaml") {
		t.Errorf("a.yaml and A.yaml share a record")
	}
}

func TestRecordRoundTrip(t *testing.T) {
	want := Record{File: "app.yaml", Checksum: "abc", Server: "server-1", Objects: []ObjectRef{
		{APIVersion: "v1", Kind: "Namespace", Name: "apps"},
		{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "apps", Name: "web"},
	}}
	data, err := recordData(want)
	if err != nil {
		t.Fatal(err)
	}
	cms := []corev1.ConfigMap{
		{ObjectMeta: metav1.ObjectMeta{Name: RecordName("app.yaml")}, Data: data},
		{ObjectMeta: metav1.ObjectMeta{Name: "lightnode-manifest.broken"},
			Data: map[string]string{keyFile: "broken", keyObjects: "{"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "lightnode-manifest.other"}, Data: data},
		{ObjectMeta: metav1.ObjectMeta{Name: "lightnode-manifest.empty"}},
	}
	got := recordsOf(cms)
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("records %+v, want only %+v", got, want)
	}
}

func TestKeyOfIgnoresVersion(t *testing.T) {
	a := ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "x", Name: "d"}
	b := a
	b.APIVersion = "apps/v1beta2"
	c := a
	c.APIVersion = "extensions/v1beta1"
	if keyOf(a) != keyOf(b) || keyOf(a) == keyOf(c) {
		t.Errorf("keys %v %v %v: want versions of one group equal, groups apart",
			keyOf(a), keyOf(b), keyOf(c))
	}
	if got := len(without([]ObjectRef{a, c}, []ObjectRef{b})); got != 1 {
		t.Errorf("without kept %d refs, want 1", got)
	}
}
