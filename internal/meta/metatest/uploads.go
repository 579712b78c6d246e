package metatest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// fullUpload returns an upload with every field set.
func fullUpload(bucket, key, id string) meta.Upload {
	u := meta.Upload{
		ID: id, Bucket: bucket, Key: key, Initiated: when, LastActivity: when, OwnerID: "owner-1",
		Headers: meta.ObjectHeaders{
			ContentType: "video/mp4", ContentEncoding: "identity", ContentDisposition: `inline; filename="ü.mp4"`,
			ContentLanguage: "fr", CacheControl: "no-store", Expires: "Fri, 02 Dec 2026 16:00:00 GMT",
		},
		UserMetadata:      map[string]string{},
		Tags:              []s3.Tag{{Key: "a", Value: ""}, {Key: "ü", Value: "😀"}},
		StorageClass:      "GLACIER_IR",
		ChecksumAlgorithm: s3.ChecksumCRC32C,
		ChecksumType:      s3.ChecksumTypeComposite,
	}
	for i, v := range oddStrings() {
		u.UserMetadata[fmt.Sprintf("m-%02d", i)] = v
	}
	return u
}

// newPart returns part n of an upload with every field set and one extent
// per blob given.
func newPart(uploadID string, n int, blobs ...s3.BlobID) meta.Part {
	p := meta.Part{
		UploadID: uploadID, Number: n, Size: 5<<20 + int64(n), ETag: fmt.Sprintf("%032x", n),
		LastModified: when.Add(time.Duration(n) * time.Second), Checksum: fmt.Sprintf("crc/%d+==", n),
		ExtraChecksums: extraChecksums(n),
	}
	for i, b := range blobs {
		p.Extents = append(p.Extents, s3.Extent{Blob: b, Offset: int64(i) * 11, Length: 1<<20 + int64(n)})
	}
	return p
}

func createUploads(t *testing.T, st meta.Store, ups ...meta.Upload) {
	t.Helper()
	update(t, st, func(tx meta.Tx) error {
		for _, u := range ups {
			if err := tx.CreateUpload(u); err != nil {
				return err
			}
		}
		return nil
	})
}

// putParts adds blobs and puts parts in one Update.
func putParts(t *testing.T, st meta.Store, blobs []meta.Blob, parts ...meta.Part) {
	t.Helper()
	update(t, st, func(tx meta.Tx) error {
		if len(blobs) > 0 {
			if err := tx.AddBlobs(blobs...); err != nil {
				return err
			}
		}
		for _, p := range parts {
			if _, err := tx.PutPart(p); err != nil {
				return err
			}
		}
		return nil
	})
}

func listParts(t *testing.T, tx meta.ReadTx, id string, after, limit int, withExtents bool) []meta.Part {
	t.Helper()
	ps, err := tx.ListParts(id, after, limit, withExtents)
	if err != nil {
		t.Fatalf("ListParts(%q, %d, %d, %v): %v", id, after, limit, withExtents, err)
	}
	return ps
}

func getUpload(t *testing.T, st meta.Store, id string) (meta.Upload, error) {
	t.Helper()
	var u meta.Upload
	var uerr error
	view(t, st, func(tx meta.ReadTx) error {
		u, uerr = tx.GetUpload(id)
		return nil
	})
	return u, uerr
}

// withoutExtents returns copies of ps as a listing without extents has them.
func withoutExtents(ps []meta.Part) []meta.Part {
	out := make([]meta.Part, len(ps))
	for i, p := range ps {
		p.Extents = nil
		out[i] = p
	}
	return out
}

