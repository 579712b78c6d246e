package crashtest

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/blob/fsblob"
	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
	"github.com/cairn-s3/cairn/internal/server"
)

// storeStats summarises a data directory after collection.
type storeStats struct {
	Objects, Inline, Uploads, Parts, Blobs int
	BlobBytes                              int64
}

func (s storeStats) String() string {
	return fmt.Sprintf("%d objects (%d inline), %d uploads with %d parts, %d blobs of %d bytes",
		s.Objects, s.Inline, s.Uploads, s.Parts, s.Blobs, s.BlobBytes)
}

// checkStores opens the stores of a data directory no process is using,
// after `cairn gc`, and checks that collection left exactly the live data:
// tmp/ is empty; every blob file is referenced by some object's extents or
// by the extents of a part of an upload in progress, and every extent lies
// inside an existing blob; each blob's reference count equals the extents
// referring to it and none is garbage.
func checkStores(t *testing.T, dataDir, bucket string) storeStats {
	t.Helper()
	ctx := context.Background()
	var st storeStats

	// Before fsblob.Open, which empties tmp/.
	tmp, err := os.ReadDir(filepath.Join(dataDir, "tmp"))
	if err != nil {
		t.Errorf("read tmp/: %v", err)
	}
	for _, e := range tmp {
		t.Errorf("tmp/%s is left after collection", e.Name())
	}

	objects := readObjects(t, ctx, dataDir, bucket)
	refs := map[s3.BlobID]int64{}     // extents referring to each blob
	reach := map[s3.BlobID]int64{}    // the furthest byte an extent needs
	users := map[s3.BlobID][]string{} // keys referring to each blob
	for _, o := range objects {
		st.Objects++
		if len(o.Extents) == 0 {
			st.Inline++
			if int64(len(o.Inline)) != o.Size {
				t.Errorf("object %s: %d inline bytes, size %d", o.Key, len(o.Inline), o.Size)
			}
			continue
		}
		var total int64
		for _, e := range o.Extents {
			refs[e.Blob]++
			reach[e.Blob] = max(reach[e.Blob], e.Offset+e.Length)
			users[e.Blob] = append(users[e.Blob], o.Key)
			total += e.Length
		}
		if total != o.Size || len(o.Inline) != 0 {
			t.Errorf("object %s: extents hold %d bytes and %d are inline, size %d", o.Key, total, len(o.Inline), o.Size)
		}
	}

	for _, u := range readUploads(t, ctx, dataDir, bucket) {
		st.Uploads++
		for _, p := range u.Parts {
			st.Parts++
			user := fmt.Sprintf("part %d of upload %s of %s", p.Number, u.ID, u.Key)
			var total int64
			for _, e := range p.Extents {
				refs[e.Blob]++
				reach[e.Blob] = max(reach[e.Blob], e.Offset+e.Length)
				users[e.Blob] = append(users[e.Blob], user)
				total += e.Length
			}
			if total != p.Size {
				t.Errorf("%s: extents hold %d bytes, size %d", user, total, p.Size)
			}
		}
	}

	onDisk := walkBlobs(t, ctx, dataDir)
	for id, size := range onDisk {
		st.Blobs++
		st.BlobBytes += size
		if refs[id] == 0 {
			t.Errorf("blob %s (%d bytes) is on disk after collection, but no object or part refers to it", id, size)
		}
	}
	for _, id := range slices.SortedFunc(maps.Keys(refs), compareIDs) {
		size, ok := onDisk[id]
		switch {
		case !ok:
			t.Errorf("blob %s, referred to by %v, is missing", id, users[id])
		case size < reach[id]:
			t.Errorf("blob %s has %d bytes, but %v refer to bytes up to %d", id, size, users[id], reach[id])
		}
	}
	checkRefCounts(t, ctx, dataDir, refs, onDisk)
	return st
}

// readObjects returns every object of the bucket, extents included, from
// the metadata store.
func readObjects(t *testing.T, ctx context.Context, dataDir, bucket string) []meta.Object {
	t.Helper()
	store, err := server.OpenMeta(ctx, dataDir, server.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open metadata: %v", err)
	}
	defer store.Close()
	var objects []meta.Object
	err = store.View(ctx, func(tx meta.ReadTx) error {
		after := ""
		for {
			page, err := tx.ListObjects(meta.ObjectRange{Bucket: bucket, After: after, Limit: 100})
			if err != nil {
				return fmt.Errorf("list objects after %q: %w", after, err)
			}
			if len(page) == 0 {
				return nil
			}
			for _, o := range page {
				full, err := tx.GetObject(bucket, o.Key)
				if err != nil {
					return fmt.Errorf("get object %s: %w", o.Key, err)
				}
				objects = append(objects, full)
			}
			after = page[len(page)-1].Key
		}
	})
	if err != nil {
		t.Fatalf("read objects: %v", err)
	}
	return objects
}

