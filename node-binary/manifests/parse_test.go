package manifests

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		want    []string // kind/name
		wantErr string
	}{
		{"documents, empty ones and comments", "# header\n---\n" + cmA + "---\n---\n# only a " +
			"comment\n---\n" + nsA, []string{"ConfigMap/a", "Namespace/apps"}, ""},
		{"JSON values one after another", `{"apiVersion":"v1","kind":"ConfigMap",` +
			`"metadata":{"name":"a"}}` + "\n" + `{"apiVersion":"v1","kind":"Namespace",` +
			`"metadata":{"name":"apps"}}`, []string{"ConfigMap/a", "Namespace/apps"}, ""},
		{"a List gives its items", "apiVersion: v1\nkind: List\nitems:\n- " +
			strings.ReplaceAll(cmA, "\n", "\n  ") + "\n", []string{"ConfigMap/a"}, ""},
		{"empty file", "", nil, ""},
		{"no kind", "apiVersion: v1\nmetadata: {name: a}\n", nil, "document 1: no kind"},
		{"no name in the second document", cmA + "---\napiVersion: v1\nkind: Secret\n", nil,
			"document 2: Secret has no metadata.name"},
		{"a List item without a name", "apiVersion: v1\nkind: List\nitems:\n" +
			"- {apiVersion: v1, kind: ConfigMap}\n", nil, "item 1"},
		{"not YAML", "a: [\n", nil, "document 1"},
		{"a scalar document", "just text\n", nil, "document 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := Parse([]byte(tt.data))
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalidManifest) || !strings.Contains(err.Error(),
					tt.wantErr) {
					t.Fatalf("Parse error %v, want ErrInvalidManifest with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var got []string
			for _, o := range objs {
				got = append(got, o.GetKind()+"/"+o.GetName())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("objects %q, want %q", got, tt.want)
			}
		})
	}
}
