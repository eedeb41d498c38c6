package metrics

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

func TestCountSSHError(t *testing.T) {
	before := testutil.ToFloat64(SSHErrors.WithLabelValues("Unreachable"))
	CountSSHError("Unreachable")
	if got := testutil.ToFloat64(SSHErrors.WithLabelValues("Unreachable")); got != before+1 {
		t.Errorf("counter = %v, want %v", got, before+1)
	}
}

// sampleCount returns how many observations the histogram of role and result holds.
func sampleCount(t *testing.T, role, result string) uint64 {
	t.Helper()
	var m dto.Metric
	h, ok := ProvisionDuration.WithLabelValues(role, result).(prometheus.Metric)
	if !ok {
		t.Fatal("histogram is not a prometheus.Metric")
	}
	if err := h.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount()
}

func TestObserveProvision(t *testing.T) {
	tests := []struct {
		name, result string
		err          error
	}{
		{name: "success", result: ResultSuccess},
		{name: "error", result: ResultError, err: errors.New("boom")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := sampleCount(t, "agent", tt.result)
			ObserveProvision("agent", time.Now(), tt.err)
			if got := sampleCount(t, "agent", tt.result); got != before+1 {
				t.Errorf("sample count = %d, want %d", got, before+1)
			}
		})
	}
}
