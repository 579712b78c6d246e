package loadgen

import (
	"fmt"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// Op is what a run measures.
type Op string

// The operations a run can measure.
const (
	// OpPut writes objects for Duration.
	OpPut Op = "put"
	// OpGet reads Objects objects for Duration, creating those missing.
	OpGet Op = "get"
	// OpBoth is OpPut, then OpGet over the objects the PUT phase wrote.
	OpBoth Op = "both"
	// OpMultipart uploads one object of Size in parts of PartSize.
	OpMultipart Op = "multipart"
	// OpComplete uploads Parts tiny parts, then times ListParts over all of
	// them and CompleteMultipartUpload.
	OpComplete Op = "complete"
)

// Defaults for the fields of Config left zero.
const (
	DefaultPrefix            = "bench/"
	DefaultMultipartPartSize = 16 << 20
	DefaultTinyPartSize      = 1
	// md5Buffer is how much data the MD5 baseline hashes per round.
	md5Buffer = 64 << 20
	md5Rounds = 3
	// drainBuffer is each GET worker's reusable read buffer.
	drainBuffer = 256 << 10
)

// Config is one benchmark run.
type Config struct {
	Client ClientConfig
	Bucket string
	// Prefix starts every key the run writes; "" means DefaultPrefix.
	Prefix string
	Op     Op
	// Size is the object size (put, get, both) or the whole upload
	// (multipart).
	Size int64
	// PartSize is the part size of a multipart upload (default
	// DefaultMultipartPartSize) or the size of each tiny part of a
	// complete run (default DefaultTinyPartSize).
	PartSize int64
	// Parts is the number of parts of a complete run.
	Parts int
	// Concurrency is the number of requests in flight.
	Concurrency int
	// Duration is the length of each PUT and GET phase.
	Duration time.Duration
	// Objects bounds the keys a PUT phase writes: it cycles through
	// Objects keys, overwriting, so disk use stays bounded; 0 means a new
	// key for every PUT. For OpGet it is the number of objects read
	// (default 2 × Concurrency); those missing or of another size are
	// written first, untimed.
	Objects int
	// ServerPID, when not 0, is the server process whose CPU time and peak
	// RSS are reported (Linux /proc).
	ServerPID int
	// Cleanup deletes the objects the run wrote when it is done.
	Cleanup bool
	// Seed seeds the object data and the GET order; runs with the same
	// seed send the same bytes in the same order.
	Seed uint64

	// md5Size is how much the MD5 baseline hashes per round; 0 means
	// md5Buffer. Tests make it small.
	md5Size int
}

// withDefaults returns c with zero fields defaulted, or an error for a
// configuration that cannot run.
func (c Config) withDefaults() (Config, error) {
	if c.md5Size == 0 {
		c.md5Size = md5Buffer
	}
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if c.Bucket == "" {
		return c, fmt.Errorf("a bucket is required")
	}
	if c.Concurrency < 1 {
		return c, fmt.Errorf("concurrency %d: want at least 1", c.Concurrency)
	}
	if c.Objects < 0 {
		return c, fmt.Errorf("objects %d: want 0 or more", c.Objects)
	}
	switch c.Op {
	case OpPut, OpGet, OpBoth:
		if c.Size < 1 || c.Size > s3.MaxPutSize {
			return c, fmt.Errorf("size %s: want 1B to %s for a single PUT", Size(c.Size), Size(s3.MaxPutSize))
		}
		if c.Duration <= 0 {
			return c, fmt.Errorf("duration %s: want more than 0", c.Duration)
		}
		if c.Op == OpGet && c.Objects == 0 {
			c.Objects = 2 * c.Concurrency
		}
	case OpMultipart:
		if c.PartSize == 0 {
			c.PartSize = DefaultMultipartPartSize
		}
		if c.PartSize < 1 || c.PartSize > s3.MaxPartSize {
			return c, fmt.Errorf("part size %s: want 1B to %s", Size(c.PartSize), Size(s3.MaxPartSize))
		}
		if c.Size < 1 {
			return c, fmt.Errorf("size %s: want more than 0", Size(c.Size))
		}
		if n := partCount(c.Size, c.PartSize); n > s3.MaxPartNumber {
			return c, fmt.Errorf("%s in parts of %s is %d parts: at most %d are allowed", Size(c.Size), Size(c.PartSize), n, s3.MaxPartNumber)
		}
	case OpComplete:
		if c.PartSize == 0 {
			c.PartSize = DefaultTinyPartSize
		}
		if c.PartSize < 1 || c.PartSize > s3.MaxPartSize {
			return c, fmt.Errorf("part size %s: want 1B to %s", Size(c.PartSize), Size(s3.MaxPartSize))
		}
		if c.Parts < 1 || c.Parts > s3.MaxPartNumber {
			return c, fmt.Errorf("parts %d: want 1 to %d", c.Parts, s3.MaxPartNumber)
		}
	default:
		return c, fmt.Errorf("op %q: want put, get, both, multipart or complete", c.Op)
	}
	return c, nil
}

// partCount is how many parts of partSize make size bytes.
func partCount(size, partSize int64) int64 {
	return (size + partSize - 1) / partSize
}

// bufferSize is how much random data the run sends from: one object, or
// one part.
func (c Config) bufferSize() int64 {
	switch c.Op {
	case OpMultipart, OpComplete:
		return c.PartSize
	}
	return c.Size
}
