package metatest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cairn-s3/cairn/internal/meta"
)

func bucketExists(t *testing.T, st meta.Store, name string) bool {
	t.Helper()
	var found bool
	view(t, st, func(tx meta.ReadTx) error {
		_, err := tx.GetBucket(name)
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, meta.ErrNotFound):
			return err
		}
		return nil
	})
	return found
}

func testUpdateErrorRollsBack(t *testing.T, s *suite) {
	st := s.store(t)
	err := st.Update(t.Context(), func(tx meta.Tx) error {
		if err := tx.CreateBucket(meta.Bucket{Name: "doomed"}); err != nil {
			return err
		}
		if _, err := tx.PutObject(inlineObject("doomed", "k", []byte("x"))); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", errBoom)
	})
	wantErr(t, "Update", err, errBoom)
	if bucketExists(t, st, "doomed") {
		t.Errorf("a failed Update's bucket exists")
	}
	view(t, st, func(tx meta.ReadTx) error {
		_, err := tx.GetObject("doomed", "k")
		wantErr(t, "GetObject written by a failed Update", err, meta.ErrNotFound)
		return nil
	})
}

// runConcurrently runs fn(i) for i in [0, n) on n goroutines released
// together, so that a group-committing store batches them.
func runConcurrently(n int, fn func(i int)) {
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Go(func() {
			start.Wait()
			fn(i)
		})
	}
	start.Done()
	done.Wait()
}

// testUpdateConcurrentFailures mixes failing and succeeding Updates and
// checks that each failure undid only its own writes.
func testUpdateConcurrentFailures(t *testing.T, s *suite) {
	st := s.store(t)
	const n = 40
	errs := make([]error, n)
	runConcurrently(n, func(i int) {
		errs[i] = st.Update(ctxTimeout(t), func(tx meta.Tx) error {
			if err := tx.CreateBucket(meta.Bucket{Name: fmt.Sprintf("b%02d", i)}); err != nil {
				return err
			}
			if i%2 == 1 {
				return errBoom
			}
			return nil
		})
	})
	for i, err := range errs {
		want := error(nil)
		if i%2 == 1 {
			want = errBoom
		}
		if !errors.Is(err, want) {
			t.Errorf("Update %d: got %v, want %v", i, err, want)
		}
		if got := bucketExists(t, st, fmt.Sprintf("b%02d", i)); got != (i%2 == 0) {
			t.Errorf("bucket of Update %d exists: %v", i, got)
		}
	}
}

// testUpdatePanic checks that a panicking function fails its own Update,
// either by returning an error or by panicking in the caller, and leaves
// the store and concurrent Updates unharmed.
func testUpdatePanic(t *testing.T, s *suite) {
	st := s.store(t)
	const n = 20
	failed := make([]bool, n)
	errs := make([]error, n)
	runConcurrently(n, func(i int) {
		defer func() {
			if recover() != nil {
				failed[i] = true
			}
		}()
		errs[i] = st.Update(ctxTimeout(t), func(tx meta.Tx) error {
			if err := tx.CreateBucket(meta.Bucket{Name: fmt.Sprintf("b%02d", i)}); err != nil {
				return err
			}
			if i%2 == 1 {
				panic("metatest: panic in Update")
			}
			return nil
		})
		failed[i] = failed[i] || errs[i] != nil
	})
	for i := range n {
		if failed[i] != (i%2 == 1) {
			t.Errorf("Update %d failed = %v (error %v)", i, failed[i], errs[i])
		}
		if got := bucketExists(t, st, fmt.Sprintf("b%02d", i)); got != (i%2 == 0) {
			t.Errorf("bucket of Update %d exists: %v", i, got)
		}
	}
	update(t, st, func(tx meta.Tx) error { return tx.CreateBucket(meta.Bucket{Name: "after"}) })
	if !bucketExists(t, st, "after") {
		t.Errorf("Update after panics did not commit")
	}
}

func testUpdateCancelled(t *testing.T, s *suite) {
	st := s.store(t)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancel2 := context.WithTimeout(t.Context(), 0)
	defer cancel2()
	for _, tc := range []struct {
		ctx  context.Context
		want error
	}{{cancelled, context.Canceled}, {expired, context.DeadlineExceeded}} {
		ran := false
		err := st.Update(tc.ctx, func(tx meta.Tx) error {
			ran = true
			return tx.CreateBucket(meta.Bucket{Name: "never"})
		})
		wantErr(t, "Update with a done context", err, tc.want)
		if ran {
			t.Errorf("Update ran fn with a done context")
		}
	}
	if bucketExists(t, st, "never") {
		t.Errorf("Update with a done context wrote")
	}
}

