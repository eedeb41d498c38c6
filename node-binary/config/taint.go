package config

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// TaintEffect is what a taint does to pods that do not tolerate it.
type TaintEffect string

// The taint effects a node taint may carry.
const (
	// TaintNoSchedule keeps new pods off the node.
	TaintNoSchedule TaintEffect = "NoSchedule"
	// TaintPreferNoSchedule steers new pods away from the node when possible.
	TaintPreferNoSchedule TaintEffect = "PreferNoSchedule"
	// TaintNoExecute keeps new pods off the node and evicts running ones.
	TaintNoExecute TaintEffect = "NoExecute"
)

// Taint is a node taint parsed from key=value:Effect or key:Effect.
type Taint struct {
	// Key is the taint key, a qualified name such as example.com/dedicated.
	Key string
	// Value is the taint value, possibly empty.
	Value string
	// Effect is what the taint does to pods that do not tolerate it.
	Effect TaintEffect
}

// String returns the taint in the key=value:Effect form it was parsed from.
func (t Taint) String() string {
	if t.Value == "" {
		return t.Key + ":" + string(t.Effect)
	}
	return t.Key + "=" + t.Value + ":" + string(t.Effect)
}

// ParseTaint parses a taint written as key=value:Effect or key:Effect.
func ParseTaint(s string) (Taint, error) {
	rest, effect, ok := strings.Cut(s, ":")
	if !ok {
		return Taint{}, fmt.Errorf("invalid taint %q, want key=value:Effect", s)
	}
	key, value, _ := strings.Cut(rest, "=")
	t := Taint{Key: key, Value: value, Effect: TaintEffect(effect)}

	if msgs := validation.IsQualifiedName(key); len(msgs) > 0 {
		return Taint{}, fmt.Errorf("invalid taint key %q: %s", key, strings.Join(msgs, "; "))
	}
	if msgs := validation.IsValidLabelValue(value); len(msgs) > 0 {
		return Taint{}, fmt.Errorf("invalid taint value %q: %s", value, strings.Join(msgs, "; "))
	}
	switch t.Effect {
	case TaintNoSchedule, TaintPreferNoSchedule, TaintNoExecute:
		return t, nil
	}
	return Taint{}, fmt.Errorf("invalid taint effect %q in %q, want %s, %s or %s",
		effect, s, TaintNoSchedule, TaintPreferNoSchedule, TaintNoExecute)
}
