package manifests

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteDefaults(t *testing.T) {
	ours := OwnedMarker + "\nold: content\n"
	users := "# my own CoreDNS\nkind: ConfigMap\n"
	fresh := Default{Component: "coredns", File: "coredns.yaml",
		Data: []byte(OwnedMarker + "\nnew: content\n")}
	tests := []struct {
		name     string
		existing string // "" for no file
		disabled []string
		want     string // "" for no file
	}{
		{"missing default is written", "", nil, string(fresh.Data)},
		{"lightnode's copy is rewritten", ours, nil, string(fresh.Data)},
		{"the user's file is kept", users, nil, users},
		{"a marker line with other text is the user's", OwnedMarker + " (mine)\n", nil,
			OwnedMarker + " (mine)\n"},
		{"disabled default is removed", ours, []string{"coredns"}, ""},
		{"disabled default is not written", "", []string{"coredns"}, ""},
		{"the user's file of a disabled component is kept", users, []string{"coredns"}, users},
		{"another component disabled", ours, []string{"servicelb"}, string(fresh.Data)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "manifests")
			path := filepath.Join(dir, fresh.File)
			if tt.existing != "" {
				if err := os.MkdirAll(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				writeManifest(t, dir, fresh.File, tt.existing)
			}
			if err := WriteDefaults(dir, []Default{fresh}, tt.disabled, quietLog); err != nil {
				t.Fatalf("WriteDefaults: %v", err)
			}
			data, err := os.ReadFile(path)
			switch {
			case tt.want == "" && !os.IsNotExist(err):
				t.Errorf("file exists (%v) with %q, want none", err, data)
			case tt.want != "" && string(data) != tt.want:
				t.Errorf("file holds %q (%v), want %q", data, err, tt.want)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) > 1 {
				t.Errorf("directory holds %d entries, want no temporary file left", len(entries))
			}
		})
	}
}

func TestOwned(t *testing.T) {
	tests := []struct {
		data string
		want bool
	}{
		{OwnedMarker + "\napiVersion: v1\n", true},
		{OwnedMarker + "\r\napiVersion: v1\r\n", true},
		{OwnedMarker, true},
		{"\n" + OwnedMarker + "\n", false},
		{"apiVersion: v1\n", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := Owned([]byte(tt.data)); got != tt.want {
			t.Errorf("Owned(%q) = %v, want %v", tt.data, got, tt.want)
		}
	}
}