// testConcurrency runs 50 goroutines of Updates and Views (under -race it
// also checks the store's own synchronisation).
func testConcurrency(t *testing.T, s *suite) {
	st := s.store(t)
	const workers, rounds = 50, 4
	var failures atomic.Int32
	fail := func(format string, args ...any) {
		failures.Add(1)
		t.Errorf(format, args...)
	}
	runConcurrently(workers, func(w int) {
		ctx := ctxTimeout(t)
		for r := range rounds {
			key := fmt.Sprintf("w%02d/r%d", w, r)
			err := st.Update(ctx, func(tx meta.Tx) error {
				_, err := tx.PutObject(inlineObject("b", key, []byte(key)))
				return err
			})
			if err != nil {
				fail("Update %s: %v", key, err)
				return
			}
			err = st.View(ctx, func(tx meta.ReadTx) error {
				o, err := tx.GetObject("b", key)
				if err != nil {
					return err
				}
				if string(o.Inline) != key {
					fail("GetObject(%s) read %q", key, o.Inline)
				}
				objs, err := tx.ListObjects(meta.ObjectRange{Bucket: "b", From: fmt.Sprintf("w%02d/", w), Before: fmt.Sprintf("w%02d0", w), Limit: 100})
				if err != nil {
					return err
				}
				if len(objs) != r+1 {
					fail("worker %d sees %d of its objects after %d puts", w, len(objs), r+1)
				}
				return nil
			})
			if err != nil {
				fail("View %s: %v", key, err)
			}
		}
	})
	if failures.Load() > 0 {
		return
	}
	view(t, st, func(tx meta.ReadTx) error {
		objs, err := tx.ListObjects(meta.ObjectRange{Bucket: "b", Limit: 1000})
		if err != nil {
			return err
		}
		if len(objs) != workers*rounds {
			t.Errorf("listed %d objects, want %d", len(objs), workers*rounds)
		}
		return nil
	})
}

// testReadModifyWrite increments one counter from many goroutines: with
// isolated Updates no increment is lost.
func testReadModifyWrite(t *testing.T, s *suite) {
	st := s.store(t)
	putObjects(t, st, nil, inlineObject("b", "counter", nil))
	const n = 30
	runConcurrently(n, func(int) {
		err := st.Update(ctxTimeout(t), func(tx meta.Tx) error {
			o, err := tx.GetObject("b", "counter")
			if err != nil {
				return err
			}
			o.Size++
			_, err = tx.PutObject(o)
			return err
		})
		if err != nil {
			t.Errorf("Update: %v", err)
		}
	})
	view(t, st, func(tx meta.ReadTx) error {
		o, err := tx.GetObject("b", "counter")
		if err != nil {
			return err
		}
		if o.Size != n {
			t.Errorf("counter = %d after %d increments", o.Size, n)
		}
		return nil
	})
}

// testViewSnapshot checks that a View does not see an Update that commits
// while it runs.
func testViewSnapshot(t *testing.T, s *suite) {
	st := s.store(t)
	putObjects(t, st, nil, inlineObject("b", "x", []byte("old")), inlineObject("b", "y", []byte("old")))
	read := func(tx meta.ReadTx, key string) string {
		o, err := tx.GetObject("b", key)
		if err != nil {
			t.Errorf("GetObject(%s): %v", key, err)
		}
		return string(o.Inline)
	}
	view(t, st, func(tx meta.ReadTx) error {
		if got := read(tx, "x"); got != "old" {
			t.Errorf("x = %q before the Update", got)
		}
		// Views run concurrently with Update: this one must commit now.
		done := make(chan error, 1)
		go func() {
			done <- st.Update(ctxTimeout(t), func(tx meta.Tx) error {
				for _, k := range []string{"x", "y"} {
					if _, err := tx.PutObject(inlineObject("b", k, []byte("new"))); err != nil {
						return err
					}
				}
				return nil
			})
		}()
		if err := <-done; err != nil {
			t.Fatalf("Update during View: %v", err)
		}
		for _, k := range []string{"y", "x"} {
			if got := read(tx, k); got != "old" {
				t.Errorf("View sees %s = %q written after it began", k, got)
			}
		}
		return nil
	})
	view(t, st, func(tx meta.ReadTx) error {
		for _, k := range []string{"x", "y"} {
			if got := read(tx, k); got != "new" {
				t.Errorf("a later View sees %s = %q", k, got)
			}
		}
		return nil
	})
}

// testDurability closes the store and checks that a reopened one holds
// every acknowledged Update.
func testDurability(t *testing.T, s *suite) {
	if s.reopen == nil {
		t.Skip("the store does not persist (no WithReopen)")
	}
	st := s.open(t)
	const n = 32
	blobs := newBlobs(n)
	runConcurrently(n, func(i int) {
		err := st.Update(ctxTimeout(t), func(tx meta.Tx) error {
			if err := tx.AddBlobs(blobs[i]); err != nil {
				return err
			}
			_, err := tx.PutObject(fullObject("b", fmt.Sprintf("k%02d", i), blobs[i].ID))
			return err
		})
		if err != nil {
			t.Errorf("Update %d: %v", i, err)
		}
	})
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	st = s.reopen(t, st)
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	for i := range n {
		checkObject(t, st, fullObject("b", fmt.Sprintf("k%02d", i), blobs[i].ID))
	}
}
