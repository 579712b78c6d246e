package metatest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// completeParts does what the object layer's Complete does in one Update:
// it lists the upload's parts with extents, builds o from those numbered in
// used (nil: every part) and completes with the rest unused. It returns
// the object written and the record it replaced.
func completeParts(tx meta.Tx, c meta.Completion, o meta.Object, used []int) (meta.Object, *meta.Object, error) {
	parts, err := tx.ListParts(c.UploadID, 0, 0, true)
	if err != nil {
		return o, nil, err
	}
	o.Extents, o.Parts, o.Size = nil, nil, 0
	var unused []meta.Part
	for _, p := range parts {
		if used != nil && !slices.Contains(used, p.Number) {
			unused = append(unused, p)
			continue
		}
		o.Extents = append(o.Extents, p.Extents...)
		o.Parts = append(o.Parts, s3.PartInfo{Number: p.Number, Size: p.Size, ETag: p.ETag, Checksum: p.Checksum})
		o.Size += p.Size
	}
	prev, err := tx.CompleteUpload(c, o, unused)
	return o, prev, err
}

// completion returns a completion record with every field set.
func completion(id, bucket, key string) meta.Completion {
	return meta.Completion{
		UploadID: id, Bucket: bucket, Key: key, ETag: "0123456789abcdef0123456789abcdef-3", Size: 12345,
		Checksum:       s3.Checksum{Algorithm: s3.ChecksumCRC32C, Type: s3.ChecksumTypeComposite, Value: "AAAAAA==-3"},
		ExtraChecksums: map[s3.ChecksumAlgorithm]string{crc64ECMA: "AAAAAAAAAAA=", s3.ChecksumSHA1: "2jmj7l5rSw0yVb/vlWAYkK/YBwk="},
		PartsDigest:    []byte{0, 1, 2, 0xfe, 0xff}, Completed: when,
	}
}

func testPutPartUnknownUpload(t *testing.T, s *suite) {
	st := s.store(t)
	bs := newBlobs(1)
	update(t, st, func(tx meta.Tx) error {
		if err := tx.AddBlobs(bs...); err != nil {
			return err
		}
		_, err := tx.PutPart(newPart("missing", 1, bs[0].ID))
		if !errors.Is(err, meta.ErrNotFound) {
			return fmt.Errorf("PutPart(unknown upload) = %v, want ErrNotFound", err)
		}
		return nil // commits: the failed PutPart must have taken no reference
	})
	wantRefs(t, st, blobIDs(bs), map[s3.BlobID]int64{bs[0].ID: 0})
	wantGarbage(t, st, bs[0].ID)
}

func testPutPartReplace(t *testing.T, s *suite) {
	st := s.store(t)
	createUploads(t, st, fullUpload("b", "k", "u"))
	bs := newBlobs(3)
	ids := blobIDs(bs)
	first := newPart("u", 1, ids[0], ids[0])
	putParts(t, st, bs[:1], first)
	wantRefs(t, st, ids, map[s3.BlobID]int64{ids[0]: 2})

	second := newPart("u", 1, ids[1])
	second.ETag, second.Size = "fedcba9876543210fedcba9876543210", 1
	var prev *meta.Part
	update(t, st, func(tx meta.Tx) (err error) {
		if err := tx.AddBlobs(bs[1]); err != nil {
			return err
		}
		prev, err = tx.PutPart(second)
		return err
	})
	if prev == nil {
		t.Fatalf("PutPart over a part returned no previous part")
	}
	if d := diff(first, *prev); d != "" {
		t.Errorf("PutPart returned previous part (-want +got):\n%s", d)
	}
	view(t, st, func(tx meta.ReadTx) error {
		if d := diff([]meta.Part{second}, listParts(t, tx, "u", 0, 0, true)); d != "" {
			t.Errorf("ListParts after replacement (-want +got):\n%s", d)
		}
		return nil
	})
	// The old extents are dead, not yet released.
	wantRefs(t, st, ids, map[s3.BlobID]int64{ids[0]: 2, ids[1]: 1})
	wantGarbage(t, st)
	if n := release(t, st, 100); n != 2 {
		t.Errorf("ReleaseDeadExtents after replacing a part released %d extents, want 2", n)
	}
	wantRefs(t, st, ids, map[s3.BlobID]int64{ids[0]: 0, ids[1]: 1})
	wantGarbage(t, st, ids[0])

	// The old blob is garbage for good.
	err := st.Update(t.Context(), func(tx meta.Tx) error {
		_, err := tx.PutPart(newPart("u", 2, ids[0]))
		return err
	})
	wantErr(t, "PutPart referencing a garbage blob", err, meta.ErrBlobGone)

	// Replacing a part with itself keeps its blob: one reference is taken
	// before the old one is released.
	putParts(t, st, bs[2:], newPart("u", 3, ids[2]))
	putParts(t, st, nil, newPart("u", 3, ids[2]))
	release(t, st, 100)
	wantRefs(t, st, ids, map[s3.BlobID]int64{ids[0]: 0, ids[1]: 1, ids[2]: 1})

	// A part without extents replaces one with.
	putParts(t, st, nil, newPart("u", 1))
	if n := release(t, st, 100); n != 1 {
		t.Errorf("ReleaseDeadExtents after emptying a part released %d extents, want 1", n)
	}
	wantGarbage(t, st, ids[0], ids[1])
}

