package server

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/pflag"
	cliflag "k8s.io/component-base/cli/flag"
)

// args are component flags by name, without the leading dashes.
type args map[string]string

// list returns the flags as --name=value, sorted so that logs read the same each start.
func (a args) list() []string {
	out := make([]string, 0, len(a))
	for name, value := range a {
		out = append(out, "--"+name+"="+value)
	}
	sort.Strings(out)
	return out
}

// with returns a with each key=value of extra, the user's flags, in place of its
// own value of that flag.
func (a args) with(extra []string) args {
	for _, kv := range extra {
		key, value, _ := strings.Cut(kv, "=")
		a[key] = value
	}
	return a
}

// parseInto applies a to the named flag sets of a component's options, as its
// command line would.
func parseInto(component string, fss cliflag.NamedFlagSets, a args) error {
	fs := pflag.NewFlagSet(component, pflag.ContinueOnError)
	for _, name := range fss.Order {
		fs.AddFlagSet(fss.FlagSets[name])
	}
	if err := fs.Parse(a.list()); err != nil {
		// The caller names the component; its flags come from lightnode and from
		// --<component>-arg.
		return fmt.Errorf("flags (see --%s-arg): %w", component, err)
	}
	return nil
}

func joinList(items []string) string { return strings.Join(items, ",") }