func testUploadRoundTrip(t *testing.T, s *suite) {
	st := s.store(t)
	ups := []meta.Upload{
		fullUpload("b", "dir/ünï 😀/key", "upload-1"),
		{ID: "upload-2", Bucket: "b", Key: "minimal"},
		{ID: "upload-3", Bucket: "b", Key: "x", Initiated: when.Add(time.Hour), LastActivity: when.Add(2 * time.Hour),
			ChecksumAlgorithm: s3.ChecksumCRC64NVME, ChecksumType: s3.ChecksumTypeFullObject},
	}
	createUploads(t, st, ups...)
	err := st.Update(t.Context(), func(tx meta.Tx) error { return tx.CreateUpload(meta.Upload{ID: "upload-1", Bucket: "c", Key: "k"}) })
	wantErr(t, "CreateUpload(existing id)", err, meta.ErrExists)
	for _, want := range ups {
		got, err := getUpload(t, st, want.ID)
		if err != nil {
			t.Fatalf("GetUpload(%q): %v", want.ID, err)
		}
		if d := diff(want, got); d != "" {
			t.Errorf("GetUpload(%q) (-want +got):\n%s", want.ID, d)
		}
	}
	_, err = getUpload(t, st, "missing")
	wantErr(t, "GetUpload(missing)", err, meta.ErrNotFound)

	// Parts with every field, one without extents, put out of order.
	bs := newBlobs(3)
	parts := []meta.Part{
		newPart("upload-1", 1, bs[0].ID, bs[1].ID),
		newPart("upload-1", 2),
		newPart("upload-1", 10000, bs[2].ID),
	}
	parts[1].Checksum, parts[1].Size, parts[1].ExtraChecksums = "", 0, nil
	update(t, st, func(tx meta.Tx) error {
		if err := tx.AddBlobs(bs...); err != nil {
			return err
		}
		for _, i := range []int{2, 0, 1} {
			prev, err := tx.PutPart(parts[i])
			if err != nil {
				return err
			}
			if prev != nil {
				return fmt.Errorf("PutPart of a new part %d returned previous part %+v", parts[i].Number, prev)
			}
		}
		return nil
	})
	view(t, st, func(tx meta.ReadTx) error {
		if d := diff(parts, listParts(t, tx, "upload-1", 0, 0, true)); d != "" {
			t.Errorf("ListParts with extents (-want +got):\n%s", d)
		}
		if d := diff(withoutExtents(parts), listParts(t, tx, "upload-1", 0, 0, false)); d != "" {
			t.Errorf("ListParts without extents (-want +got):\n%s", d)
		}
		if got := listParts(t, tx, "upload-2", 0, 0, true); len(got) != 0 {
			t.Errorf("ListParts of an upload without parts = %+v", got)
		}
		if got := listParts(t, tx, "missing", 0, 0, true); len(got) != 0 {
			t.Errorf("ListParts of an unknown upload = %+v", got)
		}
		return nil
	})
	// PutPart sets the upload's last activity to the part's time, whatever
	// order the parts came in.
	want := ups[0]
	want.LastActivity = parts[1].LastModified
	got, err := getUpload(t, st, "upload-1")
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("GetUpload after PutPart (-want +got):\n%s", d)
	}
}

func testListParts(t *testing.T, s *suite) {
	st := s.store(t)
	createUploads(t, st, meta.Upload{ID: "u", Bucket: "b", Key: "k"}, meta.Upload{ID: "other", Bucket: "b", Key: "k"})
	nums := []int{1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 9999, 10000}
	bs := newBlobs(len(nums))
	var want []meta.Part
	for i, n := range nums {
		want = append(want, newPart("u", n, bs[i].ID))
	}
	shuffled := slices.Clone(want)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	putParts(t, st, bs, append(shuffled, newPart("other", 4, bs[0].ID), newPart("other", 6))...)

	// oracle is the definition: parts numbered above after, at most limit.
	oracle := func(after, limit int) []meta.Part {
		var out []meta.Part
		for _, p := range want {
			if p.Number > after && (limit == 0 || len(out) < limit) {
				out = append(out, p)
			}
		}
		return out
	}
	view(t, st, func(tx meta.ReadTx) error {
		for _, after := range []int{0, 1, 4, 13, 144, 9999, 10000, 20000} {
			for _, limit := range []int{0, 1, 3, 100} {
				w := oracle(after, limit)
				if d := diff(w, listParts(t, tx, "u", after, limit, true)); d != "" {
					t.Errorf("ListParts(after %d, limit %d, extents) (-want +got):\n%s", after, limit, d)
				}
				if d := diff(withoutExtents(w), listParts(t, tx, "u", after, limit, false)); d != "" {
					t.Errorf("ListParts(after %d, limit %d) (-want +got):\n%s", after, limit, d)
				}
			}
		}
		return nil
	})
}

