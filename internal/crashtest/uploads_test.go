package crashtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Multipart workload shape.
const (
	// maxOpenUploads bounds the uploads in progress: creation pauses above it.
	maxOpenUploads = 10
	// maxPartNumber is the highest part number the workload uses; parts
	// overwrite each other often.
	maxPartNumber = 5
	// maxReplays is how many completed uploads are kept for replays.
	maxReplays = 32
)

// An uploadStatus is what the test knows of an upload.
type uploadStatus int

const (
	// uploadOpen: never completed nor aborted, as far as the test knows.
	uploadOpen uploadStatus = iota
	// uploadEnding: a Complete or Abort was sent and is not acknowledged.
	uploadEnding
	// uploadDone: completed or aborted, acknowledged or confirmed.
	uploadDone
)

// upload is a multipart upload the workload created, tracked from round to
// round until it is completed or aborted.
type upload struct {
	ID  string
	Key string
	// Label is the upload's user metadata and the contentID of the body it
	// completes into.
	Label contentID
	Alg   types.ChecksumAlgorithm
	Type  types.ChecksumType // "" for the algorithm's default

	// busy lets parts and part copies of the upload run together (read
	// lock) and a Complete or Abort run alone (write lock), so that a part
	// list read under the write lock stays true until the Complete.
	busy sync.RWMutex

	// Guarded by the registry's mutex.
	status uploadStatus
	end    *ending
}

func (u *upload) String() string {
	return fmt.Sprintf("upload %s of %s (label %s, %s)", u.ID, u.Key, u.Label, checksumMode{u.Alg, u.Type})
}

// ending is the Complete or Abort sent for an upload.
type ending struct {
	Kind  string // "complete" or "abort"
	Parts []types.CompletedPart
	ETag  string // the completed object's
	Acked bool
}

// pendingCreate is a CreateMultipartUpload never acknowledged: after the
// restart an upload the test does not know may be listed for its key.
type pendingCreate struct {
	Key   string
	Label contentID
	Alg   types.ChecksumAlgorithm
	Type  types.ChecksumType
}

// uploads is the registry of the workload's uploads. Safe for concurrent
// use.
type uploads struct {
	mu sync.Mutex
	// live are the uploads open or ending.
	live []*upload
	// creates are this round's creates in flight.
	creates []*pendingCreate
	// ended are the uploads whose Complete or Abort was acknowledged this
	// round.
	ended []*upload
	// completed are the last uploads known to be completed, for replays.
	completed []*upload
}

func newUploads() *uploads { return &uploads{} }

// openCount counts the uploads open or ending and the creates in flight.
func (r *uploads) openCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.live) + len(r.creates)
}

// beginCreate records a create about to be sent.
func (r *uploads) beginCreate(pc *pendingCreate) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.creates = append(r.creates, pc)
}

// created records that the create pc was acknowledged with upload ID id.
func (r *uploads) created(pc *pendingCreate, id string) *upload {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.creates = slices.DeleteFunc(r.creates, func(x *pendingCreate) bool { return x == pc })
	u := &upload{ID: id, Key: pc.Key, Label: pc.Label, Alg: pc.Alg, Type: pc.Type}
	r.live = append(r.live, u)
	return u
}

// pick returns a random open upload with its busy lock taken: alone (for a
// Complete or Abort, which then marks it ending) or shared (for parts). It
// returns nil if every open upload is busy the other way.
func (r *uploads) pick(rng *rand.Rand, alone bool) *upload {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.live)
	if n == 0 {
		return nil
	}
	start := rng.IntN(n)
	for i := range n {
		u := r.live[(start+i)%n]
		if u.status != uploadOpen {
			continue
		}
		if alone && u.busy.TryLock() {
			return u
		}
		if !alone && u.busy.TryRLock() {
			return u
		}
	}
	return nil
}

// beginEnd records that e is about to be sent for u, which the caller
// holds alone.
func (r *uploads) beginEnd(u *upload, e *ending) {
	r.mu.Lock()
	defer r.mu.Unlock()
	u.status, u.end = uploadEnding, e
}

