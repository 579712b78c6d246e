package sqlmeta

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
)

func openInternal(t *testing.T) *Store {
	t.Helper()
	s, err := OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "meta.db"), Options{})
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// holdWriter makes the writer run a function that waits until release is
// called, so that the Updates submitted meanwhile queue up and form the
// next batch.
func holdWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	started, wait := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Update(context.Background(), func(meta.Tx) error {
			close(started)
			<-wait
			return nil
		})
	}()
	<-started
	return func() {
		close(wait)
		if err := <-done; err != nil {
			t.Errorf("holding Update: %v", err)
		}
	}
}

// waitQueued waits until n Updates are queued behind the held writer.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.group.queue) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d updates queued, want %d", len(s.group.queue), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// submit runs Update in the background and returns its result channel.
func submit(ctx context.Context, s *Store, fn func(meta.Tx) error) <-chan error {
	done := make(chan error, 1)
	go func() { done <- s.Update(ctx, fn) }()
	return done
}

func createBucket(name string) func(meta.Tx) error {
	return func(tx meta.Tx) error { return tx.CreateBucket(meta.Bucket{Name: name}) }
}

func bucketExists(t *testing.T, s *Store, name string) bool {
	t.Helper()
	err := s.View(t.Context(), func(tx meta.ReadTx) error {
		_, err := tx.GetBucket(name)
		return err
	})
	if err != nil && !errors.Is(err, meta.ErrNotFound) {
		t.Fatalf("GetBucket(%s): %v", name, err)
	}
	return err == nil
}

// TestGroupCommitFailureFailsBatch makes COMMIT itself fail, with a
// deferred foreign key that one function violates, and checks that every
// caller in the batch gets the error and nothing is kept.
func TestGroupCommitFailureFailsBatch(t *testing.T) {
	s := openInternal(t)
	for _, q := range []string{
		`CREATE TABLE fk_parent (id INTEGER PRIMARY KEY)`,
		`CREATE TABLE fk_child (pid INTEGER REFERENCES fk_parent (id) DEFERRABLE INITIALLY DEFERRED)`,
		`PRAGMA foreign_keys = ON`, // the writer has one connection, so this sticks
	} {
		if _, err := s.group.db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	release := holdWriter(t, s)
	violate := submit(t.Context(), s, func(tx meta.Tx) error {
		w := tx.(*writer)
		_, err := w.c.tx.ExecContext(w.c.ctx, `INSERT INTO fk_child (pid) VALUES (42)`)
		return err
	})
	waitQueued(t, s, 1)
	innocent := submit(t.Context(), s, createBucket("innocent"))
	waitQueued(t, s, 2)
	release()

	for name, done := range map[string]<-chan error{"violating": violate, "innocent": innocent} {
		if err := <-done; err == nil {
			t.Errorf("%s Update in a batch whose COMMIT failed returned nil", name)
		}
	}
	if bucketExists(t, s, "innocent") {
		t.Errorf("a write of the failed batch was kept")
	}
	// The writer recovers.
	if err := s.Update(t.Context(), createBucket("after")); err != nil {
		t.Fatalf("Update after a failed commit: %v", err)
	}
}

// TestGroupCommitCancelledWhileQueued checks that a caller whose context
// ends while it waits in the queue gets ctx.Err() and its fn never runs.
func TestGroupCommitCancelledWhileQueued(t *testing.T) {
	s := openInternal(t)
	release := holdWriter(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan struct{}, 1)
	cancelled := submit(ctx, s, func(tx meta.Tx) error {
		ran <- struct{}{}
		return tx.CreateBucket(meta.Bucket{Name: "cancelled"})
	})
	waitQueued(t, s, 1)
	other := submit(t.Context(), s, createBucket("other"))
	waitQueued(t, s, 2)
	cancel()
	release()
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Update = %v, want context.Canceled", err)
	}
	if err := <-other; err != nil {
		t.Errorf("Update batched with a cancelled one: %v", err)
	}
	select {
	case <-ran:
		t.Errorf("a cancelled Update's fn ran")
	default:
	}
	if bucketExists(t, s, "cancelled") || !bucketExists(t, s, "other") {
		t.Errorf("want bucket other only")
	}
}

// TestGroupCommitBatches checks that Updates queued during a commit share
// the next transaction, each isolated by its savepoint.
func TestGroupCommitBatches(t *testing.T) {
	s := openInternal(t)
	release := holdWriter(t, s)
	const n = 10
	var results []<-chan error
	for i := range n {
		fn := createBucket(string(rune('a' + i)))
		if i%3 == 0 {
			fn = func(tx meta.Tx) error {
				if err := tx.CreateBucket(meta.Bucket{Name: "failed"}); err != nil {
					return err
				}
				return errors.New("no")
			}
		}
		results = append(results, submit(t.Context(), s, fn))
		waitQueued(t, s, i+1)
	}
	release()
	for i, done := range results {
		if err := <-done; (err != nil) != (i%3 == 0) {
			t.Errorf("Update %d: %v", i, err)
		}
	}
	if bucketExists(t, s, "failed") {
		t.Errorf("a failed function's bucket was committed")
	}
	for i := range n {
		if name := string(rune('a' + i)); i%3 != 0 && !bucketExists(t, s, name) {
			t.Errorf("bucket %s is missing", name)
		}
	}
}

// TestCloseDrainsQueue checks that Close lets queued Updates commit and
// that the store refuses work afterwards.
func TestCloseDrainsQueue(t *testing.T) {
	s := openInternal(t)
	release := holdWriter(t, s)
	queued := submit(t.Context(), s, createBucket("queued"))
	waitQueued(t, s, 1)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	release()
	if err := <-queued; err != nil {
		t.Errorf("Update queued before Close: %v", err)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Update(t.Context(), createBucket("late")); !errors.Is(err, ErrClosed) {
		t.Errorf("Update after Close = %v, want ErrClosed", err)
	}
	if err := s.View(t.Context(), func(meta.ReadTx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("View after Close = %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestTxUnusableAfterFn checks that a Tx kept past its function fails.
func TestTxUnusableAfterFn(t *testing.T) {
	s := openInternal(t)
	var kept meta.Tx
	if err := s.Update(t.Context(), func(tx meta.Tx) error { kept = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := kept.CreateBucket(meta.Bucket{Name: "x"}); !errors.Is(err, errTxDone) {
		t.Errorf("CreateBucket on a finished Tx = %v, want errTxDone", err)
	}
	var keptRead meta.ReadTx
	if err := s.View(t.Context(), func(tx meta.ReadTx) error { keptRead = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := keptRead.GetBucket("x"); !errors.Is(err, errTxDone) {
		t.Errorf("GetBucket on a finished ReadTx = %v, want errTxDone", err)
	}
}
