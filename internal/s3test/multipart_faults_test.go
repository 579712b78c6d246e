package s3test_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3test"
	"github.com/cairn-s3/cairn/internal/server"
)

// faultyMeta wraps the server's metadata store. It can hold a Complete
// between its first look at the upload (a View that reads it) and its
// commit, or fail it there, so that races and slow commits are built
// deterministically rather than hoped for; and it counts the Completes
// that committed.
type faultyMeta struct {
	meta.Store

	mu        sync.Mutex
	hold      *metaHold
	completes atomic.Int64
}

// metaHold is one armed hold: the first View that reads the upload stops,
// after its snapshot, until Release.
type metaHold struct {
	uploadID string
	// err, if set, is what the held View returns: an injected failure.
	err     error
	reached chan struct{}
	release chan struct{}
	once    sync.Once
}

// Reached is closed when a request is being held.
func (h *metaHold) Reached() <-chan struct{} { return h.reached }

// Release lets the held request go on; it may be called more than once.
func (h *metaHold) Release() { h.once.Do(func() { close(h.release) }) }

// withFaultyMeta returns the option that installs the decorator, and the
// decorator.
func withFaultyMeta() (s3test.Option, *faultyMeta) {
	m := &faultyMeta{}
	return s3test.WithConfig(func(c *server.Config) {
		c.WrapMeta = func(s meta.Store) meta.Store { m.Store = s; return m }
	}), m
}

// holdUpload arms a hold on the next request that looks up uploadID in a
// View (a Complete does so before committing). The hold is released when
// the test ends at the latest.
func (m *faultyMeta) holdUpload(t testing.TB, uploadID string, err error) *metaHold {
	h := &metaHold{uploadID: uploadID, err: err, reached: make(chan struct{}), release: make(chan struct{})}
	m.mu.Lock()
	m.hold = h
	m.mu.Unlock()
	t.Cleanup(h.Release)
	return h
}

// View implements meta.Store.
func (m *faultyMeta) View(ctx context.Context, fn func(tx meta.ReadTx) error) error {
	m.mu.Lock()
	h := m.hold
	m.mu.Unlock()
	if h == nil {
		return m.Store.View(ctx, fn)
	}
	var seen atomic.Bool
	err := m.Store.View(ctx, func(tx meta.ReadTx) error {
		return fn(uploadLookupSpy{ReadTx: tx, id: h.uploadID, seen: &seen})
	})
	if err != nil || !seen.Load() {
		return err
	}
	m.mu.Lock()
	fire := m.hold == h
	if fire {
		m.hold = nil
	}
	m.mu.Unlock()
	if !fire {
		return nil
	}
	close(h.reached)
	<-h.release
	return h.err
}

// Update implements meta.Store, counting committed CompleteUpload calls.
func (m *faultyMeta) Update(ctx context.Context, fn func(tx meta.Tx) error) error {
	var completed atomic.Bool
	err := m.Store.Update(ctx, func(tx meta.Tx) error {
		completed.Store(false) // fn may run again on a retry
		return fn(completeSpy{Tx: tx, done: &completed})
	})
	if err == nil && completed.Load() {
		m.completes.Add(1)
	}
	return err
}

// uploadLookupSpy notes whether a transaction read one upload.
type uploadLookupSpy struct {
	meta.ReadTx
	id   string
	seen *atomic.Bool
}

func (s uploadLookupSpy) GetUpload(id string) (meta.Upload, error) {
	if id == s.id {
		s.seen.Store(true)
	}
	return s.ReadTx.GetUpload(id)
}

// completeSpy notes a successful CompleteUpload.
type completeSpy struct {
	meta.Tx
	done *atomic.Bool
}

func (s completeSpy) CompleteUpload(c meta.Completion, o meta.Object, unused []meta.Part) (*meta.Object, error) {
	prev, err := s.Tx.CompleteUpload(c, o, unused)
	if err == nil {
		s.done.Store(true)
	}
	return prev, err
}