// uploadParts is an upload in progress with its parts, extents included.
type uploadParts struct {
	meta.Upload
	Parts []meta.Part
}

// readUploads returns every upload in progress of the bucket with its
// parts, from the metadata store.
func readUploads(t *testing.T, ctx context.Context, dataDir, bucket string) []uploadParts {
	t.Helper()
	store, err := server.OpenMeta(ctx, dataDir, server.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open metadata: %v", err)
	}
	defer store.Close()
	var uploads []uploadParts
	err = store.View(ctx, func(tx meta.ReadTx) error {
		q := meta.UploadRange{Bucket: bucket, Limit: 100}
		for {
			page, err := tx.ListUploads(q)
			if err != nil {
				return fmt.Errorf("list uploads after %q/%s: %w", q.AfterKey, q.AfterID, err)
			}
			if len(page) == 0 {
				return nil
			}
			for _, u := range page {
				parts, err := tx.ListParts(u.ID, 0, 0, true)
				if err != nil {
					return fmt.Errorf("list parts of %s: %w", u.ID, err)
				}
				uploads = append(uploads, uploadParts{Upload: u, Parts: parts})
			}
			last := page[len(page)-1]
			q.AfterKey, q.AfterInitiated, q.AfterID = last.Key, last.Initiated, last.ID
		}
	})
	if err != nil {
		t.Fatalf("read uploads: %v", err)
	}
	return uploads
}

// walkBlobs returns every committed blob with its size, and fails the test
// for any file under blobs/ that is not a blob the store reports.
func walkBlobs(t *testing.T, ctx context.Context, dataDir string) map[s3.BlobID]int64 {
	t.Helper()
	blobs, err := fsblob.Open(dataDir)
	if err != nil {
		t.Fatalf("open blob store: %v", err)
	}
	onDisk := map[s3.BlobID]int64{}
	if err := blobs.Walk(ctx, func(info blob.Info) error {
		onDisk[info.ID] = info.Size
		return nil
	}); err != nil {
		t.Fatalf("walk blobs: %v", err)
	}
	root := filepath.Join(dataDir, "blobs")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		id, perr := s3.ParseBlobID(d.Name())
		if _, ok := onDisk[id]; perr != nil || !ok {
			rel, _ := filepath.Rel(dataDir, path)
			t.Errorf("%s is under blobs/ but is not a blob the store walks", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return onDisk
}

// checkRefCounts checks the metadata store's reference counts against the
// extents found: after a full collection every dead extent is released, so
// each blob's count is exactly the number of live extents naming it, and
// no blob record is garbage.
func checkRefCounts(t *testing.T, ctx context.Context, dataDir string, refs, onDisk map[s3.BlobID]int64) {
	t.Helper()
	store, err := server.OpenMeta(ctx, dataDir, server.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open metadata: %v", err)
	}
	defer store.Close()
	ids := slices.Collect(maps.Keys(refs))
	for id := range onDisk {
		if refs[id] == 0 {
			ids = append(ids, id)
		}
	}
	var counts map[s3.BlobID]int64
	var garbage []s3.BlobID
	err = store.View(ctx, func(tx meta.ReadTx) error {
		var err error
		if counts, err = tx.BlobRefs(ids); err != nil {
			return err
		}
		garbage, err = tx.GarbageBlobs(10)
		return err
	})
	if err != nil {
		t.Fatalf("read reference counts: %v", err)
	}
	for _, id := range slices.SortedFunc(slices.Values(ids), compareIDs) {
		got, known := counts[id]
		switch {
		case !known && refs[id] > 0:
			t.Errorf("blob %s is referred to by %d extents of objects and parts but unknown to the metadata store", id, refs[id])
		case known && got != refs[id]:
			t.Errorf("blob %s has reference count %d, but %d extents of objects and parts refer to it", id, got, refs[id])
		}
	}
	for _, id := range garbage {
		t.Errorf("blob %s is still garbage after collection", id)
	}
}

func compareIDs(a, b s3.BlobID) int { return slices.Compare(a[:], b[:]) }
