package config

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// LoadServer returns the settings of `lightnode server` for cmd, whose flags were bound
// with BindServerFlags and parsed: the defaults, overridden by the config files, then
// by the environment, then by the flags given on the command line. The result is
// completed and validated.
func LoadServer(cmd *cobra.Command, args []string, sys System) (*Server, error) {
	s := &Server{}
	flags := newFlagSet("server")
	bindServer(flags, s)
	if err := load(cmd, args, sys, keyScope{flags: flags}); err != nil {
		return nil, fmt.Errorf("server config: %w", err)
	}

	if err := s.Complete(sys); err != nil {
		return nil, fmt.Errorf("server config: %w", err)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("server config: %w", err)
	}
	return s, nil
}

// LoadAgent returns the settings of `lightnode agent` for cmd, whose flags were bound
// with BindAgentFlags and parsed, merged and checked as LoadServer does. A config file
// key that only the server knows is rejected by name.
func LoadAgent(cmd *cobra.Command, args []string, sys System) (*Agent, error) {
	a := &Agent{}
	flags := newFlagSet("agent")
	bindAgent(flags, a)
	serverFlags := newFlagSet("server")
	bindServer(serverFlags, &Server{})
	scope := keyScope{flags: flags, foreign: serverFlags, command: "lightnode server"}
	if err := load(cmd, args, sys, scope); err != nil {
		return nil, fmt.Errorf("agent config: %w", err)
	}

	if err := a.Complete(sys); err != nil {
		return nil, fmt.Errorf("agent config: %w", err)
	}
	if err := a.Validate(); err != nil {
		return nil, fmt.Errorf("agent config: %w", err)
	}
	return a, nil
}

// load fills the flags of scope from files, environment and the flags set on cmd,
// each source overriding the ones before it.
func load(cmd *cobra.Command, args []string, sys System, scope keyScope) error {
	// Arguments are not echoed: a misplaced token could be among them.
	if len(args) > 0 {
		return fmt.Errorf("%s takes no arguments, got %d", cmd.CommandPath(), len(args))
	}

	file, explicit := configPath(cmd.Flags(), sys.LookupEnv)
	files, err := configFiles(sys.files(), file, explicit)
	if err != nil {
		return err
	}
	if err := applyFiles(sys.files(), files, scope); err != nil {
		return err
	}

	if err := applyEnv(sys.LookupEnv, scope.flags); err != nil {
		return err
	}
	if err := applyChanged(cmd.Flags(), scope.flags); err != nil {
		return err
	}
	return scope.flags.Set("config", file)
}

// configPath returns the config file to read and whether the user named it.
func configPath(flags *pflag.FlagSet, lookup func(string) (string, bool)) (string, bool) {
	if f := flags.Lookup("config"); f != nil && f.Changed {
		return f.Value.String(), true
	}
	if _, file := lookupEnv(lookup, "config"); file != "" {
		return file, true
	}
	return DefaultConfigFile, false
}

// applyChanged copies the flags the user set on the command line into to.
func applyChanged(from, to *pflag.FlagSet) error {
	var err error
	from.Visit(func(f *pflag.Flag) {
		dst := to.Lookup(f.Name)
		if err != nil || dst == nil {
			return
		}
		if setErr := copyValue(f.Value, dst.Value); setErr != nil {
			err = fmt.Errorf("flag --%s: %w", f.Name, setErr)
		}
	})
	return err
}

// copyValue stores the value of src in dst, item by item for lists.
func copyValue(src, dst pflag.Value) error {
	srcList, srcOK := src.(pflag.SliceValue)
	dstList, dstOK := dst.(pflag.SliceValue)
	if srcOK && dstOK {
		return dstList.Replace(srcList.GetSlice())
	}
	return dst.Set(src.String())
}

// newFlagSet returns an empty flag set that reports errors instead of exiting.
func newFlagSet(name string) *pflag.FlagSet {
	return pflag.NewFlagSet(name, pflag.ContinueOnError)
}
