package install

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/lightcluster/lightcluster/node-binary/config"
)

// configFlag names the flag that chooses the config file; it is never a config key.
const configFlag = "config"

// configSetting is one flag given to install, as a config file key and YAML value.
type configSetting struct {
	key   string
	value *yaml.Node
}

// parseArgs reads the lightnode flags of role in args. It returns the config file a
// --config flag names ("" when none) and the other flags as settings, sorted by key.
func parseArgs(role Role, args []string) (string, []configSetting, error) {
	cmd := &cobra.Command{Use: string(role)}
	if role == RoleServer {
		config.BindServerFlags(cmd, &config.Server{})
	} else {
		config.BindAgentFlags(cmd, &config.Agent{})
	}
	flags := cmd.Flags()
	if err := flags.Parse(args); err != nil {
		return "", nil, fmt.Errorf("lightnode %s flags: %w", role, err)
	}
	if rest := flags.Args(); len(rest) > 0 {
		return "", nil, fmt.Errorf("lightnode %s flags: unexpected argument %q", role, rest[0])
	}

	var file string
	var settings []configSetting
	flags.Visit(func(f *pflag.Flag) {
		if f.Name == configFlag {
			file = f.Value.String()
			return
		}
		settings = append(settings, configSetting{key: f.Name, value: flagNode(f)})
	})
	sort.Slice(settings, func(i, j int) bool { return settings[i].key < settings[j].key })
	return file, settings, nil
}

// flagNode returns the YAML value of a flag as the config loader reads it back.
func flagNode(f *pflag.Flag) *yaml.Node {
	if list, ok := f.Value.(pflag.SliceValue); ok {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, item := range list.GetSlice() {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str",
				Value: item})
		}
		return seq
	}
	tag := "!!str"
	switch f.Value.Type() {
	case "bool":
		tag = "!!bool"
	case "int":
		tag = "!!int"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: f.Value.String()}
}

// writeConfig records settings in the config file, keeping the other keys of an
// existing file. No settings leave the file alone.
func writeConfig(o Options, settings []configSetting) error {
	if len(settings) == 0 {
		return nil
	}
	old, err := readOptional(o.System, o.ConfigFile)
	if err != nil {
		return err
	}
	data, err := mergeConfig(old, settings)
	if err != nil {
		return fmt.Errorf("config file %s: %w", o.ConfigFile, err)
	}
	changed, err := writeIfChanged(o.System, o.ConfigFile, data, 0o600)
	if changed {
		o.say("Wrote %s", o.ConfigFile)
	}
	return err
}

// mergeConfig sets each setting in the YAML document old, replacing a key that is
// there and appending one that is not, and returns the new document.
func mergeConfig(old []byte, settings []configSetting) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(old, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode,
			Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: want a mapping of keys to values", root.Line)
	}
	for _, s := range settings {
		setKey(root, s)
	}

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := errors.Join(enc.Encode(&doc), enc.Close()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// setKey replaces the value of s.key in mapping, or appends the key.
func setKey(mapping *yaml.Node, s configSetting) {
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		if mapping.Content[i].Value == s.key {
			mapping.Content[i+1] = s.value
			return
		}
	}
	key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s.key}
	mapping.Content = append(mapping.Content, key, s.value)
}

// configValue returns the single value of key in the config file and its drop-ins,
// the last one winning, or "" when no file sets it. Unreadable files count as unset:
// the value only steers waiting and cleaning, never what lightnode runs with.
func configValue(o Options, key string) string {
	files := []string{o.ConfigFile}
	dropIns := o.ConfigFile + ".d"
	if entries, err := os.ReadDir(o.System.Path(dropIns)); err == nil {
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") {
				files = append(files, path.Join(dropIns, e.Name()))
			}
		}
	}

	value := ""
	for _, f := range files {
		data, err := readOptional(o.System, f)
		if err != nil || data == nil {
			continue
		}
		var m map[string]any
		if yaml.Unmarshal(data, &m) != nil {
			continue
		}
		if v, ok := m[key]; ok && v != nil {
			value = fmt.Sprint(v)
		}
	}
	return value
}
