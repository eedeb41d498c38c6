package config

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// envPrefix starts the name of every environment variable lightnode reads.
const envPrefix = "LIGHTNODE_"

// envAliases lists, per flag, the variables read before the one derived from its name.
var envAliases = map[string][]string{
	"server": {envPrefix + "URL"},
	"config": {envPrefix + "CONFIG_FILE"},
}

// envNames returns the environment variables of a flag, the preferred one first:
// --node-name is read from LIGHTNODE_NODE_NAME.
func envNames(flag string) []string {
	derived := envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
	return append(append([]string(nil), envAliases[flag]...), derived)
}

// lookupEnv returns the first non-empty variable of a flag and its name. An empty
// variable counts as unset, as service unit files often leave them empty.
func lookupEnv(lookup func(string) (string, bool), flag string) (name, value string) {
	if lookup == nil {
		return "", ""
	}
	for _, name := range envNames(flag) {
		if v, ok := lookup(name); ok && v != "" {
			return name, v
		}
	}
	return "", ""
}

// applyEnv sets every flag of fs that has an environment variable. A list variable
// holds comma-separated items and replaces the list.
func applyEnv(lookup func(string) (string, bool), fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		name, value := lookupEnv(lookup, f.Name)
		if err != nil || name == "" {
			return
		}
		if setErr := setFlag(f, value); setErr != nil {
			err = fmt.Errorf("environment variable %s: %w", name, setErr)
		}
	})
	return err
}

// setFlag stores a textual value: a list flag takes comma-separated items that replace
// its list, any other flag parses the value.
func setFlag(f *pflag.Flag, value string) error {
	if list, ok := f.Value.(pflag.SliceValue); ok {
		return list.Replace(splitList(value))
	}
	return f.Value.Set(value)
}
