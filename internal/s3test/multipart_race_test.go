package s3test_test

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// The races of this file are the ones that lost data in other servers
// (s3-contract.md §4: MinIO #17858, Ceph PR #16732, SeaweedFS PR #5460 and
// #10663). Run them with -race.

// raceResult is one concurrent request's answer.
type raceResult struct {
	status int
	code   string
	result completeResult
}

// answer reduces a response to its status, error code and Complete result.
func answer(t testing.TB, r rawResponse) raceResult {
	out := raceResult{status: r.status}
	switch {
	case r.status == http.StatusOK && len(r.body) > 0:
		r.xmlBody(t, &out.result)
	case r.status >= 300:
		out.code = r.errorDoc(t).Code
	}
	return out
}

// concurrently runs each fn at once on its own goroutine and waits.
func concurrently(fns ...func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, fn := range fns {
		wg.Go(func() { <-start; fn() })
	}
	close(start)
	wg.Wait()
}

// TestMultipartConcurrentCompletes sends eight Completes of one upload at
// once: one commit, eight identical answers. With two different part lists
// in flight, one list wins and the other is NoSuchUpload.
func TestMultipartConcurrentCompletes(t *testing.T) {
	t.Parallel()
	faults, fm := withFaultyMeta()
	f := newFixtureWith(t, minPartSize(1), faults, quietGC())
	b := f.bucket(t)
	raw := pooledRaw(f)
	const n = 8
	for round := range 3 {
		key := fmt.Sprintf("same-%d", round)
		parts := sizedParts(1000, 1000, 10)
		id, etags := f.uploadParts(t, b, key, parts, nil)
		before := fm.completes.Load()
		results := make([]raceResult, n)
		fns := make([]func(), n)
		for i := range fns {
			fns[i] = func() {
				results[i] = answer(goroutineTB{t}, raw.do(goroutineTB{t}, rawRequest{method: http.MethodPost, path: objectPath(b, key), query: uploadQuery(id), body: completeBody(numbered(etags))}))
			}
		}
		concurrently(fns...)
		for i, r := range results {
			if r.status != http.StatusOK || r.result != results[0].result {
				t.Errorf("round %d, Complete %d: %+v, want %+v", round, i, r, results[0])
			}
		}
		if results[0].result.ETag != multipartETag(parts...) {
			t.Errorf("round %d: ETag %s", round, results[0].result.ETag)
		}
		if got := fm.completes.Load() - before; got != 1 {
			t.Errorf("round %d: %d Completes committed, want 1", round, got)
		}
		if got := f.get(t, b, key); !bytes.Equal(got, concat(parts...)) {
			t.Errorf("round %d: object damaged", round)
		}
	}

	// Two part lists race: the winner's list replays, the other is refused.
	parts := sizedParts(1000, 1000)
	id, etags := f.uploadParts(t, b, "lists", parts, nil)
	full, first := numbered(etags), numbered(etags[:1])
	results := make([]raceResult, n)
	fns := make([]func(), n)
	for i := range fns {
		list := full
		if i%2 == 1 {
			list = first
		}
		fns[i] = func() {
			results[i] = answer(goroutineTB{t}, raw.do(goroutineTB{t}, rawRequest{method: http.MethodPost, path: objectPath(b, "lists"), query: uploadQuery(id), body: completeBody(list)}))
		}
	}
	concurrently(fns...)
	want := concat(parts...)
	winner := 0
	if results[0].status != http.StatusOK {
		winner, want = 1, parts[0]
	}
	for i, r := range results {
		if i%2 == winner && r.status != http.StatusOK || i%2 != winner && r.code != "NoSuchUpload" {
			t.Errorf("Complete %d (list %d, winner %d): %+v", i, i%2, winner, r)
		}
	}
	f.collect(t)
	if got := f.get(t, b, "lists"); !bytes.Equal(got, want) {
		t.Errorf("object is %d bytes, want the winning list's %d", len(got), len(want))
	}
}