func testDeleteUpload(t *testing.T, s *suite) {
	st := s.store(t)
	createUploads(t, st, fullUpload("b", "k", "u"), fullUpload("b", "k", "v"), fullUpload("b", "k", "empty"))
	bs := newBlobs(3)
	ids := blobIDs(bs)
	putParts(t, st, bs, newPart("u", 1, ids[0], ids[0]), newPart("u", 2, ids[1]), newPart("u", 3),
		newPart("v", 1, ids[2]))

	update(t, st, func(tx meta.Tx) error { return tx.DeleteUpload("u") })
	_, err := getUpload(t, st, "u")
	wantErr(t, "GetUpload after DeleteUpload", err, meta.ErrNotFound)
	view(t, st, func(tx meta.ReadTx) error {
		if got := listParts(t, tx, "u", 0, 0, true); len(got) != 0 {
			t.Errorf("ListParts after DeleteUpload = %+v", got)
		}
		if got := listParts(t, tx, "v", 0, 0, true); len(got) != 1 {
			t.Errorf("another upload has %d parts after DeleteUpload, want 1", len(got))
		}
		return nil
	})
	wantRefs(t, st, ids, map[s3.BlobID]int64{ids[0]: 2, ids[1]: 1, ids[2]: 1})
	if n := release(t, st, 100); n != 3 {
		t.Errorf("ReleaseDeadExtents after DeleteUpload released %d extents, want 3", n)
	}
	wantRefs(t, st, ids, map[s3.BlobID]int64{ids[0]: 0, ids[1]: 0, ids[2]: 1})
	wantGarbage(t, st, ids[0], ids[1])

	update(t, st, func(tx meta.Tx) error { return tx.DeleteUpload("empty") })
	if n := release(t, st, 100); n != 0 {
		t.Errorf("ReleaseDeadExtents after deleting an upload without parts released %d", n)
	}
	for _, id := range []string{"u", "never", "bad\xff", "nul\x00"} {
		err := st.Update(t.Context(), func(tx meta.Tx) error { return tx.DeleteUpload(id) })
		wantErr(t, fmt.Sprintf("DeleteUpload(%q)", id), err, meta.ErrNotFound)
		err = st.Update(t.Context(), func(tx meta.Tx) error {
			_, err := tx.PutPart(newPart(id, 1))
			return err
		})
		wantErr(t, fmt.Sprintf("PutPart into %q", id), err, meta.ErrNotFound)
	}
}

