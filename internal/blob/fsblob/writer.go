package fsblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"

	"github.com/cairn-s3/cairn/internal/s3"
)

// errWriterDone is returned by a writer used after Commit or Abort.
var errWriterDone = errors.New("blob writer already committed or aborted")

// writerState is where a writer is in its life.
type writerState int

const (
	writing   writerState = iota
	committed             // Commit returned nil
	discarded             // Abort ran or Commit failed; nothing remains
)

// writer writes one blob into a temporary file. Writes go straight to the
// file: callers already write large buffers, and a copy into a buffer of
// our own would only cost memory bandwidth.
type writer struct {
	s     *Store
	id    s3.BlobID
	tmp   string
	f     File // nil once closed
	err   error
	state writerState
	// renamed is set once the file has its final name, so that a failure
	// after the rename removes the final name rather than the temporary one.
	renamed bool
	// written counts the bytes written; flushed and prevFlushed are where
	// the last two writeback chunks start.
	written, flushed, prevFlushed int64
}

// writebackChunk is how much a writer accumulates before starting its
// writeback: large enough for efficient I/O, small enough that a blob's
// final fsync has little left to do.
const writebackChunk = 8 << 20

// newWriter creates the temporary file for blob id. The random suffix keeps
// concurrent writers of the same ID apart.
func (s *Store) newWriter(id s3.BlobID) (*writer, error) {
	tmp := filepath.Join(s.tmpDir, fmt.Sprintf("%s.%016x", id, rand.Uint64()))
	f, err := s.fs.Create(tmp)
	if err != nil {
		return nil, fmt.Errorf("create blob %s: %w", id, err)
	}
	return &writer{s: s, id: id, tmp: tmp, f: f}, nil
}

// Write appends p to the blob. The first error sticks: later Writes and
// Commit return it.
func (w *writer) Write(p []byte) (int, error) {
	if w.state != writing {
		return 0, errWriterDone
	}
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.f.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = fmt.Errorf("write blob %s: %w", w.id, err)
		return n, w.err
	}
	w.written += int64(n)
	if w.written-w.flushed >= writebackChunk {
		writeback(w.f, w.prevFlushed, w.flushed, w.written-w.flushed)
		w.prevFlushed, w.flushed = w.flushed, w.written
	}
	return n, nil
}

// Commit makes the blob durable and visible: fsync the temporary file,
// rename it to its final name, fsync the shard directory. If anything
// fails it removes what it wrote and returns the error; Abort is then a
// no-op. If another writer committed the same ID first, Commit returns an
// error wrapping blob.ErrExists.
func (w *writer) Commit(ctx context.Context) error {
	if w.state != writing {
		return errWriterDone
	}
	if err := w.commit(ctx); err != nil {
		if derr := w.discard(); derr != nil {
			err = errors.Join(err, derr)
		}
		return fmt.Errorf("commit blob %s: %w", w.id, err)
	}
	w.state = committed
	return nil
}

func (w *writer) commit(ctx context.Context) error {
	if w.err != nil {
		return w.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := w.f.Sync(); err != nil {
		return err
	}
	f := w.f
	w.f = nil
	if err := f.Close(); err != nil {
		return err
	}
	if err := w.rename(); err != nil {
		return err
	}
	return w.s.fs.SyncDir(w.s.shardDir(w.id))
}

// rename moves the temporary file to its final name unless a blob with the
// ID has been committed since Create.
func (w *writer) rename() error {
	mu := w.s.commitLock(w.id)
	mu.Lock()
	defer mu.Unlock()
	if err := w.s.checkAbsent(w.id); err != nil {
		return err
	}
	if err := w.s.fs.Rename(w.tmp, w.s.blobPath(w.id)); err != nil {
		return err
	}
	w.renamed = true
	return nil
}

// Abort discards the blob. It is a no-op after Commit, whether Commit
// succeeded or failed (a failed Commit has already cleaned up).
func (w *writer) Abort() error {
	if w.state != writing {
		return nil
	}
	if err := w.discard(); err != nil {
		return fmt.Errorf("abort blob %s: %w", w.id, err)
	}
	return nil
}

// discard closes the file and removes whatever name it has. The removal is
// not fsynced: a file that a crash brings back is either a temporary file,
// which Open removes, or a complete blob that nothing references.
func (w *writer) discard() error {
	w.state = discarded
	var errs []error
	if w.f != nil {
		errs = append(errs, w.f.Close())
		w.f = nil
	}
	name := w.tmp
	if w.renamed {
		name = w.s.blobPath(w.id)
	}
	if err := w.s.fs.Remove(name); err != nil && !isNotExist(err) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
