package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// concurrencyCases hammer a store from many goroutines; run them with
// -race.
var concurrencyCases = []testCase{
	{"ConcurrentCreateReadDelete", testConcurrentCreateReadDelete},
	{"ConcurrentReadersOfOneBlob", testConcurrentReaders},
	{"ConcurrentCommitsOfOneID", testConcurrentCommitsOfOneID},
}

// testConcurrentCreateReadDelete runs writers that create, read back and
// delete blobs while another goroutine walks; in the end Walk sees exactly
// the blobs that were not deleted.
func testConcurrentCreateReadDelete(t *testing.T, s blob.Store) {
	const workers, perWorker = 8, 10
	ctx := context.Background()
	var sizes sync.Map // s3.BlobID → int64, registered before Commit
	var done atomic.Bool
	var wg sync.WaitGroup
	survivors := make([]map[s3.BlobID]int64, workers)
	for w := range workers {
		survivors[w] = map[s3.BlobID]int64{}
		wg.Go(func() {
			for i := range perWorker {
				seed := uint64(w*perWorker + i)
				data := randomBytes(seed, int(seed*997%40_000))
				id := s3.NewBlobID()
				sizes.Store(id, int64(len(data)))
				if err := writeBlob(ctx, s, id, data); err != nil {
					t.Error(err)
					return
				}
				if err := checkBlob(ctx, s, id, data); err != nil {
					t.Error(err)
					return
				}
				if i%2 == 1 {
					survivors[w][id] = int64(len(data))
					continue
				}
				if err := s.Delete(ctx, id); err != nil {
					t.Errorf("Delete(%s): %v", id, err)
					return
				}
				if _, err := s.Open(ctx, id, 0, 0); !isNotFound(err) {
					t.Errorf("Open(%s) after Delete = %v, want ErrNotFound", id, err)
					return
				}
			}
		})
	}
	var walker sync.WaitGroup
	walker.Go(func() {
		for !done.Load() {
			err := s.Walk(ctx, func(info blob.Info) error {
				size, ok := sizes.Load(info.ID)
				if !ok || size.(int64) != info.Size {
					return fmt.Errorf("walk reported %s of %d bytes, which was never committed so", info.ID, info.Size)
				}
				return nil
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()
	done.Store(true)
	walker.Wait()

	want := map[s3.BlobID]int64{}
	for _, m := range survivors {
		for id, size := range m {
			want[id] = size
		}
	}
	got := walkAll(t, s)
	if len(got) != len(want) {
		t.Fatalf("Walk found %d blobs, want %d", len(got), len(want))
	}
	for id, size := range want {
		if got[id] != size {
			t.Errorf("Walk: %s has %d bytes, want %d", id, got[id], size)
		}
	}
}

// testConcurrentReaders reads one blob from many goroutines at once, by
// ranges that overlap.
func testConcurrentReaders(t *testing.T, s blob.Store) {
	const size, readers = 256 << 10, 16
	ctx := context.Background()
	id := s3.NewBlobID()
	data := randomBytes(50, size)
	put(t, s, id, data, 64<<10)
	var wg sync.WaitGroup
	for g := range readers {
		wg.Go(func() {
			off := int64(g * (size / readers / 2))
			length := int64(size / 2)
			r, err := s.Open(ctx, id, off, length)
			if err != nil {
				t.Errorf("Open: %v", err)
				return
			}
			defer r.Close()
			var got []byte
			if g%2 == 0 {
				got, err = io.ReadAll(onlyReader{r})
			} else {
				var buf bytes.Buffer
				_, err = io.Copy(&buf, r) // WriteTo, if the reader has it
				got = buf.Bytes()
			}
			if err != nil || !bytes.Equal(got, data[off:off+length]) {
				t.Errorf("reader %d: %d bytes, %v; want the blob's [%d,+%d)", g, len(got), err, off, length)
			}
		})
	}
	wg.Wait()
}

// testConcurrentCommitsOfOneID races writers of the same IDs: for each ID
// exactly one Commit succeeds and the blob holds that writer's bytes.
func testConcurrentCommitsOfOneID(t *testing.T, s blob.Store) {
	const ids, writers = 6, 4
	ctx := context.Background()
	for n := range ids {
		id := s3.NewBlobID()
		var wg sync.WaitGroup
		var wins atomic.Int32
		winner := make([][]byte, writers)
		for w := range writers {
			wg.Go(func() {
				data := randomBytes(uint64(100*n+w), 1000+w)
				err := writeBlob(ctx, s, id, data)
				switch {
				case err == nil:
					wins.Add(1)
					winner[w] = data
				case !errors.Is(err, blob.ErrExists):
					t.Errorf("writer %d of %s: %v, want nil or ErrExists", w, id, err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d writers of %s committed, want exactly 1", wins.Load(), id)
		}
		for _, data := range winner {
			if data != nil {
				if err := checkBlob(ctx, s, id, data); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if got := walkAll(t, s); len(got) != ids {
		t.Fatalf("Walk found %d blobs, want %d", len(got), ids)
	}
}

// writeBlob creates, writes and commits a blob, aborting on failure. It
// returns errors rather than failing the test, for use in goroutines.
func writeBlob(ctx context.Context, s blob.Store, id s3.BlobID, data []byte) error {
	w, err := s.Create(ctx, id)
	if err != nil {
		return err
	}
	for rest := data; len(rest) > 0; {
		n := min(len(rest), 8192)
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

// checkBlob reads blob id back whole and by a range, in both ways.
func checkBlob(ctx context.Context, s blob.Store, id s3.BlobID, data []byte) error {
	size, err := s.Stat(ctx, id)
	if err != nil || size != int64(len(data)) {
		return fmt.Errorf("Stat(%s) = %d, %v; want %d", id, size, err, len(data))
	}
	off := int64(len(data) / 3)
	for _, rng := range [][2]int64{{0, size}, {off, size - 2*off}} {
		want := data[rng[0] : rng[0]+rng[1]]
		for _, viaWriteTo := range []bool{false, true} {
			r, err := s.Open(ctx, id, rng[0], rng[1])
			if err != nil {
				return fmt.Errorf("Open(%s, %d, %d): %w", id, rng[0], rng[1], err)
			}
			var buf bytes.Buffer
			if viaWriteTo {
				_, err = io.Copy(onlyWriter{&buf}, r)
			} else {
				_, err = io.Copy(&buf, onlyReader{r})
			}
			err = errors.Join(err, r.Close())
			if err != nil || !bytes.Equal(buf.Bytes(), want) {
				return fmt.Errorf("read %s [%d,+%d): %d bytes, %v", id, rng[0], rng[1], buf.Len(), err)
			}
		}
	}
	return nil
}
