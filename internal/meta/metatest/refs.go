package metatest

import (
	"slices"
	"testing"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

func blobRefs(t *testing.T, st meta.Store, ids ...s3.BlobID) map[s3.BlobID]int64 {
	t.Helper()
	var refs map[s3.BlobID]int64
	view(t, st, func(tx meta.ReadTx) (err error) {
		refs, err = tx.BlobRefs(ids)
		return err
	})
	return refs
}

// wantRefs fails t unless the blobs have exactly the given counts; a
// missing entry in want means the blob is unknown.
func wantRefs(t *testing.T, st meta.Store, ids []s3.BlobID, want map[s3.BlobID]int64) {
	t.Helper()
	if d := diff(want, blobRefs(t, st, ids...)); d != "" {
		t.Errorf("BlobRefs (-want +got):\n%s", d)
	}
}

func garbage(t *testing.T, st meta.Store, limit int) []s3.BlobID {
	t.Helper()
	var ids []s3.BlobID
	view(t, st, func(tx meta.ReadTx) (err error) {
		ids, err = tx.GarbageBlobs(limit)
		return err
	})
	return ids
}

func release(t *testing.T, st meta.Store, limit int) int {
	t.Helper()
	var n int
	update(t, st, func(tx meta.Tx) (err error) {
		n, err = tx.ReleaseDeadExtents(limit)
		return err
	})
	return n
}

func sortedIDs(ids []s3.BlobID) []s3.BlobID {
	return slices.SortedFunc(slices.Values(ids), func(a, b s3.BlobID) int {
		return slices.Compare(a[:], b[:])
	})
}

// wantGarbage fails t unless GarbageBlobs lists exactly ids.
func wantGarbage(t *testing.T, st meta.Store, ids ...s3.BlobID) {
	t.Helper()
	if d := diff(sortedIDs(ids), sortedIDs(garbage(t, st, 1000))); d != "" {
		t.Errorf("GarbageBlobs (-want +got):\n%s", d)
	}
}

func testRefsPutReplaceRelease(t *testing.T, s *suite) {
	st := s.store(t)
	bs := newBlobs(3)
	b1, b2, b3 := bs[0].ID, bs[1].ID, bs[2].ID
	all := []s3.BlobID{b1, b2, b3}
	o := fullObject("b", "k", b1, b1, b2) // two extents in b1
	putObjects(t, st, bs[:2], o)
	wantRefs(t, st, all, map[s3.BlobID]int64{b1: 2, b2: 1})
	wantGarbage(t, st)

	// Replacing queues the old extents; counts drop only on release.
	putObjects(t, st, bs[2:], fullObject("b", "k", b3))
	wantRefs(t, st, all, map[s3.BlobID]int64{b1: 2, b2: 1, b3: 1})
	wantGarbage(t, st)
	if n := release(t, st, 100); n != 3 {
		t.Errorf("ReleaseDeadExtents released %d extents, want 3", n)
	}
	wantRefs(t, st, all, map[s3.BlobID]int64{b1: 0, b2: 0, b3: 1})
	wantGarbage(t, st, b1, b2)
	if n := release(t, st, 100); n != 0 {
		t.Errorf("ReleaseDeadExtents on an empty queue released %d", n)
	}

	// Deleting queues too.
	update(t, st, func(tx meta.Tx) error {
		_, err := tx.DeleteObject("b", "k")
		return err
	})
	wantRefs(t, st, all, map[s3.BlobID]int64{b1: 0, b2: 0, b3: 1})
	if n := release(t, st, 100); n != 1 {
		t.Errorf("ReleaseDeadExtents after delete released %d extents, want 1", n)
	}
	wantGarbage(t, st, b1, b2, b3)

	update(t, st, func(tx meta.Tx) error { return tx.ForgetBlobs(all) })
	wantRefs(t, st, all, map[s3.BlobID]int64{})
	wantGarbage(t, st)
}

// testRefsGone checks that garbage stays garbage: a blob at zero
// references, or one never added, cannot be referenced again.
func testRefsGone(t *testing.T, s *suite) {
	st := s.store(t)
	bs := newBlobs(2)
	// bs[0] is added by a call that does not reference it: garbage at commit.
	update(t, st, func(tx meta.Tx) error { return tx.AddBlobs(bs[0]) })
	wantGarbage(t, st, bs[0].ID)
	// bs[1] was referenced and released.
	putObjects(t, st, bs[1:], fullObject("b", "old", bs[1].ID))
	update(t, st, func(tx meta.Tx) error {
		_, err := tx.DeleteObject("b", "old")
		return err
	})
	release(t, st, 10)
	wantGarbage(t, st, bs[0].ID, bs[1].ID)

	for name, id := range map[string]s3.BlobID{"garbage": bs[0].ID, "released": bs[1].ID, "unknown": s3.NewBlobID()} {
		err := st.Update(t.Context(), func(tx meta.Tx) error {
			// The first extent is fine; the failure must undo its reference.
			if err := tx.AddBlobs(meta.Blob{ID: s3.NewBlobID(), Size: 1}); err != nil {
				return err
			}
			_, err := tx.PutObject(fullObject("b", "new", id))
			return err
		})
		wantErr(t, "PutObject referencing a "+name+" blob", err, meta.ErrBlobGone)
	}
	view(t, st, func(tx meta.ReadTx) error {
		_, err := tx.GetObject("b", "new")
		wantErr(t, "GetObject after a failed PutObject", err, meta.ErrNotFound)
		return nil
	})
	wantRefs(t, st, blobIDs(bs), map[s3.BlobID]int64{bs[0].ID: 0, bs[1].ID: 0})
	wantGarbage(t, st, bs[0].ID, bs[1].ID)

	// A blob added in an earlier call that referenced nothing is garbage
	// even though it was never released.
	err := st.Update(t.Context(), func(tx meta.Tx) error {
		_, err := tx.PutObject(fullObject("b", "new", bs[0].ID))
		return err
	})
	wantErr(t, "PutObject referencing a blob added by an earlier call", err, meta.ErrBlobGone)
}

// testRefsSameCall checks that blobs added in one Update can be referenced
// in it, several times and by several records.
func testRefsSameCall(t *testing.T, s *suite) {
	st := s.store(t)
	bs := newBlobs(2)
	update(t, st, func(tx meta.Tx) error {
		if err := tx.AddBlobs(bs...); err != nil {
			return err
		}
		if _, err := tx.PutObject(fullObject("b", "one", bs[0].ID, bs[1].ID)); err != nil {
			return err
		}
		_, err := tx.PutObject(fullObject("b", "two", bs[0].ID))
		return err
	})
	wantRefs(t, st, blobIDs(bs), map[s3.BlobID]int64{bs[0].ID: 2, bs[1].ID: 1})
}

// testRefsSharedExtents copies an object's extents into a second object,
// as CopyObject does, and checks the blob outlives the first.
func testRefsSharedExtents(t *testing.T, s *suite) {
	st := s.store(t)
	bs := newBlobs(1)
	b := bs[0].ID
	putObjects(t, st, bs, fullObject("b", "src", b))
	update(t, st, func(tx meta.Tx) error {
		src, err := tx.GetObject("b", "src")
		if err != nil {
			return err
		}
		cp := src
		cp.Key = "dst"
		_, err = tx.PutObject(cp)
		return err
	})
	wantRefs(t, st, []s3.BlobID{b}, map[s3.BlobID]int64{b: 2})

	update(t, st, func(tx meta.Tx) error {
		_, err := tx.DeleteObject("b", "src")
		return err
	})
	release(t, st, 10)
	wantRefs(t, st, []s3.BlobID{b}, map[s3.BlobID]int64{b: 1})
	wantGarbage(t, st)
	checkObject(t, st, fullObject("b", "dst", b))

	update(t, st, func(tx meta.Tx) error {
		_, err := tx.DeleteObject("b", "dst")
		return err
	})
	release(t, st, 10)
	wantGarbage(t, st, b)
}

func testRefsForgetOnlyGarbage(t *testing.T, s *suite) {
	st := s.store(t)
	bs := newBlobs(2)
	live, dead := bs[0].ID, bs[1].ID
	putObjects(t, st, bs, fullObject("b", "k", live))
	wantGarbage(t, st, dead)
	update(t, st, func(tx meta.Tx) error { return tx.ForgetBlobs([]s3.BlobID{live, dead, s3.NewBlobID()}) })
	wantRefs(t, st, []s3.BlobID{live, dead}, map[s3.BlobID]int64{live: 1})
	wantGarbage(t, st)
}

func testRefsAddExisting(t *testing.T, s *suite) {
	st := s.store(t)
	bs := newBlobs(1)
	update(t, st, func(tx meta.Tx) error { return tx.AddBlobs(bs...) })
	err := st.Update(t.Context(), func(tx meta.Tx) error { return tx.AddBlobs(bs...) })
	wantErr(t, "AddBlobs(existing)", err, meta.ErrExists)
}

// testDeadQueueLimit checks that ReleaseDeadExtents takes whole records,
// oldest first, as many as fit in limit but at least one.
func testDeadQueueLimit(t *testing.T, s *suite) {
	st := s.store(t)
	bs := newBlobs(3)
	ids := blobIDs(bs)
	putObjects(t, st, bs,
		fullObject("b", "three", ids[0], ids[0], ids[0]),
		fullObject("b", "two", ids[1], ids[1]),
		fullObject("b", "one", ids[2]))
	for _, k := range []string{"three", "two", "one"} {
		update(t, st, func(tx meta.Tx) error {
			_, err := tx.DeleteObject("b", k)
			return err
		})
	}
	for i, tc := range []struct {
		limit, want int
		refs        map[s3.BlobID]int64
	}{
		{limit: 1, want: 3, refs: map[s3.BlobID]int64{ids[0]: 0, ids[1]: 2, ids[2]: 1}},
		{limit: 4, want: 3, refs: map[s3.BlobID]int64{ids[0]: 0, ids[1]: 0, ids[2]: 0}},
		{limit: 4, want: 0, refs: map[s3.BlobID]int64{ids[0]: 0, ids[1]: 0, ids[2]: 0}},
	} {
		if n := release(t, st, tc.limit); n != tc.want {
			t.Errorf("release %d: ReleaseDeadExtents(%d) = %d, want %d", i, tc.limit, n, tc.want)
		}
		wantRefs(t, st, ids, tc.refs)
	}

	// A 10,000-extent record is one queue entry, released whole.
	nb := newBlobs(1)
	big := fullObject("b", "big")
	for i := range 10000 {
		big.Extents = append(big.Extents, s3.Extent{Blob: nb[0].ID, Offset: int64(i), Length: 1})
	}
	putObjects(t, st, nb, big)
	wantRefs(t, st, blobIDs(nb), map[s3.BlobID]int64{nb[0].ID: 10000})
	update(t, st, func(tx meta.Tx) error {
		_, err := tx.DeleteObject("b", "big")
		return err
	})
	if n := release(t, st, 1); n != 10000 {
		t.Errorf("ReleaseDeadExtents(1) over a 10,000-extent record = %d, want 10000", n)
	}
	wantRefs(t, st, blobIDs(nb), map[s3.BlobID]int64{nb[0].ID: 0})
	wantGarbage(t, st, append(ids, nb[0].ID)...)
}

// testDeadQueueInline checks that records without extents queue nothing.
func testDeadQueueInline(t *testing.T, s *suite) {
	st := s.store(t)
	putObjects(t, st, nil, inlineObject("b", "k", []byte("x")))
	putObjects(t, st, nil, inlineObject("b", "k", []byte("y")))
	update(t, st, func(tx meta.Tx) error {
		_, err := tx.DeleteObject("b", "k")
		return err
	})
	if n := release(t, st, 10); n != 0 {
		t.Errorf("ReleaseDeadExtents after inline objects = %d, want 0", n)
	}
}

func testGarbageLimit(t *testing.T, s *suite) {
	st := s.store(t)
	bs := newBlobs(5)
	update(t, st, func(tx meta.Tx) error { return tx.AddBlobs(bs...) })
	for _, limit := range []int{1, 3, 5} {
		got := garbage(t, st, limit)
		if len(got) != limit {
			t.Errorf("GarbageBlobs(%d) returned %d blobs", limit, len(got))
		}
	}
	wantGarbage(t, st, blobIDs(bs)...)
}
