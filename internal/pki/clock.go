package pki

import "time"

// Clock returns the current time. Certificate validity is computed from it; a nil Clock
// means the system clock.
type Clock func() time.Time

// Now returns the time of c, or the system time when c is nil.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now()
	}
	return c()
}
