package metatest

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// testMultipartConcurrency has workers put parts into one upload, many
// replacing each other, while another goroutine completes it over an
// existing object. Afterwards, with the dead extents released, every
// blob's count must equal the number of extents that reference it.
func testMultipartConcurrency(t *testing.T, s *suite) {
	st := s.store(t)
	const workers, rounds = 8, 6
	blobs := newBlobs(workers*rounds + 2)
	held := blobs[workers*rounds:]
	createUploads(t, st, fullUpload("b", "k", "u"), fullUpload("b", "other", "w"))
	putObjects(t, st, held[:1], fullObject("b", "k", held[0].ID))
	putParts(t, st, held[1:], newPart("w", 1, held[1].ID))

	var puts atomic.Int32
	var failures atomic.Int32
	fail := func(format string, args ...any) {
		failures.Add(1)
		t.Errorf(format, args...)
	}
	runConcurrently(workers+1, func(w int) {
		ctx := ctxTimeout(t)
		if w == workers {
			// Complete once about half the parts are in.
			for puts.Load() < workers*rounds/2 && ctx.Err() == nil {
				time.Sleep(time.Millisecond)
			}
			err := st.Update(ctx, func(tx meta.Tx) error {
				_, _, err := completeParts(tx, completion("u", "b", "k"), fullObject("b", "k"), nil)
				return err
			})
			if err != nil {
				fail("CompleteUpload: %v", err)
			}
			return
		}
		for r := range rounds {
			i := w*rounds + r
			b := blobs[i]
			err := st.Update(ctx, func(tx meta.Tx) error {
				if err := tx.AddBlobs(b); err != nil {
					return err
				}
				// Five part numbers for all: most puts replace a part.
				_, err := tx.PutPart(newPart("u", 1+i%5, b.ID, b.ID))
				return err
			})
			if err != nil && !errors.Is(err, meta.ErrNotFound) {
				fail("PutPart %d: %v", i, err)
			}
			puts.Add(1)
		}
	})
	if failures.Load() > 0 {
		return
	}
	_, err := getUpload(t, st, "u")
	wantErr(t, "GetUpload after CompleteUpload", err, meta.ErrNotFound)
	for release(t, st, 1000) > 0 {
	}
	checkRefsByWalk(t, st, "b", blobIDs(blobs))
}

// checkRefsByWalk counts the extents of every object and every upload's
// parts in bucket and fails t unless each blob among ids has that many
// references (an unknown blob counts as none).
func checkRefsByWalk(t *testing.T, st meta.Store, bucket string, ids []s3.BlobID) {
	t.Helper()
	count := make(map[s3.BlobID]int64)
	view(t, st, func(tx meta.ReadTx) error {
		objs, err := tx.ListObjects(meta.ObjectRange{Bucket: bucket, Limit: 1000})
		if err != nil {
			return err
		}
		for _, o := range objs {
			full, err := tx.GetObject(bucket, o.Key)
			if err != nil {
				return err
			}
			for _, e := range full.Extents {
				count[e.Blob]++
			}
		}
		ups, err := tx.ListUploads(meta.UploadRange{Bucket: bucket, Limit: 1000})
		if err != nil {
			return err
		}
		for _, u := range ups {
			for _, p := range listParts(t, tx, u.ID, 0, 0, true) {
				for _, e := range p.Extents {
					count[e.Blob]++
				}
			}
		}
		return nil
	})
	refs := blobRefs(t, st, ids...)
	for _, id := range ids {
		if got, known := refs[id]; got != count[id] || (!known && count[id] > 0) {
			t.Errorf("blob %s has %d references (known %v), but %d extents name it", id, got, known, count[id])
		}
	}
}
