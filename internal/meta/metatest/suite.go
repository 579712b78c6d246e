// Package metatest is the conformance suite for meta.Store implementations.
//
// Every implementation's tests call Run with a function that opens an empty
// store; Run exercises every contract of package meta as subtests, in
// parallel, each on its own store:
//
//	func TestConformance(t *testing.T) {
//		metatest.Run(t, func(t *testing.T) meta.Store { return openEmpty(t) },
//			metatest.WithReopen(reopen))
//	}
//
// Records are compared with nil and empty maps and slices treated alike,
// and times with time.Time.Equal, since implementations may normalise both;
// only extra checksums, which the records promise nil when there are none,
// must read back nil when stored empty.
// Update functions report problems by returning errors, never with t.Fatal,
// since a store may run them on another goroutine (a group-commit writer);
// View functions are assumed to run on the caller's.
package metatest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// Option configures Run.
type Option func(*suite)

// WithReopen enables the durability tests for stores that persist: reopen
// MUST return a new store over the same data as closed, which the suite has
// closed.
func WithReopen(reopen func(t *testing.T, closed meta.Store) meta.Store) Option {
	return func(s *suite) { s.reopen = reopen }
}

// WithLargeUploadParts sets how many parts the large-upload test puts and
// completes, s3.MaxPartNumber unless set. Every part costs a few
// statements, ten times slower under the race detector, where a smaller
// number keeps the suite quick; n MUST divide by 10.
func WithLargeUploadParts(n int) Option {
	return func(s *suite) { s.largeParts = n }
}

// WithPagedUploads sets how many uploads the ListUploads paging test pages
// through, 2,500 unless set; like WithLargeUploadParts, for the race
// detector.
func WithPagedUploads(n int) Option {
	return func(s *suite) { s.pagedUploads = n }
}

// suite is one Run's configuration.
type suite struct {
	open         func(t *testing.T) meta.Store
	reopen       func(t *testing.T, closed meta.Store) meta.Store
	largeParts   int
	pagedUploads int
}

// Run runs the conformance suite. open MUST return an empty store; the
// suite closes every store it opens.
func Run(t *testing.T, open func(t *testing.T) meta.Store, opts ...Option) {
	s := &suite{open: open, largeParts: s3.MaxPartNumber, pagedUploads: 2500}
	for _, o := range opts {
		o(s)
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s *suite)
	}{
		{"Users", testUsers},
		{"AccessKeys", testAccessKeys},
		{"Buckets", testBuckets},
		{"ObjectRoundTrip", testObjectRoundTrip},
		{"ObjectLargeLists", testObjectLargeLists},
		{"ObjectReplaceDelete", testObjectReplaceDelete},
		{"ObjectTags", testObjectTags},
		{"ObjectBuckets", testObjectBuckets},
		{"ListObjectsOrder", testListObjectsOrder},
		{"ListObjectsRanges", testListObjectsRanges},
		{"ListObjectsPages", testListObjectsPages},
		{"ListObjectsFields", testListObjectsFields},
		{"BucketIsEmpty", testBucketIsEmpty},
		{"RefsPutReplaceRelease", testRefsPutReplaceRelease},
		{"RefsGone", testRefsGone},
		{"RefsSameCall", testRefsSameCall},
		{"RefsSharedExtents", testRefsSharedExtents},
		{"RefsForgetOnlyGarbage", testRefsForgetOnlyGarbage},
		{"RefsAddExisting", testRefsAddExisting},
		{"DeadQueueLimit", testDeadQueueLimit},
		{"DeadQueueInline", testDeadQueueInline},
		{"GarbageLimit", testGarbageLimit},
		{"UploadRoundTrip", testUploadRoundTrip},
		{"ListParts", testListParts},
		{"ListUploads", testListUploads},
		{"ListUploadsPages", testListUploadsPages},
		{"ExpiredUploads", testExpiredUploads},
		{"PutPartUnknownUpload", testPutPartUnknownUpload},
		{"PutPartReplace", testPutPartReplace},
		{"DeleteUpload", testDeleteUpload},
		{"CompleteUpload", testCompleteUpload},
		{"CompleteUploadLarge", testCompleteUploadLarge},
		{"DeleteBucketUploads", testDeleteBucketUploads},
		{"BucketConfigs", testBucketConfigs},
		{"DeleteCompletions", testDeleteCompletions},
		{"ExtraChecksumsObjects", testExtraChecksumsObjects},
		{"ExtraChecksumsParts", testExtraChecksumsParts},
		{"ExtraChecksumsCompletion", testExtraChecksumsCompletion},
		{"MultipartConcurrency", testMultipartConcurrency},
		{"UpdateErrorRollsBack", testUpdateErrorRollsBack},
		{"UpdateConcurrentFailures", testUpdateConcurrentFailures},
		{"UpdatePanic", testUpdatePanic},
		{"UpdateCancelled", testUpdateCancelled},
		{"Concurrency", testConcurrency},
		{"ReadModifyWrite", testReadModifyWrite},
		{"ViewSnapshot", testViewSnapshot},
		{"Durability", testDurability},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, s)
		})
	}
}

// store opens an empty store that is closed when t ends.
func (s *suite) store(t *testing.T) meta.Store {
	t.Helper()
	st := s.open(t)
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st
}

// diff compares records as the package comment says.
func diff(want, got any) string { return cmp.Diff(want, got, cmpopts.EquateEmpty()) }

// diffObject is diff for objects, comparing the possibly long extent and
// part lists directly: cmp takes seconds over 10,000 elements under -race.
func diffObject(want, got meta.Object) string {
	if i := firstDifference(want.Extents, got.Extents); i >= 0 {
		return fmt.Sprintf("extents of %d and %d elements differ at %d", len(want.Extents), len(got.Extents), i)
	}
	if i := firstDifference(want.Parts, got.Parts); i >= 0 {
		return fmt.Sprintf("parts of %d and %d elements differ at %d", len(want.Parts), len(got.Parts), i)
	}
	want.Extents, want.Parts, got.Extents, got.Parts = nil, nil, nil, nil
	return diff(want, got)
}

// firstDifference returns the first index where a and b differ, or -1.
func firstDifference[T comparable](a, b []T) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

func update(t *testing.T, s meta.Store, fn func(tx meta.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s meta.Store, fn func(tx meta.ReadTx) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantErr fails t unless err matches target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want %v", what, err, target)
	}
}

// errBoom is the error test functions fail with.
var errBoom = errors.New("metatest: boom")

// when is a timestamp with nanoseconds in a zone other than UTC, to check
// that times keep their instant to the nanosecond.
var when = time.Date(2026, 11, 23, 17, 4, 5, 123456789, time.FixedZone("CET", 3600))

// ctxTimeout bounds waits that would hang on a broken store.
func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
