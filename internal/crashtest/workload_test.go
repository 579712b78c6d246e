package crashtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// metaContent is the user metadata naming the body an object was written
// with; a GET checks that metadata and body belong together.
const metaContent = "crash-content"

// load is the traffic of one round against one server. Workers run op
// kinds drawn at random until the round ends; every write goes through the
// ledger, and every failure that a kill cannot explain is recorded.
type load struct {
	client   *s3.Client
	bucket   string
	keys     []string
	ledger   *ledger
	parts    *ledger // the parts of uploads, by partKey
	uploads  *uploads
	contents *contents
	versions *atomic.Uint64 // last content version handed out, across rounds

	// killed is set just before SIGKILL is sent: from then on a request
	// that gets no response is expected.
	killed atomic.Bool
	// aim is the kind of request the kill waits for ("" for none); once
	// aiming is set, workers favour that kind so that one is soon in flight.
	aim    string
	aiming atomic.Bool

	mu       sync.Mutex
	failures []string
	acked    map[string]int // successful operations per kind
	running  map[string]int // requests in flight per kind, for aimed kills
}

// An opKind is one kind of operation the workload issues. run performs one
// operation of the kind on keys it picks with rng, records its writes in
// the ledgers (each with the outcomes it may have if it is cut short) and
// reports failures to the load.
type opKind struct {
	name   string
	weight int
	run    func(ld *load, ctx context.Context, rng *rand.Rand)
}

// opKinds is the workload mix. The multipart kinds (multipart_ops_test.go)
// are weighted so that uploads are created about as fast as they end.
func opKinds() []opKind {
	return []opKind{
		{"put", 50, (*load).put},
		{"delete", 12, (*load).delete},
		{"copy", 12, (*load).copy},
		{"get", 10, (*load).get},
		{"create upload", 6, (*load).createUpload},
		{"part", 16, (*load).uploadPart},
		{"part copy", 5, (*load).uploadPartCopy},
		{"complete", 9, (*load).complete},
		{"abort", 2, (*load).abort},
	}
}

// work runs random operations until ctx is done.
func (ld *load) work(ctx context.Context, rng *rand.Rand) {
	kinds := opKinds()
	total := 0
	var aimed *opKind
	for i, k := range kinds {
		total += k.weight
		if k.name == ld.aim {
			aimed = &kinds[i]
		}
	}
	for ctx.Err() == nil {
		if aimed != nil && ld.aiming.Load() && rng.IntN(2) == 0 {
			aimed.run(ld, ctx, rng)
			continue
		}
		n := rng.IntN(total)
		for _, k := range kinds {
			if n < k.weight {
				k.run(ld, ctx, rng)
				break
			}
			n -= k.weight
		}
	}
}

func (ld *load) pickKey(rng *rand.Rand) string { return ld.keys[rng.IntN(len(ld.keys))] }

// fixed is the outcomes of a write that can only leave one state.
func fixed(s state) func(*walk, *write) []state {
	return func(*walk, *write) []state { return []state{s} }
}

// put writes a new body to a key, creating or overwriting it.
func (ld *load) put(ctx context.Context, rng *rand.Rand) {
	key := ld.pickKey(rng)
	id := contentID{Key: key, Version: ld.versions.Add(1)}
	body, etag := ld.contents.body(id)
	w := ld.ledger.begin("put", key, fmt.Sprintf("of %s (%d bytes)", id, len(body)), fixed(present(id)))
	out, err := ld.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        &ld.bucket,
		Key:           &key,
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		Metadata:      map[string]string{metaContent: id.String()},
	})
	if err != nil {
		ld.failed(w.String(), err)
		return
	}
	ld.ledger.acknowledge(w, present(id))
	ld.done("put")
	if got := unquote(out.ETag); got != etag {
		ld.fail("%s: ETag %q, want %q", w, got, etag)
	}
}

// delete deletes a key, present or not.
func (ld *load) delete(ctx context.Context, rng *rand.Rand) {
	key := ld.pickKey(rng)
	w := ld.ledger.begin("delete", key, "", fixed(absent))
	if _, err := ld.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &ld.bucket, Key: &key}); err != nil {
		ld.failed(w.String(), err)
		return
	}
	ld.ledger.acknowledge(w, absent)
	ld.done("delete")
}

