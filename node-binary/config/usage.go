package config

import (
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// groupOther collects the flags without a group, such as --help.
const groupOther = "Other"

// usageWidth is the column at which flag usage text wraps.
const usageWidth = 100

// groupedUsage prints a command's usage with its flags listed by group.
func groupedUsage(cmd *cobra.Command) error {
	out := cmd.OutOrStderr()
	fmt.Fprintf(out, "Usage:\n  %s\n", cmd.UseLine())
	if cmd.HasAvailableSubCommands() {
		fmt.Fprintf(out, "  %s [command]\n", cmd.CommandPath())
	}

	for _, group := range append(slices.Clone(groupOrder), groupOther) {
		printGroup(out, group, flagsInGroup(cmd.LocalFlags(), group))
	}
	printGroup(out, "Global", cmd.InheritedFlags())
	return nil
}

// flagsInGroup returns the flags of fs in one usage group.
func flagsInGroup(fs *pflag.FlagSet, group string) *pflag.FlagSet {
	set := newFlagSet(group)
	fs.VisitAll(func(f *pflag.Flag) {
		if groupOf(f) == group {
			set.AddFlag(f)
		}
	})
	return set
}

// groupOf returns the usage group of a flag.
func groupOf(f *pflag.Flag) string {
	if g := f.Annotations[groupAnnotation]; len(g) == 1 {
		return g[0]
	}
	return groupOther
}

// printGroup prints a titled list of flags, or nothing when fs has none.
func printGroup(out io.Writer, title string, fs *pflag.FlagSet) {
	if !fs.HasAvailableFlags() {
		return
	}
	fmt.Fprintf(out, "\n%s flags:\n%s", title, fs.FlagUsagesWrapped(usageWidth))
}