// TestMultipartUploadPartRacesComplete re-uploads a listed part and uploads
// a new one while Complete runs: the object is exactly the listed parts as
// they were, or Complete fails; a part never lands in a committed object.
func TestMultipartUploadPartRacesComplete(t *testing.T) {
	t.Parallel()
	faults, fm := withFaultyMeta()
	f := newFixtureWith(t, minPartSize(1), faults)
	b := f.bucket(t)
	raw := pooledRaw(f)
	for round := range 6 {
		key := fmt.Sprintf("race-%d", round)
		parts := sizedParts(1000, 1000, 1000)
		id, etags := f.uploadParts(t, b, key, parts, nil)
		var complete, reupload, extra raceResult
		concurrently(
			func() {
				complete = answer(goroutineTB{t}, raw.do(goroutineTB{t}, rawRequest{method: http.MethodPost, path: objectPath(b, key), query: uploadQuery(id), body: completeBody(numbered(etags))}))
			},
			func() {
				reupload = answer(goroutineTB{t}, raw.do(goroutineTB{t}, rawRequest{method: http.MethodPut, path: objectPath(b, key), query: partQuery(id, 2), body: payload(1000)}))
			},
			func() {
				extra = answer(goroutineTB{t}, raw.do(goroutineTB{t}, rawRequest{method: http.MethodPut, path: objectPath(b, key), query: partQuery(id, 4), body: payload(500)}))
			},
		)
		for _, r := range []raceResult{reupload, extra} {
			if r.status != http.StatusOK && r.code != "NoSuchUpload" {
				t.Errorf("round %d: UploadPart answered %+v", round, r)
			}
		}
		switch {
		case complete.status == http.StatusOK:
			if complete.result.ETag != multipartETag(parts...) {
				t.Errorf("round %d: ETag %s", round, complete.result.ETag)
			}
		case complete.code == "InvalidPart" && reupload.status == http.StatusOK:
			// The re-upload committed first: the listed ETag is stale.
			if f.exists(t, b, key) {
				t.Errorf("round %d: a refused Complete left an object", round)
			}
			continue
		default:
			t.Fatalf("round %d: Complete %+v, re-upload %+v", round, complete, reupload)
		}
		f.collect(t)
		if got := f.get(t, b, key); !bytes.Equal(got, concat(parts...)) {
			t.Fatalf("round %d: the committed object changed", round)
		}
	}

	// Deterministically: a part replaced between Complete's first look and
	// its commit makes the listed ETag stale.
	parts := sizedParts(1000, 1000)
	id, etags := f.uploadParts(t, b, "held", parts, nil)
	hold := fm.holdUpload(t, id, nil)
	done := make(chan rawResponse, 1)
	go func() { done <- f.complete(goroutineTB{t}, b, "held", id, numbered(etags), nil) }()
	<-hold.Reached()
	fresh := payload(1000)
	e2 := f.mustUploadPart(t, b, "held", id, 2, fresh, nil)
	hold.Release()
	e := (<-done).wantMPError(t, "InvalidPart", http.StatusBadRequest)
	if e.PartNumber != "2" {
		t.Errorf("InvalidPart names part %q", e.PartNumber)
	}
	f.mustComplete(t, b, "held", id, []partXML{{PartNumber: 1, ETag: etags[0]}, {PartNumber: 2, ETag: e2}}, nil)
	// After the commit, a part is refused and changes nothing.
	f.uploadPart(t, b, "held", id, 2, payload(1000), nil).wantError(t, "NoSuchUpload", http.StatusNotFound)
	f.collect(t)
	if got := f.get(t, b, "held"); !bytes.Equal(got, concat(parts[0], fresh)) {
		t.Error("object is not parts 1 and the new 2")
	}
}

