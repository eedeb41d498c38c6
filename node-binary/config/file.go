package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// appendSuffix marks a list key whose items append to the list instead of replacing it.
const appendSuffix = "+"

// dropInSuffix names the directory of drop-in files beside a config file.
const dropInSuffix = ".d"

// keyScope tells which keys a config file may hold: the flags of the subcommand being
// loaded, and optionally the keys of another subcommand that are rejected by name.
type keyScope struct {
	flags   *pflag.FlagSet
	foreign *pflag.FlagSet
	command string
}

// configFiles lists the files to read for the config file at file: the file itself,
// then its drop-ins in lexical order. A missing file is an error only when explicit.
func configFiles(fsys fs.FS, file string, explicit bool) ([]string, error) {
	var files []string
	switch _, err := fs.Stat(fsys, fsPath(file)); {
	case err == nil:
		files = append(files, file)
	case explicit || !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("config file %s: %w", file, pathCause(err))
	}

	dir := file + dropInSuffix
	entries, err := fs.ReadDir(fsys, fsPath(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return files, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config directory %s: %w", dir, pathCause(err))
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") {
			files = append(files, path.Join(dir, e.Name()))
		}
	}
	return files, nil
}

// applyFiles reads each file in order and applies its keys to the flags of scope.
func applyFiles(fsys fs.FS, files []string, scope keyScope) error {
	for _, file := range files {
		data, err := fs.ReadFile(fsys, fsPath(file))
		if err != nil {
			return fmt.Errorf("config file %s: %w", file, pathCause(err))
		}
		if err := applyFile(file, data, scope); err != nil {
			return err
		}
	}
	return nil
}

// applyFile applies the keys of one YAML document, in the order they appear.
func applyFile(file string, data []byte, scope keyScope) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: want a mapping of keys to values", file, root.Line)
	}

	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		if seen[key.Value] {
			return fmt.Errorf("%s:%d: key %q: set twice in one file", file, key.Line, key.Value)
		}
		seen[key.Value] = true
		if err := applyKey(scope, key.Value, value); err != nil {
			return fmt.Errorf("%s:%d: key %q: %w", file, key.Line, key.Value, err)
		}
	}
	return nil
}

// applyKey sets the flag named by key from a YAML value.
func applyKey(scope keyScope, key string, value *yaml.Node) error {
	name, appending := strings.CutSuffix(key, appendSuffix)
	f, err := scope.lookup(name)
	if err != nil {
		return err
	}
	if value.Kind == yaml.AliasNode {
		value = value.Alias
	}

	list, isList := f.Value.(pflag.SliceValue)
	switch {
	case isList:
		return applyList(list, value, appending)
	case appending:
		return fmt.Errorf("%q appends to lists only, and %s is a single value",
			appendSuffix, name)
	default:
		return applyScalar(f, value)
	}
}

// lookup finds the flag a key names, or says why the key is not accepted.
func (s keyScope) lookup(name string) (*pflag.Flag, error) {
	if name == "config" {
		return nil, errors.New("a config file cannot name another; use --config")
	}
	if f := s.flags.Lookup(name); f != nil {
		return f, nil
	}
	if s.foreign != nil && s.foreign.Lookup(name) != nil {
		return nil, fmt.Errorf("applies to %s, not to this subcommand", s.command)
	}
	if near := nearestFlag(s.flags, name); near != "" {
		return nil, fmt.Errorf("unknown key (did you mean %q?)", near)
	}
	return nil, errors.New("unknown key")
}

// applyList replaces or extends a list flag with a YAML sequence or a
// comma-separated scalar.
func applyList(list pflag.SliceValue, value *yaml.Node, appending bool) error {
	items, err := listItems(value)
	if err != nil {
		return err
	}
	if !appending {
		return list.Replace(items)
	}
	for _, item := range items {
		if err := list.Append(item); err != nil {
			return err
		}
	}
	return nil
}

// listItems returns the items of a YAML value given for a list key.
func listItems(value *yaml.Node) ([]string, error) {
	switch value.Kind {
	case yaml.ScalarNode:
		if isNull(value) {
			return nil, nil
		}
		return splitList(value.Value), nil
	case yaml.SequenceNode:
		items := make([]string, 0, len(value.Content))
		for _, item := range value.Content {
			if item.Kind != yaml.ScalarNode || isNull(item) {
				return nil, fmt.Errorf("line %d: list items must be single values", item.Line)
			}
			items = append(items, item.Value)
		}
		return items, nil
	}
	return nil, fmt.Errorf("want a list or a single value, got %s", kindName(value))
}

// applyScalar sets a single-valued flag from a YAML scalar, taking the scalar's text
// as written so that 0600 stays octal and 6443 an integer.
func applyScalar(f *pflag.Flag, value *yaml.Node) error {
	if value.Kind != yaml.ScalarNode {
		return fmt.Errorf("want a single value, got %s", kindName(value))
	}
	if isNull(value) {
		return errors.New("want a single value, got nothing")
	}
	return f.Value.Set(value.Value)
}

func isNull(n *yaml.Node) bool { return n.Tag == "!!null" }

// kindName describes a YAML value's kind for error messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return "a single value"
}
