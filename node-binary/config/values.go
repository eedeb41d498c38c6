package config

import (
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// listValue is a repeatable flag whose items are checked as they are set. The first
// Set replaces the default; later ones append, so --node-label a --node-label b
// yields both labels. It also implements pflag.SliceValue for config files.
type listValue struct {
	target *[]string
	check  func(string) error
	isSet  bool
}

var _ pflag.SliceValue = (*listValue)(nil)

// newListValue returns a list flag value that writes into target, starting from def.
func newListValue(target *[]string, def []string, check func(string) error) *listValue {
	*target = slices.Clone(def)
	return &listValue{target: target, check: check}
}

// Set adds the comma-separated items of s, replacing the default on first use.
func (v *listValue) Set(s string) error {
	items := splitList(s)
	if err := v.checkAll(items); err != nil {
		return err
	}
	if !v.isSet {
		*v.target = nil
		v.isSet = true
	}
	*v.target = append(*v.target, items...)
	return nil
}

// Append adds one item to the end of the list.
func (v *listValue) Append(item string) error {
	if err := v.checkAll([]string{item}); err != nil {
		return err
	}
	*v.target = append(*v.target, item)
	return nil
}

// Replace makes items the whole list.
func (v *listValue) Replace(items []string) error {
	if err := v.checkAll(items); err != nil {
		return err
	}
	*v.target = slices.Clone(items)
	return nil
}

// GetSlice returns a copy of the list.
func (v *listValue) GetSlice() []string { return slices.Clone(*v.target) }

// Type names the value kind in usage text.
func (v *listValue) Type() string { return "strings" }

// String returns the items joined by commas, the form Set accepts.
func (v *listValue) String() string { return strings.Join(*v.target, ",") }

func (v *listValue) checkAll(items []string) error {
	if v.check == nil {
		return nil
	}
	for _, item := range items {
		if err := v.check(item); err != nil {
			return err
		}
	}
	return nil
}

// splitList splits a comma-separated list, trimming spaces and dropping empty items.
func splitList(s string) []string {
	var items []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

// stringValue is a string flag whose non-empty values are checked as they are set.
type stringValue struct {
	target *string
	check  func(string) error
}

// newStringValue returns a string flag value that writes into target, starting from def.
func newStringValue(target *string, def string, check func(string) error) *stringValue {
	*target = def
	return &stringValue{target: target, check: check}
}

// Set checks s and stores it; an empty string is always accepted and means unset.
func (v *stringValue) Set(s string) error {
	if s != "" && v.check != nil {
		if err := v.check(s); err != nil {
			return err
		}
	}
	*v.target = s
	return nil
}

// Type names the value kind in usage text.
func (v *stringValue) Type() string { return "string" }

// String returns the stored string.
func (v *stringValue) String() string { return *v.target }

// portValue is a TCP port flag.
type portValue struct{ target *int }

// newPortValue returns a port flag value that writes into target, starting from def.
func newPortValue(target *int, def int) *portValue {
	*target = def
	return &portValue{target: target}
}

// Set parses s as a port number in 1-65535.
func (v *portValue) Set(s string) error {
	n, err := parsePort(s)
	if err != nil {
		return err
	}
	*v.target = n
	return nil
}

// Type names the value kind in usage text.
func (v *portValue) Type() string { return "port" }

// String returns the port in decimal.
func (v *portValue) String() string { return strconv.Itoa(*v.target) }