// copy makes one key a copy of another: a metadata-only write whose new
// record shares the source's extents.
func (ld *load) copy(ctx context.Context, rng *rand.Rand) {
	src, dst := ld.pickKey(rng), ld.pickKey(rng)
	if src == dst {
		return
	}
	w := ld.ledger.begin("copy", dst, "from "+src, copyOutcomes(src))
	out, err := ld.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:     &ld.bucket,
		Key:        &dst,
		CopySource: aws.String(ld.bucket + "/" + src),
	})
	if err != nil {
		if hasCode(err, "NoSuchKey") {
			// The source was absent: the copy changed nothing.
			ld.ledger.withdraw(w)
			ld.done("copy of a missing source")
			return
		}
		ld.failed(w.String(), err)
		return
	}
	var etag string
	if out.CopyObjectResult != nil {
		etag = unquote(out.CopyObjectResult.ETag)
	}
	ids := ld.contents.byETag(etag)
	if len(ids) == 0 {
		ld.ledger.withdraw(w)
		ld.fail("%s: acknowledged with ETag %q, which is no body this test wrote", w, etag)
		return
	}
	// Uploads completed from the same leaves share an ETag: the copy
	// copied the one the source may have held.
	cs := ld.ledger.possibleDuring(src, w.Start, ld.ledger.now())
	i := slices.IndexFunc(ids, func(id contentID) bool { return slices.Contains(states(cs), present(id)) })
	ld.ledger.acknowledge(w, present(ids[max(i, 0)]))
	ld.done("copy")
	if i < 0 {
		ld.fail("%s: copied %v, which %s never held while the copy ran; it may have held:\n%s", w, ids, src, describe(cs))
	}
}

// copyOutcomes is what a copy from src left if it was cut short: any body
// src held while the copy ran, which for a copy never acknowledged means
// from its start on. An absent source makes the copy a no-op, which the
// other writes to the key already account for.
func copyOutcomes(src string) func(*walk, *write) []state {
	return func(wk *walk, self *write) []state {
		var out []state
		for _, c := range wk.during(src, self.Start, never) {
			if c.State.Present {
				out = append(out, c.State)
			}
		}
		return out
	}
}

// get reads a key under load and checks that what it read is whole and is
// one of the states the key held while the read ran.
func (ld *load) get(ctx context.Context, rng *rand.Rand) {
	key := ld.pickKey(rng)
	from := ld.ledger.now()
	r := readKey(ctx, ld.client, ld.bucket, key, ld.contents)
	to := ld.ledger.now()
	switch {
	case r.Err != nil:
		ld.failed("get "+key, r.Err)
	case r.Problem != "":
		ld.fail("get %s under load: %s", key, r.Problem)
	default:
		ld.done("get")
		if cs := ld.ledger.possibleDuring(key, from, to); !slices.Contains(states(cs), r.State) {
			ld.fail("get %s under load read %s, which the key never held while the read ran; it may have held:\n%s%s",
				key, r.State, describe(cs), ld.ledger.history(key))
		}
	}
}

// failed handles an operation that returned err. A transport failure after
// the kill is expected, and so is a response cut short (a Complete answers
// 200 at once and its result later); an error response, or any failure
// before the kill, is a server bug. The operation stays unacknowledged
// either way: it may or may not have taken effect.
func (ld *load) failed(op string, err error) {
	var ae smithy.APIError
	if ld.killed.Load() && (errNoResponse(err) || !errors.As(err, &ae)) {
		return
	}
	how := "with an error response"
	if errNoResponse(err) {
		how = "without a response before the kill"
	}
	ld.fail("%s failed %s: %v", op, how, err)
}

func (ld *load) fail(format string, args ...any) {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	ld.failures = append(ld.failures, fmt.Sprintf(format, args...))
}

// send counts a request of the kind as in flight until the returned func
// is called, as soon as its response (or failure) is in.
func (ld *load) send(kind string) (received func()) {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	ld.running[kind]++
	return func() {
		ld.mu.Lock()
		defer ld.mu.Unlock()
		ld.running[kind]--
	}
}

// inFlight counts the requests of a kind in flight.
func (ld *load) inFlight(kind string) int {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	return ld.running[kind]
}

func (ld *load) done(kind string) {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	ld.acked[kind]++
}

// summary counts the acknowledged operations by kind.
func (ld *load) summary() string {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	var parts []string
	for k, n := range ld.acked {
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

func unquote(p *string) string { return strings.Trim(aws.ToString(p), `"`) }

// hasCode reports whether err is an S3 error response with that code.
func hasCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}