// uploadOrder is ListUploads' order.
func uploadOrder(a, b meta.Upload) int {
	if c := strings.Compare(a.Key, b.Key); c != 0 {
		return c
	}
	if c := a.Initiated.Compare(b.Initiated); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// uploadsOracle is ListUploads by definition over sorted uploads.
func uploadsOracle(sorted []meta.Upload, q meta.UploadRange) []meta.Upload {
	var out []meta.Upload
	for _, u := range sorted {
		if u.Key < q.From || (q.Before != "" && u.Key >= q.Before) {
			continue
		}
		switch {
		case q.AfterID != "":
			marker := meta.Upload{Key: q.AfterKey, Initiated: q.AfterInitiated, ID: q.AfterID}
			if uploadOrder(u, marker) <= 0 {
				continue
			}
		case q.AfterKey != "" && u.Key <= q.AfterKey:
			continue
		}
		if len(out) < q.Limit {
			out = append(out, u)
		}
	}
	return out
}

func uploadIDs(us []meta.Upload) []string {
	ids := make([]string, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	return ids
}

func listUploads(t *testing.T, tx meta.ReadTx, q meta.UploadRange) []meta.Upload {
	t.Helper()
	us, err := tx.ListUploads(q)
	if err != nil {
		t.Fatalf("ListUploads(%+v): %v", q, err)
	}
	return us
}

func testListUploads(t *testing.T, s *suite) {
	st := s.store(t)
	// Several uploads per key: distinct times, and equal times told apart
	// by ID; keys whose byte order is not their UTF-16 order.
	var ups []meta.Upload
	for i, key := range []string{"a", "a/b", "ab", "é", "😀", "\uffff", "z"} {
		for j, d := range []time.Duration{3, 1, 2, 2} {
			u := fullUpload("b", key, fmt.Sprintf("id-%d-%d", 9-i, 9-j))
			u.Initiated = when.Add(d * time.Minute)
			ups = append(ups, u)
		}
	}
	createUploads(t, st, append(slices.Clone(ups), meta.Upload{ID: "x1", Bucket: "a", Key: "a"},
		meta.Upload{ID: "x2", Bucket: "c", Key: "a"})...)
	sorted := slices.SortedFunc(slices.Values(ups), uploadOrder)
	mid := sorted[6] // inside the uploads of "a/b"
	queries := []meta.UploadRange{
		{Limit: 1000},
		{Limit: 1},
		{Limit: 5},
		{From: "a/", Limit: 1000},
		{From: "a/", Before: "é", Limit: 1000},
		{Before: "ab", Limit: 1000},
		{From: "b", Before: "a", Limit: 1000},
		// Key markers skip every upload of the key.
		{AfterKey: "a", Limit: 1000},
		{AfterKey: "a0", Limit: 1000},
		{AfterKey: "z", Limit: 1000},
		{AfterKey: "a", From: "é", Limit: 1000},
		{AfterKey: "é", From: "a", Before: "\uffff", Limit: 1000},
		// Full markers continue inside a key's uploads.
		{AfterKey: mid.Key, AfterInitiated: mid.Initiated, AfterID: mid.ID, Limit: 1000},
		{AfterKey: mid.Key, AfterInitiated: mid.Initiated, AfterID: mid.ID, Limit: 2},
		{AfterKey: mid.Key, AfterInitiated: mid.Initiated, AfterID: mid.ID, Before: "ab", Limit: 1000},
		{AfterKey: mid.Key, AfterInitiated: mid.Initiated, AfterID: mid.ID, From: "é", Limit: 1000},
		{AfterKey: mid.Key, AfterInitiated: mid.Initiated, AfterID: mid.ID, From: mid.Key, Limit: 1000},
		{AfterKey: mid.Key, AfterInitiated: mid.Initiated, AfterID: "id-0", Limit: 1000},
		{AfterKey: mid.Key, AfterInitiated: when, AfterID: "zz", Limit: 1000},
		{AfterKey: "", AfterInitiated: when, AfterID: "x", Limit: 1000},
		{AfterKey: sorted[len(sorted)-1].Key, AfterInitiated: sorted[len(sorted)-1].Initiated,
			AfterID: sorted[len(sorted)-1].ID, Limit: 1000},
	}
	view(t, st, func(tx meta.ReadTx) error {
		if d := diff(sorted, listUploads(t, tx, meta.UploadRange{Bucket: "b", Limit: 1000})); d != "" {
			t.Errorf("ListUploads records (-want +got):\n%s", d)
		}
		for _, q := range queries {
			q.Bucket = "b"
			if d := diff(uploadIDs(uploadsOracle(sorted, q)), uploadIDs(listUploads(t, tx, q))); d != "" {
				t.Errorf("ListUploads(%+v) (-want +got):\n%s", q, d)
			}
		}
		if got := listUploads(t, tx, meta.UploadRange{Bucket: "missing", Limit: 10}); len(got) != 0 {
			t.Errorf("ListUploads(missing bucket) = %v", uploadIDs(got))
		}
		return nil
	})
}

// testListUploadsPages pages through 2,500 uploads (s.pagedUploads) with
// full markers, as ListMultipartUploads with key and upload-id markers does.
func testListUploadsPages(t *testing.T, s *suite) {
	st := s.store(t)
	rng := rand.New(rand.NewPCG(1, 2))
	ups := make([]meta.Upload, s.pagedUploads)
	for i := range ups {
		ups[i] = meta.Upload{
			ID: fmt.Sprintf("%08x", rng.Uint32()), Bucket: "b", Key: fmt.Sprintf("key-%02d", rng.IntN(40)),
			Initiated: when.Add(time.Duration(rng.IntN(20)) * time.Second), OwnerID: "o",
		}
		ups[i].LastActivity = ups[i].Initiated
	}
	createUploads(t, st, ups...)
	sorted := slices.SortedFunc(slices.Values(ups), uploadOrder)
	for _, limit := range []int{1000, 101} {
		var got []meta.Upload
		view(t, st, func(tx meta.ReadTx) error {
			q := meta.UploadRange{Bucket: "b", Limit: limit}
			for {
				page := listUploads(t, tx, q)
				got = append(got, page...)
				if len(page) < limit {
					return nil
				}
				last := page[len(page)-1]
				q.AfterKey, q.AfterInitiated, q.AfterID = last.Key, last.Initiated, last.ID
			}
		})
		if i := firstDifference(uploadIDs(sorted), uploadIDs(got)); i >= 0 {
			t.Errorf("paging by %d: %d uploads listed, want %d; first difference at %d", limit, len(got), len(sorted), i)
		}
	}
}

func testExpiredUploads(t *testing.T, s *suite) {
	st := s.store(t)
	at := func(h int) time.Time { return when.Add(time.Duration(h) * time.Hour) }
	var ups []meta.Upload
	for i, key := range []string{"logs/a", "logs/b", "logs0", "data/x", "x\U0010FFFFz", "y", "x\U0010FFFF"} {
		for j, bucket := range []string{"b1", "b2"} {
			ups = append(ups, meta.Upload{ID: fmt.Sprintf("%s-%d", bucket, i), Bucket: bucket, Key: key, OwnerID: "o",
				Initiated: at(i), LastActivity: at(2*i + 10*j)})
		}
	}
	createUploads(t, st, ups...)
	oracle := func(q meta.ExpiryQuery) []string {
		var ids []string
		for _, u := range ups {
			if (q.Bucket == "" || u.Bucket == q.Bucket) && strings.HasPrefix(u.Key, q.Prefix) &&
				(q.InitiatedBefore.IsZero() || u.Initiated.Before(q.InitiatedBefore)) &&
				(q.ActiveBefore.IsZero() || u.LastActivity.Before(q.ActiveBefore)) {
				ids = append(ids, u.ID)
			}
		}
		return ids
	}
	queries := []meta.ExpiryQuery{
		// Lifecycle rules: a bucket, a prefix, an age.
		{Bucket: "b1", Prefix: "logs/", InitiatedBefore: at(1)},
		{Bucket: "b1", Prefix: "logs/", InitiatedBefore: at(2)},
		{Bucket: "b2", InitiatedBefore: at(4)},
		{Bucket: "b1", Prefix: "x\U0010FFFF", InitiatedBefore: at(100)},
		{Bucket: "b1", Prefix: "", InitiatedBefore: at(0)},
		// The idle expiry: every bucket by last activity.
		{ActiveBefore: at(7)},
		{ActiveBefore: at(8)},
		{ActiveBefore: at(100)},
		// Mixed filters.
		{Bucket: "b2", ActiveBefore: at(20)},
		{Bucket: "b1", InitiatedBefore: at(5), ActiveBefore: at(8)},
		{Prefix: "logs", ActiveBefore: at(100)},
		{Bucket: "b1"},
	}
	view(t, st, func(tx meta.ReadTx) error {
		for _, q := range queries {
			q.Limit = 1000
			got, err := tx.ExpiredUploads(q)
			if err != nil {
				t.Fatalf("ExpiredUploads(%+v): %v", q, err)
			}
			if d := diff(slices.Sorted(slices.Values(oracle(q))), slices.Sorted(slices.Values(uploadIDs(got)))); d != "" {
				t.Errorf("ExpiredUploads(%+v) (-want +got):\n%s", q, d)
			}
			for _, u := range got {
				if i := slices.IndexFunc(ups, func(w meta.Upload) bool { return w.ID == u.ID }); i >= 0 {
					if d := diff(ups[i], u); d != "" {
						t.Errorf("ExpiredUploads record %s (-want +got):\n%s", u.ID, d)
					}
				}
			}
		}
		// Limit caps the answer to a subset of the matches.
		q := meta.ExpiryQuery{ActiveBefore: at(100), Limit: 3}
		got, err := tx.ExpiredUploads(q)
		if err != nil {
			return err
		}
		if len(got) != 3 {
			t.Errorf("ExpiredUploads with limit 3 returned %d", len(got))
		}
		for _, u := range got {
			if !slices.Contains(oracle(q), u.ID) {
				t.Errorf("ExpiredUploads with limit returned %s, which does not match", u.ID)
			}
		}
		return nil
	})
}
