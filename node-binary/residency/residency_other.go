//go:build !linux

package residency

// ReleaseProgramPages does nothing outside Linux.
func ReleaseProgramPages() (int64, error) { return 0, nil }
