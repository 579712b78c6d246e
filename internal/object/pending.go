package object

import "github.com/cairn-s3/cairn/internal/s3"

// markPending records that blob id is being written and may soon be
// referenced; the orphan scan skips it. It must be called before the blob's
// file can exist.
func (s *Service) markPending(id s3.BlobID) {
	s.mu.Lock()
	s.pending[id] = struct{}{}
	s.mu.Unlock()
}

// unmarkPending ends the pending state, after the metadata commit that
// references the blob succeeded or after the blob was abandoned.
func (s *Service) unmarkPending(id s3.BlobID) {
	s.mu.Lock()
	delete(s.pending, id)
	s.mu.Unlock()
}

// release ends the pending state of an ingested blob. If the commit that was
// to reference it failed (committed is false), the blob becomes a suspect:
// the collector deletes it once the metadata store confirms it holds no
// reference. It is not deleted here because a failed commit may, in rare
// cases (a lost reply from a remote database), have succeeded after all.
func (s *Service) release(in *ingested, committed bool) {
	if in == nil || in.blob == nil {
		return
	}
	s.mu.Lock()
	delete(s.pending, in.blob.ID)
	if !committed {
		s.suspects[in.blob.ID] = struct{}{}
	}
	s.mu.Unlock()
}

func (s *Service) isPending(id s3.BlobID) bool {
	s.mu.Lock()
	_, ok := s.pending[id]
	s.mu.Unlock()
	return ok
}