func testCompleteUpload(t *testing.T, s *suite) {
	st := s.store(t)
	bs := newBlobs(5)
	ids := blobIDs(bs)
	old := fullObject("b", "k", ids[4])
	putObjects(t, st, bs[4:], old)
	createUploads(t, st, fullUpload("b", "k", "u"))
	putParts(t, st, bs[:4], newPart("u", 1, ids[0]), newPart("u", 2, ids[1], ids[1]), newPart("u", 3, ids[2]),
		newPart("u", 4, ids[3]), newPart("u", 5))
	before := map[s3.BlobID]int64{ids[0]: 1, ids[1]: 2, ids[2]: 1, ids[3]: 1, ids[4]: 1}
	wantRefs(t, st, ids, before)

	c := completion("u", "b", "k")
	tmpl := fullObject("b", "k")
	tmpl.UploadID = "u"
	var obj meta.Object
	var prev *meta.Object
	update(t, st, func(tx meta.Tx) (err error) {
		obj, prev, err = completeParts(tx, c, tmpl, []int{1, 2, 4, 5})
		return err
	})
	if len(obj.Extents) != 4 {
		t.Fatalf("completed object has %d extents, want 4", len(obj.Extents))
	}
	checkObject(t, st, obj)
	if prev == nil {
		t.Errorf("CompleteUpload over an object returned no previous record")
	} else if d := diffObject(old, *prev); d != "" {
		t.Errorf("CompleteUpload returned previous record (-want +got):\n%s", d)
	}
	// The used parts' references moved to the object uncounted; the unused
	// part's and the old object's extents are dead.
	wantRefs(t, st, ids, before)
	if n := release(t, st, 100); n != 2 {
		t.Errorf("ReleaseDeadExtents after CompleteUpload released %d extents, want 2", n)
	}
	wantRefs(t, st, ids, map[s3.BlobID]int64{ids[0]: 1, ids[1]: 2, ids[2]: 0, ids[3]: 1, ids[4]: 0})
	wantGarbage(t, st, ids[2], ids[4])

	_, err := getUpload(t, st, "u")
	wantErr(t, "GetUpload after CompleteUpload", err, meta.ErrNotFound)
	view(t, st, func(tx meta.ReadTx) error {
		if got := listParts(t, tx, "u", 0, 0, true); len(got) != 0 {
			t.Errorf("ListParts after CompleteUpload = %+v", got)
		}
		got, err := tx.GetCompletion("u")
		if err != nil {
			t.Fatalf("GetCompletion: %v", err)
		}
		if d := diff(c, got); d != "" {
			t.Errorf("GetCompletion (-want +got):\n%s", d)
		}
		_, err = tx.GetCompletion("other")
		wantErr(t, "GetCompletion(unknown)", err, meta.ErrNotFound)
		return nil
	})
	err = st.Update(t.Context(), func(tx meta.Tx) error {
		o := tmpl
		o.Key = "second"
		_, err := tx.CompleteUpload(c, o, nil)
		return err
	})
	wantErr(t, "second CompleteUpload", err, meta.ErrNotFound)
	checkObject(t, st, obj)

	// Deleting the object releases what the parts held.
	update(t, st, func(tx meta.Tx) error {
		_, err := tx.DeleteObject("b", "k")
		return err
	})
	release(t, st, 100)
	wantGarbage(t, st, ids...)

	// A Complete with nothing to replace returns no previous record, and a
	// minimal completion record round-trips.
	createUploads(t, st, meta.Upload{ID: "w", Bucket: "b", Key: "new"})
	c2 := meta.Completion{UploadID: "w", Bucket: "b", Key: "new"}
	update(t, st, func(tx meta.Tx) (err error) {
		_, prev, err = completeParts(tx, c2, meta.Object{Bucket: "b", Key: "new"}, nil)
		return err
	})
	if prev != nil {
		t.Errorf("CompleteUpload of a new key returned previous record %+v", prev)
	}
	view(t, st, func(tx meta.ReadTx) error {
		got, err := tx.GetCompletion("w")
		if err != nil {
			return err
		}
		if d := diff(c2, got); d != "" {
			t.Errorf("GetCompletion of a minimal record (-want +got):\n%s", d)
		}
		return nil
	})
}

