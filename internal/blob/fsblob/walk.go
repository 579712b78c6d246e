package fsblob

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// Walk calls fn for every committed blob. It reads the shard directories
// one at a time and ignores any name that is not a blob's canonical name in
// its shard, so foreign files and directories are left alone. Temporary
// files live outside blobs/ and are never seen.
func (s *Store) Walk(ctx context.Context, fn func(info blob.Info) error) error {
	shards, err := s.fs.ReadDir(s.blobsDir)
	if err != nil {
		return fmt.Errorf("walk blobs: %w", err)
	}
	for _, shard := range shards {
		if !shard.IsDir() || !isShardName(shard.Name()) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("walk blobs: %w", err)
		}
		if err := s.walkShard(filepath.Join(s.blobsDir, shard.Name()), shard.Name(), fn); err != nil {
			return err
		}
	}
	return nil
}

// walkShard calls fn for the blobs in one shard directory.
func (s *Store) walkShard(dir, shard string, fn func(info blob.Info) error) error {
	entries, err := s.fs.ReadDir(dir)
	if isNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("walk blobs: %w", err)
	}
	for _, e := range entries {
		id, ok := parseBlobName(shard, e)
		if !ok {
			continue
		}
		fi, err := e.Info()
		if isNotExist(err) {
			continue // deleted since ReadDir
		}
		if err != nil {
			return fmt.Errorf("walk blobs: %w", err)
		}
		if err := fn(blob.Info{ID: id, Size: fi.Size(), ModTime: fi.ModTime()}); err != nil {
			return err
		}
	}
	return nil
}

// parseBlobName returns the ID named by a shard entry, if the entry is a
// regular file whose name is exactly the canonical form of an ID in shard.
func parseBlobName(shard string, e fs.DirEntry) (s3.BlobID, bool) {
	if !e.Type().IsRegular() {
		return s3.BlobID{}, false
	}
	id, err := s3.ParseBlobID(e.Name())
	if err != nil || id.String() != e.Name() || e.Name()[:2] != shard {
		return s3.BlobID{}, false
	}
	return id, true
}

// isShardName reports whether name is two lower-case hex digits.
func isShardName(name string) bool {
	if len(name) != 2 {
		return false
	}
	for i := range len(name) {
		c := name[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
