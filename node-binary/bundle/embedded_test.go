//go:build !bundle

package bundle

import (
	"errors"
	"testing"
)

func TestWithoutBundleTagNothingIsEmbedded(t *testing.T) {
	if _, err := Embedded(); !errors.Is(err, ErrNotEmbedded) {
		t.Errorf("Embedded error = %v, want ErrNotEmbedded", err)
	}
	binDir, err := Extract(t.TempDir())
	if !errors.Is(err, ErrNotEmbedded) || binDir != "" {
		t.Errorf("Extract = %q, %v, want ErrNotEmbedded", binDir, err)
	}
}