// acknowledgeEnd records that u's Complete or Abort succeeded.
func (r *uploads) acknowledgeEnd(u *upload) {
	r.mu.Lock()
	defer r.mu.Unlock()
	u.end.Acked = true
	r.finishLocked(u)
	r.ended = append(r.ended, u)
}

// reopen records that u's Complete or Abort did not happen.
func (r *uploads) reopen(u *upload) {
	r.mu.Lock()
	defer r.mu.Unlock()
	u.status, u.end = uploadOpen, nil
}

// finish records that u's Complete or Abort happened.
func (r *uploads) finish(u *upload) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finishLocked(u)
}

func (r *uploads) finishLocked(u *upload) {
	u.status = uploadDone
	r.live = slices.DeleteFunc(r.live, func(x *upload) bool { return x == u })
	if u.end.Kind == "complete" {
		r.completed = append(r.completed, u)
		if len(r.completed) > maxReplays {
			r.completed = r.completed[1:]
		}
	}
}

// adopt tracks an upload found after the restart that a create in flight
// made.
func (r *uploads) adopt(pc *pendingCreate, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.live = append(r.live, &upload{ID: id, Key: pc.Key, Label: pc.Label, Alg: pc.Alg, Type: pc.Type})
}

// pickCompleted returns a random completed upload, or nil.
func (r *uploads) pickCompleted(rng *rand.Rand) *upload {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.completed) == 0 {
		return nil
	}
	return r.completed[rng.IntN(len(r.completed))]
}

// round returns, for the checks after a restart, the live uploads, the
// creates in flight and the uploads ended this round, and forgets the
// last two: the checks settle them.
func (r *uploads) round() (live []*upload, creates []*pendingCreate, ended []*upload) {
	r.mu.Lock()
	defer r.mu.Unlock()
	live, creates, ended = slices.Clone(r.live), r.creates, r.ended
	r.creates, r.ended = nil, nil
	return live, creates, ended
}

// endingOf returns u's status and ending.
func (r *uploads) endingOf(u *upload) (uploadStatus, *ending) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return u.status, u.end
}

// partKey names part n of upload id in the parts ledger.
func partKey(id string, n int) string { return id + "#" + strconv.Itoa(n) }

// partSize is the length of a new part: mostly a few KiB, sometimes a few
// hundred, now and then over 5 MiB (the server takes parts of any size but
// the last, for it runs with --min-part-size 1).
func partSize(rng *rand.Rand) int64 {
	switch n := rng.IntN(25); {
	case n == 0:
		return 5<<20 + rng.Int64N(1<<20)
	case n < 7:
		return 100<<10 + rng.Int64N(900<<10)
	default:
		return 1<<10 + rng.Int64N(63<<10)
	}
}

// checksumModes are the checksum algorithms and types uploads are created
// with. None (the server then keeps a CRC64NVME per part) is the only mode
// that lets a Complete skip part numbers: with a checksum the parts must be
// numbered 1, 2, 3... Explicit CRC64NVME is left out: the SDK computes it
// in pure Go, which the race detector slows a hundredfold.
func checksumModes() []checksumMode {
	return []checksumMode{
		{"", ""}, // twice as likely as any other
		{"", ""},
		{types.ChecksumAlgorithmCrc32, ""},
		{types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmCrc32c, types.ChecksumTypeComposite},
		{types.ChecksumAlgorithmSha256, ""},
		{types.ChecksumAlgorithmSha1, ""},
	}
}

// checksumMode is an upload's x-amz-checksum-algorithm and -type.
type checksumMode struct {
	Alg  types.ChecksumAlgorithm
	Type types.ChecksumType
}

func (m checksumMode) String() string {
	switch {
	case m.Alg == "":
		return "no checksum"
	case m.Type == "":
		return string(m.Alg)
	}
	return string(m.Alg) + " " + string(m.Type)
}
