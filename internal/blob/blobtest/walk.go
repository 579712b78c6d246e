package blobtest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// walkCases check that Walk reports exactly the committed blobs.
var walkCases = []testCase{
	{"WalkEmpty", testWalkEmpty},
	{"WalkExactlyCommitted", testWalkExactlyCommitted},
	{"WalkStopsOnError", testWalkStopsOnError},
}

func testWalkEmpty(t *testing.T, s blob.Store) {
	if got := walkAll(t, s); len(got) != 0 {
		t.Fatalf("Walk of a new store = %v", got)
	}
}

func testWalkExactlyCommitted(t *testing.T, s blob.Store) {
	ctx := context.Background()
	want := map[s3.BlobID]int64{}
	for i := range 25 {
		id := s3.NewBlobID()
		size := i * 37
		put(t, s, id, randomBytes(uint64(30+i), size), 64)
		want[id] = int64(size)
	}
	// An open writer, an aborted one and a deleted blob are not listed.
	open, err := s.Create(ctx, s3.NewBlobID())
	if err != nil {
		t.Fatal(err)
	}
	defer open.Abort()
	writeChunks(t, open, randomBytes(1, 100), 100)
	aborted, err := s.Create(ctx, s3.NewBlobID())
	if err != nil {
		t.Fatal(err)
	}
	writeChunks(t, aborted, randomBytes(2, 100), 100)
	if err := aborted.Abort(); err != nil {
		t.Fatal(err)
	}
	deleted := s3.NewBlobID()
	put(t, s, deleted, []byte("deleted"), 10)
	if err := s.Delete(ctx, deleted); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, walkAll(t, s)); diff != "" {
		t.Fatalf("Walk (-want +got):\n%s", diff)
	}
}

func testWalkStopsOnError(t *testing.T, s blob.Store) {
	for i := range 5 {
		put(t, s, s3.NewBlobID(), randomBytes(uint64(i), 10), 10)
	}
	stop := errors.New("stop here")
	calls := 0
	err := s.Walk(context.Background(), func(blob.Info) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) {
		t.Errorf("Walk = %v, want the callback's error", err)
	}
	if calls != 1 {
		t.Errorf("Walk called fn %d times after it failed, want 1", calls)
	}
}
