// Package memblob is a blob.Store in memory, for tests and ephemeral
// servers. Nothing survives the process.
package memblob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// Store is an in-memory blob.Store. It is safe for concurrent use.
type Store struct {
	now func() time.Time

	mu    sync.RWMutex
	blobs map[s3.BlobID]entry
}

var _ blob.Store = (*Store)(nil)

// entry is a committed blob. data is never modified after Commit, so
// readers share it without copying.
type entry struct {
	data    []byte
	modTime time.Time
}

// Option configures New.
type Option func(*Store)

// WithClock sets the clock that stamps Info.ModTime (time.Now by default),
// so that tests of age-based policies can control it.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{now: time.Now, blobs: map[s3.BlobID]entry{}}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Create starts writing blob id; it fails with blob.ErrExists if id is
// committed.
func (s *Store) Create(ctx context.Context, id s3.BlobID) (blob.Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("create blob %s: %w", id, err)
	}
	s.mu.RLock()
	_, ok := s.blobs[id]
	s.mu.RUnlock()
	if ok {
		return nil, fmt.Errorf("create blob %s: %w", id, blob.ErrExists)
	}
	return &writer{s: s, id: id}, nil
}

// Open returns a reader of length bytes of blob id from off.
func (s *Store) Open(ctx context.Context, id s3.BlobID, off, length int64) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open blob %s: %w", id, err)
	}
	s.mu.RLock()
	e, ok := s.blobs[id]
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("open blob %s: %w", id, blob.ErrNotFound)
	}
	size := int64(len(e.data))
	if off < 0 || length < 0 || off > size || length > size-off {
		return nil, fmt.Errorf("open blob %s [%d,+%d) of %d bytes: %w", id, off, length, size, blob.ErrRange)
	}
	return &reader{Reader: bytes.NewReader(e.data[off : off+length])}, nil
}

// Stat returns the size of blob id.
func (s *Store) Stat(ctx context.Context, id s3.BlobID) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("stat blob %s: %w", id, err)
	}
	s.mu.RLock()
	e, ok := s.blobs[id]
	s.mu.RUnlock()
	if !ok {
		return 0, fmt.Errorf("stat blob %s: %w", id, blob.ErrNotFound)
	}
	return int64(len(e.data)), nil
}

// Delete removes blob id; a missing blob is not an error.
func (s *Store) Delete(ctx context.Context, id s3.BlobID) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete blob %s: %w", id, err)
	}
	s.mu.Lock()
	delete(s.blobs, id)
	s.mu.Unlock()
	return nil
}

// Walk calls fn for every blob committed when Walk started. It works on a
// snapshot, so fn may call the store.
func (s *Store) Walk(ctx context.Context, fn func(info blob.Info) error) error {
	s.mu.RLock()
	infos := make([]blob.Info, 0, len(s.blobs))
	for id, e := range s.blobs {
		infos = append(infos, blob.Info{ID: id, Size: int64(len(e.data)), ModTime: e.modTime})
	}
	s.mu.RUnlock()
	for _, info := range infos {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("walk blobs: %w", err)
		}
		if err := fn(info); err != nil {
			return err
		}
	}
	return nil
}

// errWriterDone is returned by a writer used after Commit or Abort.
var errWriterDone = errors.New("blob writer already committed or aborted")

// writer collects a blob's bytes until Commit.
type writer struct {
	s    *Store
	id   s3.BlobID
	data []byte
	done bool
}

// Write appends a copy of p.
func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errWriterDone
	}
	w.data = append(w.data, p...)
	return len(p), nil
}

// Commit publishes the blob, or fails with blob.ErrExists if another
// writer committed id first.
func (w *writer) Commit(ctx context.Context) error {
	if w.done {
		return errWriterDone
	}
	w.done = true
	if err := ctx.Err(); err != nil {
		w.data = nil
		return fmt.Errorf("commit blob %s: %w", w.id, err)
	}
	s := w.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.blobs[w.id]; ok {
		w.data = nil
		return fmt.Errorf("commit blob %s: %w", w.id, blob.ErrExists)
	}
	data := w.data
	if data == nil {
		data = []byte{}
	}
	s.blobs[w.id] = entry{data: data, modTime: s.now()}
	w.data = nil
	return nil
}

// Abort discards the blob; it is a no-op after Commit.
func (w *writer) Abort() error {
	w.done = true
	w.data = nil
	return nil
}

// reader serves a range of a committed blob. *bytes.Reader provides Read
// and WriteTo.
type reader struct {
	*bytes.Reader
}

// Close implements io.Closer.
func (r *reader) Close() error { return nil }