// TestMultipartAbortRacesComplete races Abort with Complete: exactly one
// wins, and a completed object survives a later Abort and the collector.
func TestMultipartAbortRacesComplete(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, minPartSize(1))
	b := f.bucket(t)
	raw := pooledRaw(f)
	wins := map[string]int{}
	for round := range 8 {
		key := fmt.Sprintf("abort-%d", round)
		parts := sizedParts(1000, 700)
		id, etags := f.uploadParts(t, b, key, parts, nil)
		var complete, abort raceResult
		concurrently(
			func() {
				complete = answer(goroutineTB{t}, raw.do(goroutineTB{t}, rawRequest{method: http.MethodPost, path: objectPath(b, key), query: uploadQuery(id), body: completeBody(numbered(etags))}))
			},
			func() {
				// Staggered, so that both orders happen.
				time.Sleep(time.Duration(round) * 3 * time.Millisecond)
				abort = answer(goroutineTB{t}, raw.do(goroutineTB{t}, rawRequest{method: http.MethodDelete, path: objectPath(b, key), query: uploadQuery(id)}))
			},
		)
		f.collect(t)
		switch {
		case complete.status == http.StatusOK && abort.code == "NoSuchUpload":
			wins["complete"]++
			if got := f.get(t, b, key); !bytes.Equal(got, concat(parts...)) {
				t.Fatalf("round %d: object damaged by the losing Abort", round)
			}
		case abort.status == http.StatusNoContent && complete.code == "NoSuchUpload":
			wins["abort"]++
			if f.exists(t, b, key) {
				t.Fatalf("round %d: an aborted upload left an object", round)
			}
		default:
			t.Fatalf("round %d: Complete %+v, Abort %+v", round, complete, abort)
		}
	}
	t.Logf("wins: %v", wins)

	parts := sizedParts(1000, 10)
	id, etags := f.uploadParts(t, b, "then-abort", parts, nil)
	f.mustComplete(t, b, "then-abort", id, numbered(etags), nil)
	f.abort(t, b, "then-abort", id).wantError(t, "NoSuchUpload", http.StatusNotFound)
	f.collect(t)
	if got := f.get(t, b, "then-abort"); !bytes.Equal(got, concat(parts...)) {
		t.Error("Abort after Complete damaged the object")
	}
}

// TestMultipartSameKeyUploads runs two uploads of one key: they are
// independent, and the last Complete wins.
func TestMultipartSameKeyUploads(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, minPartSize(1))
	b := f.bucket(t)
	a, c := sizedParts(1000, 1), sizedParts(2000, 2)
	idA, _ := f.createUpload(t, b, "shared", nil)
	idC, _ := f.createUpload(t, b, "shared", nil)
	var etagsA, etagsC []string
	for i := range 2 {
		etagsA = append(etagsA, f.mustUploadPart(t, b, "shared", idA, i+1, a[i], nil))
		etagsC = append(etagsC, f.mustUploadPart(t, b, "shared", idC, i+1, c[i], nil))
	}
	f.mustComplete(t, b, "shared", idC, numbered(etagsC), nil)
	if got := f.get(t, b, "shared"); !bytes.Equal(got, concat(c...)) {
		t.Fatal("object is not the first completed upload")
	}
	lp, _ := f.listParts(t, b, "shared", idA, "")
	if len(lp.Parts) != 2 || lp.Parts[1].ETag != etagsA[1] {
		t.Fatalf("the other upload's parts: %+v", lp.Parts)
	}
	r := f.mustComplete(t, b, "shared", idA, numbered(etagsA), nil)
	f.collect(t)
	if got := f.get(t, b, "shared"); !bytes.Equal(got, concat(a...)) || r.ETag != multipartETag(a...) {
		t.Fatal("the last Complete did not win")
	}

	// Completed at once, the object is one of the two, whole.
	idA, etagsA = f.uploadParts(t, b, "both", a, nil)
	idC, etagsC = f.uploadParts(t, b, "both", c, nil)
	var ra, rc rawResponse
	concurrently(
		func() { ra = f.complete(goroutineTB{t}, b, "both", idA, numbered(etagsA), nil) },
		func() { rc = f.complete(goroutineTB{t}, b, "both", idC, numbered(etagsC), nil) },
	)
	ra.wantStatus(t, http.StatusOK)
	rc.wantStatus(t, http.StatusOK)
	f.collect(t)
	got := f.get(t, b, "both")
	if !bytes.Equal(got, concat(a...)) && !bytes.Equal(got, concat(c...)) {
		t.Errorf("object of %d bytes is neither upload", len(got))
	}
}
