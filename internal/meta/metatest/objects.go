package metatest

import (
	"fmt"
	"testing"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// oddStrings returns metadata and tag values that trip up encodings.
func oddStrings() []string {
	return []string{
		"", " leading and trailing ", `"quoted"`, `back\slash`, "<x>&amp;</x>", "line\nbreak\r\n",
		"tab\there", "\x01\x1f\x7f", "ünïcødé", "日本語", "😀", "\u2028\u2029", "\ufeffbom", "%20%zz",
		"{\"json\":[1]}", "'; DROP TABLE objects; --",
	}
}

// fullObject returns a multipart object with every field set; its extents
// name blobs, which the caller must add.
func fullObject(bucket, key string, blobs ...s3.BlobID) meta.Object {
	o := meta.Object{
		Bucket: bucket, Key: key, Size: 3 << 20, ETag: "9b2cf535f27731c974343645a3985328-3",
		LastModified: when, StorageClass: "STANDARD_IA", OwnerID: "owner-1",
		Headers: meta.ObjectHeaders{
			ContentType: "text/plain; charset=utf-8", ContentEncoding: "gzip",
			ContentDisposition: `attachment; filename="ü.txt"`, ContentLanguage: "de-CH",
			CacheControl: "max-age=60", Expires: "Thu, 01 Dec 2026 16:00:00 GMT",
		},
		UserMetadata: map[string]string{},
		Tags:         []s3.Tag{{Key: "a", Value: ""}, {Key: "k=v", Value: "x&y"}, {Key: "ü", Value: "😀"}},
		Checksum:     s3.Checksum{Algorithm: s3.ChecksumCRC64NVME, Type: s3.ChecksumTypeFullObject, Value: "AAAAAAAAAAA="},
		ExtraChecksums: map[s3.ChecksumAlgorithm]string{crc64ECMA: "Ab+/cdEFgh0=",
			s3.ChecksumSHA256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
		UploadID: "upload-0001",
	}
	for i, v := range oddStrings() {
		o.UserMetadata[fmt.Sprintf("m-%02d", i)] = v
	}
	o.UserMetadata["odd name \"ü\""] = "value"
	for i, b := range blobs {
		o.Extents = append(o.Extents, s3.Extent{Blob: b, Offset: int64(i) * 7, Length: 1<<20 + int64(i)})
		o.Parts = append(o.Parts, s3.PartInfo{Number: i + 1, Size: 1<<20 + int64(i),
			ETag: fmt.Sprintf("%032x", i), Checksum: fmt.Sprintf("crc%d==", i)})
	}
	return o
}

// inlineObject returns a small object whose data is inline.
func inlineObject(bucket, key string, data []byte) meta.Object {
	return meta.Object{
		Bucket: bucket, Key: key, Size: int64(len(data)), ETag: "d41d8cd98f00b204e9800998ecf8427e",
		LastModified: when, StorageClass: "STANDARD", OwnerID: "owner-1", Inline: data,
	}
}

// newBlobs returns n fresh blob records.
func newBlobs(n int) []meta.Blob {
	bs := make([]meta.Blob, n)
	for i := range bs {
		bs[i] = meta.Blob{ID: s3.NewBlobID(), Size: 1 << 20}
	}
	return bs
}

func blobIDs(bs []meta.Blob) []s3.BlobID {
	ids := make([]s3.BlobID, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
	}
	return ids
}

// putObjects adds blobs and puts objects in one Update.
func putObjects(t *testing.T, st meta.Store, blobs []meta.Blob, objs ...meta.Object) {
	t.Helper()
	update(t, st, func(tx meta.Tx) error {
		if len(blobs) > 0 {
			if err := tx.AddBlobs(blobs...); err != nil {
				return err
			}
		}
		for _, o := range objs {
			if _, err := tx.PutObject(o); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkObject fails t unless bucket/key reads back as want.
func checkObject(t *testing.T, st meta.Store, want meta.Object) {
	t.Helper()
	view(t, st, func(tx meta.ReadTx) error {
		got, err := tx.GetObject(want.Bucket, want.Key)
		if err != nil {
			t.Fatalf("GetObject(%s, %q): %v", want.Bucket, want.Key, err)
		}
		if d := diffObject(want, got); d != "" {
			t.Errorf("GetObject(%s, %q) (-want +got):\n%s", want.Bucket, want.Key, d)
		}
		return nil
	})
}

func testObjectRoundTrip(t *testing.T, s *suite) {
	st := s.store(t)
	blobs := newBlobs(3)
	data := make([]byte, 4096)
	for i := range data {
		data[i] = byte(i * 7)
	}
	objs := []meta.Object{
		fullObject("b", "multipart", blobIDs(blobs)...),
		inlineObject("b", "inline", data),
		inlineObject("b", "empty", nil),
		{Bucket: "b", Key: "minimal"},
		{Bucket: "b", Key: "dir/ünï 😀/key with spaces & ?query=1#frag"},
	}
	putObjects(t, st, blobs, objs...)
	for _, o := range objs {
		checkObject(t, st, o)
	}
	view(t, st, func(tx meta.ReadTx) error {
		_, err := tx.GetObject("b", "missing")
		wantErr(t, "GetObject(missing key)", err, meta.ErrNotFound)
		_, err = tx.GetObject("nobucket", "inline")
		wantErr(t, "GetObject(missing bucket)", err, meta.ErrNotFound)
		return nil
	})
}

// testObjectLargeLists round-trips a 10,000-part object with 10,000
// extents over a few blobs.
func testObjectLargeLists(t *testing.T, s *suite) {
	st := s.store(t)
	blobs := newBlobs(10)
	o := fullObject("b", "big")
	for i := range s3.MaxPartNumber {
		o.Extents = append(o.Extents, s3.Extent{Blob: blobs[i%len(blobs)].ID, Offset: int64(i) << 20, Length: 5 << 20})
		o.Parts = append(o.Parts, s3.PartInfo{Number: i + 1, Size: 5 << 20, ETag: fmt.Sprintf("%032x", i)})
	}
	putObjects(t, st, blobs, o)
	checkObject(t, st, o)
	refs := blobRefs(t, st, blobIDs(blobs)...)
	for _, b := range blobs {
		if refs[b.ID] != s3.MaxPartNumber/int64(len(blobs)) {
			t.Errorf("blob %s has %d references, want %d", b.ID, refs[b.ID], s3.MaxPartNumber/len(blobs))
		}
	}
}

func testObjectReplaceDelete(t *testing.T, s *suite) {
	st := s.store(t)
	blobs := newBlobs(2)
	v1 := fullObject("b", "k", blobs[0].ID)
	v2 := inlineObject("b", "k", []byte("second"))
	v3 := fullObject("b", "k", blobs[1].ID)
	v3.ETag, v3.UserMetadata = "v3", nil

	var prev *meta.Object
	for i, tc := range []struct {
		put  meta.Object
		old  *meta.Object
		adds []meta.Blob
	}{{v1, nil, blobs[:1]}, {v2, &v1, nil}, {v3, &v2, blobs[1:]}} {
		update(t, st, func(tx meta.Tx) (err error) {
			if len(tc.adds) > 0 {
				if err := tx.AddBlobs(tc.adds...); err != nil {
					return err
				}
			}
			prev, err = tx.PutObject(tc.put)
			return err
		})
		switch {
		case tc.old == nil && prev != nil:
			t.Errorf("put %d: PutObject of a new key returned previous record %+v", i, prev)
		case tc.old != nil && prev == nil:
			t.Errorf("put %d: PutObject over a record returned none", i)
		case tc.old != nil:
			if d := diffObject(*tc.old, *prev); d != "" {
				t.Errorf("put %d: PutObject returned previous record (-want +got):\n%s", i, d)
			}
		}
		checkObject(t, st, tc.put)
	}

	var deleted meta.Object
	update(t, st, func(tx meta.Tx) (err error) {
		deleted, err = tx.DeleteObject("b", "k")
		return err
	})
	if d := diffObject(v3, deleted); d != "" {
		t.Errorf("DeleteObject returned (-want +got):\n%s", d)
	}
	err := st.Update(t.Context(), func(tx meta.Tx) error {
		_, err := tx.DeleteObject("b", "k")
		return err
	})
	wantErr(t, "DeleteObject(missing)", err, meta.ErrNotFound)
	view(t, st, func(tx meta.ReadTx) error {
		_, err := tx.GetObject("b", "k")
		wantErr(t, "GetObject after delete", err, meta.ErrNotFound)
		return nil
	})
}

func testObjectTags(t *testing.T, s *suite) {
	st := s.store(t)
	blobs := newBlobs(1)
	o := fullObject("b", "k", blobs[0].ID)
	putObjects(t, st, blobs, o)

	for _, tags := range [][]s3.Tag{
		{{Key: "new", Value: "tag"}, {Key: "ü", Value: `"odd" <value> & 😀`}},
		nil,
		{{Key: "", Value: ""}},
	} {
		update(t, st, func(tx meta.Tx) error { return tx.SetObjectTags("b", "k", tags) })
		o.Tags = tags
		checkObject(t, st, o)
	}
	err := st.Update(t.Context(), func(tx meta.Tx) error {
		return tx.SetObjectTags("b", "missing", []s3.Tag{{Key: "a", Value: "b"}})
	})
	wantErr(t, "SetObjectTags(missing)", err, meta.ErrNotFound)
}

// testObjectBuckets checks that equal keys in different buckets are
// different objects.
func testObjectBuckets(t *testing.T, s *suite) {
	st := s.store(t)
	a, b := inlineObject("a", "k", []byte("in a")), inlineObject("b", "k", []byte("in b"))
	putObjects(t, st, nil, a, b)
	update(t, st, func(tx meta.Tx) error {
		_, err := tx.DeleteObject("a", "k")
		return err
	})
	checkObject(t, st, b)
}
