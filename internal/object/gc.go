package object

import (
	"context"
	"fmt"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// GCStats counts what one collection did.
type GCStats struct {
	ExtentsReleased int
	BlobsDeleted    int
	OrphansDeleted  int
}

// gcBatch bounds each collector transaction so that it never holds the
// writer for long.
const gcBatch = 1000

// CollectGarbage reclaims space: it releases the extents of deleted and
// replaced objects, deletes blobs no record references any more, and checks
// the blobs whose commit failed. It is safe to run at any time, concurrently
// with traffic: a blob is deleted only when its reference count is zero,
// which is final, or when the store has never heard of it and it is not
// being written.
func (s *Service) CollectGarbage(ctx context.Context) (GCStats, error) {
	var st GCStats
	for {
		var n int
		err := s.meta.Update(ctx, func(tx meta.Tx) error {
			var err error
			n, err = tx.ReleaseDeadExtents(gcBatch)
			return err
		})
		if err != nil {
			return st, fmt.Errorf("release dead extents: %w", err)
		}
		st.ExtentsReleased += n
		if n == 0 {
			break
		}
	}
	for {
		var ids []s3.BlobID
		if err := s.meta.View(ctx, func(tx meta.ReadTx) error {
			var err error
			ids, err = tx.GarbageBlobs(gcBatch)
			return err
		}); err != nil {
			return st, fmt.Errorf("list garbage: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			if err := s.blobs.Delete(ctx, id); err != nil {
				return st, fmt.Errorf("delete blob %s: %w", id, err)
			}
		}
		if err := s.meta.Update(ctx, func(tx meta.Tx) error { return tx.ForgetBlobs(ids) }); err != nil {
			return st, fmt.Errorf("forget blobs: %w", err)
		}
		st.BlobsDeleted += len(ids)
	}
	n, err := s.collectSuspects(ctx)
	st.OrphansDeleted += n
	return st, err
}

// collectSuspects deletes blobs whose metadata commit failed, once the store
// confirms it never recorded them.
func (s *Service) collectSuspects(ctx context.Context) (int, error) {
	s.mu.Lock()
	ids := make([]s3.BlobID, 0, len(s.suspects))
	for id := range s.suspects {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	if len(ids) == 0 {
		return 0, nil
	}
	n, err := s.deleteUnknown(ctx, ids)
	if err != nil {
		return n, err
	}
	s.mu.Lock()
	for _, id := range ids {
		delete(s.suspects, id)
	}
	s.mu.Unlock()
	return n, nil
}

// ScanOrphans walks every stored blob and deletes those the metadata store
// has no record of and that are not being written: what a crash between a
// blob's fsync and its metadata commit leaves behind. It costs a walk of the
// whole blob store, so it runs at start-up and then rarely.
func (s *Service) ScanOrphans(ctx context.Context) (int, error) {
	deleted := 0
	batch := make([]s3.BlobID, 0, gcBatch)
	flush := func() error {
		n, err := s.deleteUnknown(ctx, batch)
		deleted += n
		batch = batch[:0]
		return err
	}
	err := s.blobs.Walk(ctx, func(info blob.Info) error {
		batch = append(batch, info.ID)
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return deleted, err
}

// deleteUnknown deletes the blobs among ids that are neither pending nor
// known to the metadata store. Pending is checked first: a blob is marked
// pending before its file exists and unmarked only after its commit, so a
// blob that is not pending now is either committed (and known) or abandoned.
func (s *Service) deleteUnknown(ctx context.Context, ids []s3.BlobID) (int, error) {
	candidates := make([]s3.BlobID, 0, len(ids))
	for _, id := range ids {
		if !s.isPending(id) {
			candidates = append(candidates, id)
		}
	}
	if len(candidates) == 0 {
		return 0, nil
	}
	var known map[s3.BlobID]int64
	if err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		var err error
		known, err = tx.BlobRefs(candidates)
		return err
	}); err != nil {
		return 0, fmt.Errorf("look up blobs: %w", err)
	}
	n := 0
	for _, id := range candidates {
		if _, ok := known[id]; ok {
			continue
		}
		if err := s.blobs.Delete(ctx, id); err != nil {
			return n, fmt.Errorf("delete orphan %s: %w", id, err)
		}
		n++
	}
	return n, nil
}
