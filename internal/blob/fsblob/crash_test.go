package fsblob_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/blob/fsblob"
	"github.com/cairn-s3/cairn/internal/s3"
)

const crashRoot = "/var/lib/cairn"

// crashPoint is the state of the disk after a simulated power loss.
type crashPoint struct {
	label     string
	fs        *fsblob.MemFS
	committed []s3.BlobID // blobs whose Commit had returned nil
}

// contentOf is the bytes written for id: its size and contents derive from
// the ID, so a recovered blob can be checked without remembering it.
func contentOf(id s3.BlobID, maxSize int) []byte {
	size := binary.LittleEndian.Uint64(id[:8]) % uint64(maxSize+1)
	var seed [32]byte
	copy(seed[:], id[:])
	b := make([]byte, size)
	rand.NewChaCha8(seed).Read(b)
	return b
}

// checkRecovery reopens the store on a crash clone and checks the
// guarantees: every committed blob is complete, every other blob is
// absent or complete, and tmp/ is empty.
func checkRecovery(t *testing.T, cp crashPoint, maxSize int) {
	t.Helper()
	ctx := context.Background()
	s, err := fsblob.Open(crashRoot, fsblob.WithFS(cp.fs))
	if err != nil {
		t.Fatalf("%s: reopen: %v", cp.label, err)
	}
	if left, err := cp.fs.ReadDir(path.Join(crashRoot, "tmp")); err != nil || len(left) != 0 {
		t.Errorf("%s: tmp/ after reopen has %d entries, %v", cp.label, len(left), err)
	}
	for _, id := range cp.committed {
		if _, err := s.Stat(ctx, id); err != nil {
			t.Errorf("%s: committed blob %s lost: %v", cp.label, id, err)
		}
	}
	err = s.Walk(ctx, func(info blob.Info) error {
		want := contentOf(info.ID, maxSize)
		if info.Size != int64(len(want)) {
			return fmt.Errorf("%s: blob %s has %d bytes, want %d", cp.label, info.ID, info.Size, len(want))
		}
		got, err := readAll(ctx, s, info.ID)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("%s: blob %s has the right size but wrong bytes", cp.label, info.ID)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

func readAll(ctx context.Context, s blob.Store, id s3.BlobID) ([]byte, error) {
	size, err := s.Stat(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := s.Open(ctx, id, 0, size)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	_, err = buf.ReadFrom(r)
	return buf.Bytes(), errors.Join(err, r.Close())
}

// TestCrashAtEveryStep simulates a power loss after every file system
// operation of one Create→Write→Commit, and after Commit returns.
func TestCrashAtEveryStep(t *testing.T) {
	const maxSize = 1 << 20
	mem := fsblob.NewMemFS()
	h := &hookFS{fs: mem, root: crashRoot}
	s, err := fsblob.Open(crashRoot, fsblob.WithFS(h))
	if err != nil {
		t.Fatal(err)
	}
	// A blob committed earlier must survive every crash.
	earlier := blobWithSize(t, 1, 1000, maxSize)
	writeWhole(t, s, earlier, maxSize, 64<<10)

	id := blobWithSize(t, 2, 300<<10, maxSize)
	var points []crashPoint
	kinds := map[string]bool{}
	h.after = func(o fsOp, _ error) {
		kinds[o.kind] = true
		points = append(points, crashPoint{label: "after " + o.String(), fs: mem.CrashClone(), committed: []s3.BlobID{earlier}})
	}
	writeWhole(t, s, id, maxSize, 64<<10)
	h.after = nil
	points = append(points, crashPoint{label: "after Commit returned", fs: mem.CrashClone(), committed: []s3.BlobID{earlier, id}})

	for _, cp := range points {
		checkRecovery(t, cp, maxSize)
	}
	// The test is only as good as its crash points: it must have crashed
	// after writes, the file sync, the rename and the directory sync.
	for _, k := range []string{"write", "sync", "rename", "syncdir"} {
		if !kinds[k] {
			t.Errorf("no crash point after a %q operation; had %v", k, kinds)
		}
	}
}

// TestCrashConcurrentWriters crashes at many points while several writers
// commit blobs concurrently.
func TestCrashConcurrentWriters(t *testing.T) {
	const maxSize, writers, perWriter, every = 64 << 10, 4, 6, 4
	ctx := context.Background()
	mem := fsblob.NewMemFS()
	h := &hookFS{fs: mem, root: crashRoot}
	s, err := fsblob.Open(crashRoot, fsblob.WithFS(h))
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu        sync.Mutex // orders "Commit returned" against snapshots
		committed []s3.BlobID
		points    []crashPoint
		ops       atomic.Int64
	)
	h.after = func(o fsOp, _ error) {
		if ops.Add(1)%every != 0 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		points = append(points, crashPoint{
			label:     fmt.Sprintf("op %d (%s)", ops.Load(), o),
			committed: append([]s3.BlobID(nil), committed...),
			fs:        mem.CrashClone(),
		})
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id := s3.NewBlobID()
				data := contentOf(id, maxSize)
				if err := writeChunked(ctx, s, id, data, 16<<10); err != nil {
					t.Errorf("writer %d blob %d: %v", w, i, err)
					return
				}
				mu.Lock()
				committed = append(committed, id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	h.after = nil
	points = append(points, crashPoint{label: "at the end", fs: mem.CrashClone(), committed: committed})
	if len(committed) != writers*perWriter {
		t.Fatalf("%d blobs committed, want %d", len(committed), writers*perWriter)
	}
	for _, cp := range points {
		checkRecovery(t, cp, maxSize)
	}
	t.Logf("checked %d crash points", len(points))
}

// blobWithSize draws IDs until contentOf gives at least minSize bytes, so
// that the blob takes several writes.
func blobWithSize(t *testing.T, seed uint64, minSize, maxSize int) s3.BlobID {
	r := rand.New(rand.NewPCG(seed, 2))
	for {
		var id s3.BlobID
		binary.LittleEndian.PutUint64(id[:8], r.Uint64())
		binary.LittleEndian.PutUint64(id[8:], r.Uint64())
		if len(contentOf(id, maxSize)) >= minSize {
			return id
		}
	}
}

// writeWhole writes contentOf(id) as blob id, failing the test on error.
func writeWhole(t *testing.T, s blob.Store, id s3.BlobID, maxSize, chunk int) {
	t.Helper()
	if err := writeChunked(context.Background(), s, id, contentOf(id, maxSize), chunk); err != nil {
		t.Fatal(err)
	}
}

// writeChunked creates, writes and commits a blob.
func writeChunked(ctx context.Context, s blob.Store, id s3.BlobID, data []byte, chunk int) error {
	w, err := s.Create(ctx, id)
	if err != nil {
		return err
	}
	for rest := data; len(rest) > 0; {
		n := min(chunk, len(rest))
		if _, err := w.Write(rest[:n]); err != nil {
			return errors.Join(err, w.Abort())
		}
		rest = rest[n:]
	}
	if err := w.Commit(ctx); err != nil {
		return errors.Join(err, w.Abort())
	}
	return nil
}

// TestCrashDuringOpen: a power loss at any point of the first Open leaves
// a root that the next Open completes into a working store.
func TestCrashDuringOpen(t *testing.T) {
	mem := fsblob.NewMemFS()
	h := &hookFS{fs: mem, root: crashRoot}
	var points []crashPoint
	h.after = func(o fsOp, _ error) {
		points = append(points, crashPoint{label: "after " + o.String(), fs: mem.CrashClone()})
	}
	if _, err := fsblob.Open(crashRoot, fsblob.WithFS(h)); err != nil {
		t.Fatal(err)
	}
	for i, cp := range points {
		if i%16 != 0 && i != len(points)-1 {
			continue // the shard mkdirs are alike; sample them
		}
		s, err := fsblob.Open(crashRoot, fsblob.WithFS(cp.fs))
		if err != nil {
			t.Fatalf("%s: reopen: %v", cp.label, err)
		}
		if err := writeChunked(context.Background(), s, s3.NewBlobID(), []byte("works"), 5); err != nil {
			t.Fatalf("%s: write after reopen: %v", cp.label, err)
		}
	}
}
