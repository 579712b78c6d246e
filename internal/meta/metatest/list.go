package metatest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/cairn-s3/cairn/internal/meta"
)

// listKeys returns keys whose byte order differs from code-point-agnostic
// or UTF-16 orders: "/" and control characters before letters, upper case
// before lower, U+E000 before U+FFFF before U+1F600 (UTF-16 would put the
// surrogate pair first).
func listKeys() []string {
	return []string{
		"a", "a/b", "a0", "ab", "é", "\u00ff", "z", "~", "A", "0", "a\x01", "a b",
		"日本語", "😀", "\uffff", "\ue000", "é/x", "ab/", "ab/c/d", "ab0",
	}
}

// putKeys puts an inline object under each key of bucket.
func putKeys(t *testing.T, st meta.Store, bucket string, keys []string) {
	t.Helper()
	objs := make([]meta.Object, len(keys))
	for i, k := range keys {
		objs[i] = inlineObject(bucket, k, []byte(k))
	}
	putObjects(t, st, nil, objs...)
}

func listObjects(t *testing.T, tx meta.ReadTx, q meta.ObjectRange) []string {
	t.Helper()
	objs, err := tx.ListObjects(q)
	if err != nil {
		t.Fatalf("ListObjects(%+v): %v", q, err)
	}
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.Key
	}
	return keys
}

func testListObjectsOrder(t *testing.T, s *suite) {
	st := s.store(t)
	keys := listKeys()
	putKeys(t, st, "b", keys)
	putKeys(t, st, "a", []string{"other"})
	putKeys(t, st, "c", []string{"other"})
	want := slices.Sorted(slices.Values(keys)) // Go orders strings by bytes
	view(t, st, func(tx meta.ReadTx) error {
		if d := diff(want, listObjects(t, tx, meta.ObjectRange{Bucket: "b", Limit: 1000})); d != "" {
			t.Errorf("ListObjects order (-want +got):\n%s", d)
		}
		return nil
	})
}

func testListObjectsRanges(t *testing.T, s *suite) {
	st := s.store(t)
	keys := slices.Sorted(slices.Values(listKeys()))
	putKeys(t, st, "b", keys)
	putKeys(t, st, "a", []string{"a", "z"})
	putKeys(t, st, "c", []string{"a", "z"})

	// oracle is the definition: keys in [From, Before) greater than After.
	oracle := func(q meta.ObjectRange) []string {
		var out []string
		for _, k := range keys {
			if k >= q.From && k > q.After && (q.Before == "" || k < q.Before) && len(out) < q.Limit {
				out = append(out, k)
			}
		}
		return out
	}
	ranges := []meta.ObjectRange{
		{Limit: 1000},
		{Limit: 1},
		{Limit: 3},
		{From: "a", Limit: 1000},
		{After: "a", Limit: 1000},
		{From: "a0", After: "a", Limit: 1000},
		{From: "a", After: "a0", Limit: 1000},
		{From: "ab", After: "ab", Limit: 1000},
		{Before: "b", Limit: 1000},
		{Before: "a", Limit: 1000},
		{From: "a", Before: "a0", Limit: 1000},
		{From: "ab/", Before: "ab0", Limit: 1000}, // the prefix "ab/"
		{After: "ab/", Before: "ab0", Limit: 1000},
		{From: "a", Before: "b", Limit: 2},
		{After: "z", Limit: 1000},
		{From: "é", Limit: 1000},
		{After: "\uffff", Limit: 1000},
		{From: "\ue000", Before: "\U0001F600", Limit: 1000},
		{From: "zz", Before: "zz", Limit: 1000},
		{From: "b", Before: "a", Limit: 1000},
		{After: "\U0001F600", Limit: 1000},
		{From: "\U0010FFFF", Limit: 1000},
	}
	view(t, st, func(tx meta.ReadTx) error {
		for _, q := range ranges {
			q.Bucket = "b"
			if d := diff(oracle(q), listObjects(t, tx, q)); d != "" {
				t.Errorf("ListObjects(From %q, After %q, Before %q, Limit %d) (-want +got):\n%s",
					q.From, q.After, q.Before, q.Limit, d)
			}
		}
		if got := listObjects(t, tx, meta.ObjectRange{Bucket: "missing", Limit: 10}); len(got) != 0 {
			t.Errorf("ListObjects(missing bucket) = %q, want none", got)
		}
		return nil
	})
}

// testListObjectsPages pages through a bucket with After, as a listing
// with a continuation token does.
func testListObjectsPages(t *testing.T, s *suite) {
	st := s.store(t)
	var keys []string
	for i := range 250 {
		keys = append(keys, fmt.Sprintf("dir%d/obj-%03d", i%3, i))
	}
	putKeys(t, st, "b", keys)
	slices.Sort(keys)
	for _, limit := range []int{1, 7, 100, 250, 1000} {
		var got []string
		view(t, st, func(tx meta.ReadTx) error {
			after := ""
			for {
				page := listObjects(t, tx, meta.ObjectRange{Bucket: "b", After: after, Limit: limit})
				if len(page) > limit {
					t.Fatalf("page of %d keys, limit %d", len(page), limit)
				}
				got = append(got, page...)
				if len(page) < limit {
					return nil
				}
				after = page[len(page)-1]
			}
		})
		if d := diff(keys, got); d != "" {
			t.Errorf("paging by %d (-want +got):\n%s", limit, d)
		}
	}
}

// testListObjectsFields checks that a listing carries every field but the
// data and part lists.
func testListObjectsFields(t *testing.T, s *suite) {
	st := s.store(t)
	blobs := newBlobs(2)
	objs := []meta.Object{fullObject("b", "full", blobIDs(blobs)...), inlineObject("b", "inline", []byte("data"))}
	putObjects(t, st, blobs, objs...)
	view(t, st, func(tx meta.ReadTx) error {
		got, err := tx.ListObjects(meta.ObjectRange{Bucket: "b", Limit: 10})
		if err != nil {
			t.Fatalf("ListObjects: %v", err)
		}
		want := make([]meta.Object, len(objs))
		for i, o := range objs {
			o.Extents, o.Parts, o.Inline = nil, nil, nil
			want[i] = o
		}
		if d := diff(want, got); d != "" {
			t.Errorf("ListObjects records (-want +got):\n%s", d)
		}
		return nil
	})
}

func testBucketIsEmpty(t *testing.T, s *suite) {
	st := s.store(t)
	isEmpty := func(bucket string) bool {
		t.Helper()
		var empty bool
		view(t, st, func(tx meta.ReadTx) (err error) {
			empty, err = tx.BucketIsEmpty(bucket)
			return err
		})
		return empty
	}
	update(t, st, func(tx meta.Tx) error {
		return tx.CreateBucket(meta.Bucket{Name: "b", OwnerID: "o"})
	})
	if !isEmpty("b") {
		t.Errorf("new bucket is not empty")
	}
	putKeys(t, st, "b", []string{"k"})
	putKeys(t, st, "ba", []string{"k"})
	if isEmpty("b") {
		t.Errorf("bucket with an object is empty")
	}
	update(t, st, func(tx meta.Tx) error {
		_, err := tx.DeleteObject("b", "k")
		return err
	})
	if !isEmpty("b") {
		t.Errorf("bucket whose only object was deleted is not empty")
	}
	if !isEmpty("missing") {
		t.Errorf("missing bucket is not empty")
	}
}
