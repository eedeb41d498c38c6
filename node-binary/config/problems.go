package config

import (
	"errors"
	"fmt"
)

// problems collects what Validate finds, each naming its flag, so that one run
// reports every mistake.
type problems []error

// add records err against a flag.
func (p *problems) add(flag string, err error) {
	*p = append(*p, fmt.Errorf("--%s: %w", flag, err))
}

// addf records a formatted message against a flag.
func (p *problems) addf(flag, format string, args ...any) {
	p.add(flag, fmt.Errorf(format, args...))
}

// err returns the problems joined, or nil when there are none.
func (p problems) err() error { return errors.Join(p...) }
