package blobtest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/s3"
)

func isNotFound(err error) bool { return errors.Is(err, blob.ErrNotFound) }

// lifecycleCases check Create, Commit, Abort, Stat and Delete.
var lifecycleCases = []testCase{
	{"RoundTrip", testRoundTrip},
	{"EmptyBlob", testEmptyBlob},
	{"NotFound", testNotFound},
	{"InvisibleBeforeCommit", testInvisibleBeforeCommit},
	{"AbortDiscards", testAbortDiscards},
	{"AbortAfterCommitIsNoop", testAbortAfterCommit},
	{"AbortTwice", testAbortTwice},
	{"CreateExisting", testCreateExisting},
	{"CommitRaceSameID", testCommitRaceSameID},
	{"WriterCopiesInput", testWriterCopiesInput},
	{"Delete", testDelete},
	{"DeleteMissing", testDeleteMissing},
}

func testRoundTrip(t *testing.T, s blob.Store) {
	id := s3.NewBlobID()
	data := randomBytes(1, 100_000)
	put(t, s, id, data, 4096)
	mustHave(t, s, id, data)
	if got := walkAll(t, s); len(got) != 1 || got[id] != int64(len(data)) {
		t.Fatalf("Walk = %v, want only %s of %d bytes", got, id, len(data))
	}
	if err := s.Delete(context.Background(), id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustBeAbsent(t, s, id)
}

func testEmptyBlob(t *testing.T, s blob.Store) {
	ctx := context.Background()
	id := s3.NewBlobID()
	w, err := s.Create(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatalf("Commit of an empty blob: %v", err)
	}
	mustHave(t, s, id, nil)
	if _, err := s.Open(ctx, id, 0, 1); !errors.Is(err, blob.ErrRange) {
		t.Errorf("Open(0, 1) of an empty blob = %v, want ErrRange", err)
	}
	if got := walkAll(t, s); len(got) != 1 || got[id] != 0 {
		t.Errorf("Walk = %v, want only %s of 0 bytes", got, id)
	}
}

func testNotFound(t *testing.T, s blob.Store) {
	ctx := context.Background()
	id := s3.NewBlobID()
	put(t, s, s3.NewBlobID(), []byte("another blob"), 100) // the store is not empty
	if _, err := s.Stat(ctx, id); !isNotFound(err) {
		t.Errorf("Stat = %v, want ErrNotFound", err)
	}
	for _, rng := range [][2]int64{{0, 0}, {0, 10}, {5, 1}, {1 << 40, 1}} {
		if r, err := s.Open(ctx, id, rng[0], rng[1]); !isNotFound(err) {
			if err == nil {
				r.Close()
			}
			t.Errorf("Open(%d, %d) of a missing blob = %v, want ErrNotFound", rng[0], rng[1], err)
		}
	}
}

func testInvisibleBeforeCommit(t *testing.T, s blob.Store) {
	ctx := context.Background()
	id := s3.NewBlobID()
	data := randomBytes(2, 10_000)
	w, err := s.Create(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	mustBeAbsent(t, s, id)
	writeChunks(t, w, data, 3000)
	mustBeAbsent(t, s, id)
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	mustHave(t, s, id, data)
}

func testAbortDiscards(t *testing.T, s blob.Store) {
	ctx := context.Background()
	id := s3.NewBlobID()
	w, err := s.Create(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	writeChunks(t, w, randomBytes(3, 5000), 1000)
	if err := w.Abort(); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	mustBeAbsent(t, s, id)
	// The ID is free again.
	data := randomBytes(4, 777)
	put(t, s, id, data, 100)
	mustHave(t, s, id, data)
}

func testAbortAfterCommit(t *testing.T, s blob.Store) {
	ctx := context.Background()
	id := s3.NewBlobID()
	data := randomBytes(5, 4096)
	w, err := s.Create(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	writeChunks(t, w, data, 4096)
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatalf("Abort after Commit: %v", err)
	}
	mustHave(t, s, id, data)
}

func testAbortTwice(t *testing.T, s blob.Store) {
	w, err := s.Create(context.Background(), s3.NewBlobID())
	if err != nil {
		t.Fatal(err)
	}
	writeChunks(t, w, []byte("x"), 1)
	for i := range 2 {
		if err := w.Abort(); err != nil {
			t.Fatalf("Abort #%d: %v", i+1, err)
		}
	}
	if got := walkAll(t, s); len(got) != 0 {
		t.Fatalf("Walk after Abort = %v, want nothing", got)
	}
}

func testCreateExisting(t *testing.T, s blob.Store) {
	ctx := context.Background()
	id := s3.NewBlobID()
	data := randomBytes(6, 1234)
	put(t, s, id, data, 1000)
	if w, err := s.Create(ctx, id); !errors.Is(err, blob.ErrExists) {
		if err == nil {
			w.Abort()
		}
		t.Fatalf("Create of a committed ID = %v, want ErrExists", err)
	}
	mustHave(t, s, id, data)
	// After Delete the ID can be written again.
	if err := s.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	data2 := randomBytes(7, 99)
	put(t, s, id, data2, 1000)
	mustHave(t, s, id, data2)
}

// testCommitRaceSameID: of two writers of one ID, the first to commit wins
// and the second sees ErrExists; the blob holds the winner's bytes.
func testCommitRaceSameID(t *testing.T, s blob.Store) {
	ctx := context.Background()
	id := s3.NewBlobID()
	first, second := randomBytes(8, 3000), randomBytes(9, 5000)
	w1, err := s.Create(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	w2, err := s.Create(ctx, id)
	if err != nil {
		t.Fatalf("second Create before any Commit: %v", err)
	}
	writeChunks(t, w1, first, 1000)
	writeChunks(t, w2, second, 1000)
	if err := w1.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w2.Commit(ctx); !errors.Is(err, blob.ErrExists) {
		t.Fatalf("second Commit = %v, want ErrExists", err)
	}
	if err := w2.Abort(); err != nil {
		t.Fatalf("Abort after failed Commit: %v", err)
	}
	mustHave(t, s, id, first)
	if got := walkAll(t, s); len(got) != 1 {
		t.Fatalf("Walk = %v, want one blob", got)
	}
}

func testWriterCopiesInput(t *testing.T, s blob.Store) {
	ctx := context.Background()
	id := s3.NewBlobID()
	buf := randomBytes(10, 512)
	want := bytes.Clone(buf)
	w, err := s.Create(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	writeChunks(t, w, buf, len(buf))
	clear(buf) // callers reuse their buffers
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	mustHave(t, s, id, want)
}

func testDelete(t *testing.T, s blob.Store) {
	ctx := context.Background()
	keep, gone := s3.NewBlobID(), s3.NewBlobID()
	keepData := randomBytes(11, 300)
	put(t, s, keep, keepData, 100)
	put(t, s, gone, randomBytes(12, 300), 100)
	for i := range 2 {
		if err := s.Delete(ctx, gone); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
	}
	mustBeAbsent(t, s, gone)
	mustHave(t, s, keep, keepData)
}

func testDeleteMissing(t *testing.T, s blob.Store) {
	if err := s.Delete(context.Background(), s3.NewBlobID()); err != nil {
		t.Fatalf("Delete of a missing blob = %v, want nil", err)
	}
}
