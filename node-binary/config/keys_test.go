package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"
)

// structKeys returns the config keys of t's fields, embedded structs flattened.
func structKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous:
			keys = append(keys, structKeys(f.Type)...)
		case name != "-" && name != "":
			keys = append(keys, name)
		}
	}
	return keys
}

// flagNames returns the names of the flags bind defines, without --config.
func flagNames(bind func(*pflag.FlagSet)) []string {
	fs := newFlagSet("test")
	bind(fs)
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Name != "config" {
			names = append(names, f.Name)
		}
	})
	return names
}

func TestKeysMatchFlags(t *testing.T) {
	tests := []struct {
		name  string
		typ   reflect.Type
		flags []string
	}{
		{"agent", reflect.TypeFor[Agent](),
			flagNames(func(fs *pflag.FlagSet) { bindAgent(fs, &Agent{}) })},
		{"server", reflect.TypeFor[Server](),
			flagNames(func(fs *pflag.FlagSet) { bindServer(fs, &Server{}) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := structKeys(tt.typ)
			slices.Sort(keys)
			slices.Sort(tt.flags)
			if !slices.Equal(keys, tt.flags) {
				t.Errorf("keys %q\nflags %q", keys, tt.flags)
			}
		})
	}
}

func TestMarshalledServerLoadsBack(t *testing.T) {
	want := validServer(t)
	want.NodeName = "edge-1"
	want.NodeLabel = []string{"role=edge"}
	want.ServerURL, want.Token = "https://10.0.0.1:6443", "t"
	want.DisableAgent = true
	want.Disable = []string{"coredns"}
	data, err := yaml.Marshal(want)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}

	got := mustLoadServer(t, testSystem(nil, map[string]string{mainFile: string(data)}))
	if gotYAML, _ := yaml.Marshal(got); string(gotYAML) != string(data) {
		t.Errorf("loaded back\n%s\nwant\n%s", gotYAML, data)
	}
}
