package loadgen

import "time"

// Report is the outcome of a run: what was measured, in the order it ran.
// A run that failed returns the report so far with its error.
type Report struct {
	Endpoint string
	Bucket   string
	Op       Op
	// MD5MiBps is single-core crypto/md5 throughput measured at the start
	// of the run, the ceiling of a PUT path that hashes on one core.
	MD5MiBps float64
	// ServerPID is the process Server figures are about (0: none).
	ServerPID int
	// Phases are the PUT and GET phases.
	Phases    []PhaseResult
	Multipart *MultipartResult
	Complete  *CompleteResult
}

// Usage is what a phase cost the machine.
type Usage struct {
	// Client is this process's CPU time (user+system, getrusage).
	Client time.Duration
	// Machine is the busy time of all CPUs together (/proc/stat).
	Machine time.Duration
	// Server is nil unless a server pid was given.
	Server *ServerUsage
}

// Others is the CPU time that neither the client nor the server used:
// other processes, and kernel threads such as writeback. ok is false
// without server figures.
func (u Usage) Others() (d time.Duration, ok bool) {
	if u.Server == nil {
		return 0, false
	}
	return max(u.Machine-u.Client-u.Server.CPU, 0), true
}

// ServerUsage is what the server process spent during a phase.
type ServerUsage struct {
	// CPU is the server's user+system time during the phase.
	CPU time.Duration
	// PeakRSS is the server's resident high-water mark (VmHWM) at the end
	// of the phase: the peak over its whole life so far.
	PeakRSS int64
	// RSS is its resident set at the end of the phase.
	RSS int64
}

// PhaseResult is one PUT or GET phase.
type PhaseResult struct {
	Op          Op
	Size        int64
	Concurrency int
	// Keys is how many distinct keys the phase wrote or read.
	Keys    int
	Elapsed time.Duration
	Ops     int64
	Bytes   int64
	// Errors counts failed operations; the first one ends the run.
	Errors  int64
	Latency LatencySummary
	Usage   Usage
}

// MiBps is the phase's throughput.
func (p PhaseResult) MiBps() float64 { return MiBPerSecond(p.Bytes, p.Elapsed) }

// OpsPerSecond is the phase's operation rate.
func (p PhaseResult) OpsPerSecond() float64 { return PerSecond(p.Ops, p.Elapsed) }

// MultipartResult is one multipart upload of a large object.
type MultipartResult struct {
	Size        int64
	PartSize    int64
	Parts       int
	Concurrency int
	// Elapsed runs from CreateMultipartUpload to the end of Complete.
	Elapsed time.Duration
	// UploadElapsed is the time the parts took.
	UploadElapsed time.Duration
	// PartLatency is UploadPart's latency.
	PartLatency LatencySummary
	// CompleteLatency is CompleteMultipartUpload's latency.
	CompleteLatency time.Duration
	// Usage covers the whole upload.
	Usage Usage
}

// MiBps is the upload's throughput, Complete included.
func (m MultipartResult) MiBps() float64 { return MiBPerSecond(m.Size, m.Elapsed) }

// CompleteResult is CompleteMultipartUpload and ListParts over an upload of
// many tiny parts.
type CompleteResult struct {
	Parts       int
	PartSize    int64
	Concurrency int
	// UploadElapsed is the time the parts took (setup, not the measure).
	UploadElapsed time.Duration
	// ListPartsElapsed is the time to list every part, page by page.
	ListPartsElapsed time.Duration
	// ListPartsPages is the latency of each ListParts page.
	ListPartsPages LatencySummary
	// CompleteLatency is CompleteMultipartUpload's latency.
	CompleteLatency time.Duration
	// Usage covers ListParts and Complete, not the part uploads.
	Usage Usage
}

// PutShareOfMD5 is the best PUT phase's MiB/s as a fraction of single-core
// MD5 throughput; ok is false without a PUT phase or an MD5 figure.
func (r *Report) PutShareOfMD5() (fraction float64, ok bool) {
	best := -1.0
	for _, p := range r.Phases {
		if p.Op == OpPut {
			best = max(best, p.MiBps())
		}
	}
	if best < 0 || r.MD5MiBps <= 0 {
		return 0, false
	}
	return best / r.MD5MiBps, true
}