// testCompleteUploadLarge completes 10,000 parts (s.largeParts).
func testCompleteUploadLarge(t *testing.T, s *suite) {
	st := s.store(t)
	bs := newBlobs(10)
	ids := blobIDs(bs)
	createUploads(t, st, fullUpload("b", "big", "u"))
	parts := make([]meta.Part, s.largeParts)
	for i := range parts {
		parts[i] = meta.Part{UploadID: "u", Number: i + 1, Size: 5 << 20, ETag: fmt.Sprintf("%032x", i),
			LastModified: when, Extents: []s3.Extent{{Blob: ids[i%len(ids)], Offset: int64(i) << 20, Length: 5 << 20}}}
	}
	// In Updates of 500: PostgreSQL updates the upload's row once per part,
	// and a row updated 10,000 times in one transaction grows a version
	// chain that makes each update slower than the last. The first Update
	// adds the blobs, which its parts reference.
	for i, chunk := range slices.Collect(slices.Chunk(parts, 500)) {
		if i == 0 {
			putParts(t, st, bs, chunk...)
		} else {
			putParts(t, st, nil, chunk...)
		}
	}
	var obj meta.Object
	update(t, st, func(tx meta.Tx) (err error) {
		obj, _, err = completeParts(tx, completion("u", "b", "big"), fullObject("b", "big"), nil)
		return err
	})
	if len(obj.Extents) != len(parts) || len(obj.Parts) != len(parts) {
		t.Fatalf("completed object has %d extents and %d parts, want %d", len(obj.Extents), len(obj.Parts), len(parts))
	}
	checkObject(t, st, obj)
	if n := release(t, st, 100); n != 0 {
		t.Errorf("ReleaseDeadExtents after completing every part released %d", n)
	}
	want := make(map[s3.BlobID]int64)
	for _, id := range ids {
		want[id] = int64(len(parts) / len(ids))
	}
	wantRefs(t, st, ids, want)
}

func testDeleteBucketUploads(t *testing.T, s *suite) {
	st := s.store(t)
	update(t, st, func(tx meta.Tx) error {
		for _, b := range []string{"b", "c"} {
			if err := tx.CreateBucket(meta.Bucket{Name: b, OwnerID: "o"}); err != nil {
				return err
			}
			for _, name := range []string{"lifecycle", "cors"} {
				if err := tx.PutBucketConfig(b, name, []byte(b+name)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	createUploads(t, st, fullUpload("b", "k", "u1"), fullUpload("b", "k2", "u2"), fullUpload("b", "k", "u3"),
		fullUpload("c", "k", "v"))
	bs := newBlobs(4)
	ids := blobIDs(bs)
	putParts(t, st, bs, newPart("u1", 1, ids[0]), newPart("u1", 2, ids[1]), newPart("u2", 7, ids[2], ids[0]),
		newPart("v", 1, ids[3]))

	update(t, st, func(tx meta.Tx) error { return tx.DeleteBucket("b") })
	for _, id := range []string{"u1", "u2", "u3"} {
		_, err := getUpload(t, st, id)
		wantErr(t, "GetUpload of a deleted bucket's upload", err, meta.ErrNotFound)
	}
	view(t, st, func(tx meta.ReadTx) error {
		for _, id := range []string{"u1", "u2"} {
			if got := listParts(t, tx, id, 0, 0, false); len(got) != 0 {
				t.Errorf("upload %s of a deleted bucket has %d parts", id, len(got))
			}
		}
		if got := listParts(t, tx, "v", 0, 0, false); len(got) != 1 {
			t.Errorf("another bucket's upload has %d parts, want 1", len(got))
		}
		_, err := tx.GetBucketConfig("b", "cors")
		wantErr(t, "GetBucketConfig of a deleted bucket", err, meta.ErrNotFound)
		cfgs, err := tx.ListBucketConfigs("lifecycle")
		if err != nil {
			return err
		}
		if d := diff([]meta.BucketConfig{{Bucket: "c", Name: "lifecycle", Data: []byte("clifecycle")}}, cfgs); d != "" {
			t.Errorf("ListBucketConfigs after DeleteBucket (-want +got):\n%s", d)
		}
		return nil
	})
	if n := release(t, st, 100); n != 4 {
		t.Errorf("ReleaseDeadExtents after DeleteBucket released %d extents, want 4", n)
	}
	wantRefs(t, st, ids, map[s3.BlobID]int64{ids[0]: 0, ids[1]: 0, ids[2]: 0, ids[3]: 1})
	wantGarbage(t, st, ids[:3]...)
}
