package loadgen

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// msec returns n milliseconds.
func msec(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// oneToN returns 1ms, 2ms, ..., n ms.
func oneToN(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = msec(i + 1)
	}
	return out
}

func TestPercentile(t *testing.T) {
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one sample p50", []time.Duration{msec(7)}, 50, msec(7)},
		{"one sample p99", []time.Duration{msec(7)}, 99, msec(7)},
		{"two samples p50 is the lower", oneToN(2), 50, msec(1)},
		{"two samples p51 is the upper", oneToN(2), 51, msec(2)},
		{"three samples p50 is the middle", oneToN(3), 50, msec(2)},
		{"100 samples p50", oneToN(100), 50, msec(50)},
		{"100 samples p99", oneToN(100), 99, msec(99)},
		{"100 samples p100", oneToN(100), 100, msec(100)},
		{"1000 samples p99", oneToN(1000), 99, msec(990)},
		{"1000 samples p99.9", oneToN(1000), 99.9, msec(999)},
		{"10 samples p90", oneToN(10), 90, msec(9)},
		{"10 samples p91 rounds up", oneToN(10), 91, msec(10)},
		{"tiny p is the minimum", oneToN(10), 0.001, msec(1)},
	}
	for _, tt := range tests {
		if got := Percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("%s: Percentile(p=%v) = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	// Two workers' samples, unsorted, merged: 1..100 ms.
	all := oneToN(100)
	var a, b []time.Duration
	for i, d := range all {
		if i%3 == 0 {
			a = append(a, d)
		} else {
			b = append(b, d)
		}
	}
	slices.Reverse(b)
	aBefore := slices.Clone(a)
	got := Summarize(a, b, nil)
	want := LatencySummary{
		Count: 100, Min: msec(1), Mean: 50*time.Millisecond + 500*time.Microsecond,
		P50: msec(50), P90: msec(90), P99: msec(99), Max: msec(100),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Summarize (-want +got):\n%s", diff)
	}
	if !slices.Equal(a, aBefore) {
		t.Error("Summarize modified its input")
	}
	if got := Summarize(); got != (LatencySummary{}) {
		t.Errorf("Summarize() = %+v, want zero", got)
	}
}

func TestRates(t *testing.T) {
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"64 MiB in 0.5 s", MiBPerSecond(64<<20, 500*time.Millisecond), 128},
		{"1 GiB in 2 s", MiBPerSecond(1<<30, 2*time.Second), 512},
		{"zero time", MiBPerSecond(100, 0), 0},
		{"negative time", MiBPerSecond(100, -time.Second), 0},
		{"300 ops in 1.5 s", PerSecond(300, 1500*time.Millisecond), 200},
		{"ops in zero time", PerSecond(300, 0), 0},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > 1e-9 {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}
