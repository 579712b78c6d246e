package loadgen

import (
	"slices"
	"time"
)

// LatencySummary describes a set of operation latencies.
type LatencySummary struct {
	Count int
	Min   time.Duration
	Mean  time.Duration
	P50   time.Duration
	P90   time.Duration
	P99   time.Duration
	Max   time.Duration
}

// Summarize merges latency samples (one slice per worker, say) and
// summarizes them. Percentiles are nearest-rank: P99 of 100 samples is the
// 99th smallest, so it is always a latency that was observed. The inputs are
// not modified.
func Summarize(samples ...[]time.Duration) LatencySummary {
	var all []time.Duration
	for _, s := range samples {
		all = append(all, s...)
	}
	if len(all) == 0 {
		return LatencySummary{}
	}
	slices.Sort(all)
	var sum time.Duration
	for _, d := range all {
		sum += d
	}
	return LatencySummary{
		Count: len(all),
		Min:   all[0],
		Mean:  sum / time.Duration(len(all)),
		P50:   Percentile(all, 50),
		P90:   Percentile(all, 90),
		P99:   Percentile(all, 99),
		Max:   all[len(all)-1],
	}
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted, which MUST be in ascending order; 0 for an empty slice.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// The rank is ceil(p/100 * n), computed in integers where possible so
	// that p=99, n=100 gives exactly 99 despite float rounding.
	rank := int(p * float64(n) / 100)
	if float64(rank)*100 < p*float64(n) {
		rank++
	}
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// MiBPerSecond is bytes over d in MiB/s; 0 when d is not positive.
func MiBPerSecond(bytes int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(bytes) / (1 << 20) / d.Seconds()
}

// PerSecond is n events over d per second; 0 when d is not positive.
func PerSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
