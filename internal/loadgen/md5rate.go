package loadgen

import (
	"crypto/md5"
	"time"
)

// MD5Rate measures single-core crypto/md5 throughput in MiB/s: it hashes buf
// rounds times on the calling goroutine and returns the best round, the
// figure least disturbed by whatever else shares the machine.
func MD5Rate(buf []byte, rounds int) float64 {
	best := 0.0
	for range max(rounds, 1) {
		start := time.Now()
		md5.Sum(buf)
		if r := MiBPerSecond(int64(len(buf)), time.Since(start)); r > best {
			best = r
		}
	}
	return best
}
