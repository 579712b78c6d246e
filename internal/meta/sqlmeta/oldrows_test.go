package sqlmeta_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/meta/sqlmeta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// version2 is the last schema without extra checksums.
const version2 = 2

func TestSQLiteVersion2Rows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	testVersion2Rows(t, "sqlite", db, func(t *testing.T) *sqlmeta.Store { return openSQLite(t, path) })
}

// testVersion2Rows writes rows into db as a release at schema version 2
// did, before objects, parts and completions had extra checksums, then
// opens the store over them (which migrates db) and checks that they read
// back unchanged with no extra checksums, and that the migrated tables
// keep new ones. It closes db.
func testVersion2Rows(t *testing.T, dialect string, db *sql.DB, open func(t *testing.T) *sqlmeta.Store) {
	ctx := t.Context()
	if err := sqlmeta.MigrateTo(ctx, db, dialect, version2); err != nil {
		db.Close()
		t.Fatalf("migrate to version %d: %v", version2, err)
	}
	at := time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC)
	blob := s3.NewBlobID()
	// A list long enough to leave the row (SQLite overflow pages,
	// PostgreSQL TOAST), which the SQLite migration copies.
	long := make([]s3.Extent, 2000)
	for i := range long {
		long[i] = s3.Extent{Blob: blob, Offset: int64(i) << 20, Length: 1 << 20}
	}
	longEnc, err := sqlmeta.EncodeExtents(long)
	if err != nil {
		t.Fatal(err)
	}
	objExtents := []s3.Extent{{Blob: blob, Length: 1 << 20}}
	objEnc, err := sqlmeta.EncodeExtents(objExtents)
	if err != nil {
		t.Fatal(err)
	}
	digest := []byte{1, 2, 3}
	for _, r := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO blobs (id, size, refs) VALUES ($1, $2, $3)`, []any{blob[:], int64(1 << 40), int64(len(long) + 1)}},
		{`INSERT INTO objects (bucket, key, size, etag, last_modified, storage_class, owner_id, attrs, parts, extents, inline_data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, []any{"b", "old", int64(1 << 20), "etag-old",
			at.UnixNano(), "STANDARD", "owner",
			`{"h":{"ct":"text/plain"},"m":{"k":"v"},"c":{"a":"CRC32","t":"FULL_OBJECT","v":"AAAAAA=="},"u":"up-0"}`,
			nil, objEnc, nil}},
		{`INSERT INTO uploads (id, bucket, key, initiated, last_activity, owner_id, attrs) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			[]any{"u", "b", "k", at.UnixNano(), at.UnixNano(), "owner", `{"s":"STANDARD"}`}},
		{`INSERT INTO parts (upload_id, part_number, size, etag, last_modified, checksum, extents)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, []any{"u", 1, int64(2000 << 20), "etag-1", at.UnixNano(), "crc-1", longEnc}},
		{`INSERT INTO parts (upload_id, part_number, size, etag, last_modified, checksum, extents)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, []any{"u", 2, int64(0), "etag-2", at.UnixNano(), "", nil}},
		{`INSERT INTO completions (upload_id, bucket, key, etag, size, checksum_algorithm, checksum_type, checksum,
			parts_digest, completed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			[]any{"done", "b", "k2", "etag-done-2", int64(7), "CRC32C", "COMPOSITE", "AAAAAA==-2", digest, at.UnixNano()}},
	} {
		if _, err := db.ExecContext(ctx, r.q, r.args...); err != nil {
			db.Close()
			t.Fatalf("write version %d row: %v\n%s", version2, err, r.q)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	st := open(t)
	defer st.Close()
	wantObj := meta.Object{Bucket: "b", Key: "old", Size: 1 << 20, ETag: "etag-old", LastModified: at,
		StorageClass: "STANDARD", OwnerID: "owner", Headers: meta.ObjectHeaders{ContentType: "text/plain"},
		UserMetadata: map[string]string{"k": "v"},
		Checksum:     s3.Checksum{Algorithm: s3.ChecksumCRC32, Type: s3.ChecksumTypeFullObject, Value: "AAAAAA=="},
		UploadID:     "up-0", Extents: objExtents}
	wantParts := []meta.Part{
		{UploadID: "u", Number: 1, Size: 2000 << 20, ETag: "etag-1", LastModified: at, Checksum: "crc-1", Extents: long},
		{UploadID: "u", Number: 2, ETag: "etag-2", LastModified: at},
	}
	wantDone := meta.Completion{UploadID: "done", Bucket: "b", Key: "k2", ETag: "etag-done-2", Size: 7,
		Checksum:    s3.Checksum{Algorithm: s3.ChecksumCRC32C, Type: s3.ChecksumTypeComposite, Value: "AAAAAA==-2"},
		PartsDigest: digest, Completed: at}
	err = st.View(ctx, func(tx meta.ReadTx) error {
		o, err := tx.GetObject("b", "old")
		if err != nil {
			return err
		}
		if d := cmp.Diff(wantObj, o); d != "" || o.ExtraChecksums != nil {
			t.Errorf("GetObject of a version 2 row (-want +got):\n%s", d)
		}
		objs, err := tx.ListObjects(meta.ObjectRange{Bucket: "b", Limit: 10})
		if err != nil {
			return err
		}
		listed := wantObj
		listed.Extents = nil
		if d := cmp.Diff([]meta.Object{listed}, objs); d != "" {
			t.Errorf("ListObjects of a version 2 row (-want +got):\n%s", d)
		}
		for _, withExtents := range []bool{true, false} {
			ps, err := tx.ListParts("u", 0, 0, withExtents)
			if err != nil {
				return err
			}
			want := append([]meta.Part(nil), wantParts...)
			if !withExtents {
				want[0].Extents = nil
			}
			if d := cmp.Diff(want, ps); d != "" {
				t.Errorf("ListParts(extents %v) of version 2 rows (-want +got):\n%s", withExtents, d)
			}
		}
		c, err := tx.GetCompletion("done")
		if err != nil {
			return err
		}
		if d := cmp.Diff(wantDone, c); d != "" || c.ExtraChecksums != nil {
			t.Errorf("GetCompletion of a version 2 row (-want +got):\n%s", d)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}

	// The migrated tables keep extra checksums: a part replacing an old
	// one, and the completion of the migrated upload.
	extra := map[s3.ChecksumAlgorithm]string{"CRC64ECMA": "AAAAAAAAAAA=", s3.ChecksumSHA1: "2jmj7l5rSw0yVb/vlWAYkK/YBwk="}
	newPart := meta.Part{UploadID: "u", Number: 1, Size: 1, ETag: "etag-1b", LastModified: at, ExtraChecksums: extra}
	var prev *meta.Part
	err = st.Update(ctx, func(tx meta.Tx) (err error) {
		prev, err = tx.PutPart(newPart)
		return err
	})
	if err != nil {
		t.Fatalf("PutPart over a version 2 part: %v", err)
	}
	if prev == nil {
		t.Fatalf("PutPart over a version 2 part returned no previous part")
	}
	if d := cmp.Diff(wantParts[0], *prev); d != "" {
		t.Errorf("PutPart returned previous version 2 part (-want +got):\n%s", d)
	}
	done := meta.Completion{UploadID: "u", Bucket: "b", Key: "k", ETag: "e-2", Size: 1, ExtraChecksums: extra, Completed: at}
	obj := meta.Object{Bucket: "b", Key: "k", Size: 1, ETag: "e-2", LastModified: at, ExtraChecksums: extra,
		Parts: []s3.PartInfo{{Number: 1, Size: 1, ETag: "etag-1b"}}}
	err = st.Update(ctx, func(tx meta.Tx) error {
		ps, err := tx.ListParts("u", 0, 0, true)
		if err != nil {
			return err
		}
		want := []meta.Part{newPart, wantParts[1]}
		if d := cmp.Diff(want, ps); d != "" {
			t.Errorf("ListParts after PutPart on the migrated table (-want +got):\n%s", d)
		}
		_, err = tx.CompleteUpload(done, obj, ps[1:])
		return err
	})
	if err != nil {
		t.Fatalf("CompleteUpload of a migrated upload: %v", err)
	}
	err = st.View(ctx, func(tx meta.ReadTx) error {
		c, err := tx.GetCompletion("u")
		if err != nil {
			return err
		}
		if d := cmp.Diff(done, c); d != "" {
			t.Errorf("GetCompletion on the migrated table (-want +got):\n%s", d)
		}
		o, err := tx.GetObject("b", "k")
		if err != nil {
			return err
		}
		if d := cmp.Diff(obj, o); d != "" {
			t.Errorf("GetObject of the completed upload (-want +got):\n%s", d)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
}
