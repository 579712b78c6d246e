// Package fsblob keeps blobs as files in a directory, crash-safely.
//
// # Layout
//
//	<root>/blobs/<2 hex>/<32 hex>   committed blobs, sharded by the ID's first byte
//	<root>/tmp/<32 hex>.<16 hex>     blobs being written
//
// # Durability
//
// A blob is written to a temporary file in tmp/, fsynced, renamed to its
// final name and the shard directory is fsynced; only then does Commit
// return. A crash before that leaves at most a temporary file, which Open
// removes. The golden trace in testdata/commit.trace pins this sequence.
package fsblob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// Directory names under the root.
const (
	blobsDirName = "blobs"
	tmpDirName   = "tmp"
)

// Store is a blob.Store over a directory. It is safe for concurrent use.
type Store struct {
	fs       FS
	root     string
	blobsDir string
	tmpDir   string

	// commitLocks serialise the existence check and the rename of Commits
	// of the same ID within this process, so that exactly one of them wins
	// and the others see blob.ErrExists. Striped by the ID's first byte.
	commitLocks [64]sync.Mutex
}

var _ blob.Store = (*Store)(nil)

// Option configures Open.
type Option func(*options)

type options struct {
	fs FS
}

// WithFS makes the store work through fsys instead of the operating
// system's filesystem, e.g. a MemFS in tests.
func WithFS(fsys FS) Option { return func(o *options) { o.fs = fsys } }

// Open opens the store rooted at root, creating the directory layout if it
// is missing and fsyncing what it created. It removes everything left in
// tmp/, which only a crash can leave there: no other process may use the
// same root at the same time.
func Open(root string, opts ...Option) (*Store, error) {
	o := options{fs: OS{}}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Store{
		fs:       o.fs,
		root:     root,
		blobsDir: filepath.Join(root, blobsDirName),
		tmpDir:   filepath.Join(root, tmpDirName),
	}
	if err := s.makeLayout(); err != nil {
		return nil, fmt.Errorf("open blob store %s: %w", root, err)
	}
	if err := s.clearTmp(); err != nil {
		return nil, fmt.Errorf("open blob store %s: %w", root, err)
	}
	return s, nil
}

// makeLayout creates root, blobs/, tmp/ and the 256 shard directories.
func (s *Store) makeLayout() error {
	for _, dir := range []string{s.root, s.blobsDir, s.tmpDir} {
		if err := s.ensureDir(dir); err != nil {
			return err
		}
	}
	created := false
	for i := range 256 {
		made, err := s.mkdir(filepath.Join(s.blobsDir, fmt.Sprintf("%02x", i)))
		if err != nil {
			return err
		}
		created = created || made
	}
	if created {
		// One fsync of blobs/ makes all new shard entries durable.
		if err := s.fs.SyncDir(s.blobsDir); err != nil {
			return err
		}
	}
	return nil
}

// ensureDir creates dir and any missing parents, fsyncing the parent of
// each directory it creates so that the new entries survive a crash.
func (s *Store) ensureDir(dir string) error {
	made, err := s.mkdir(dir)
	if isNotExist(err) {
		parent := filepath.Dir(dir)
		if parent == dir {
			return err
		}
		if err := s.ensureDir(parent); err != nil {
			return err
		}
		made, err = s.mkdir(dir)
	}
	if err != nil || !made {
		return err
	}
	return s.fs.SyncDir(filepath.Dir(dir))
}

// mkdir creates dir and reports whether it did; an existing directory is
// not an error, an existing non-directory is.
func (s *Store) mkdir(dir string) (bool, error) {
	err := s.fs.Mkdir(dir, dirPerm)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return false, err
	}
	fi, serr := s.fs.Stat(dir)
	if serr != nil {
		return false, serr
	}
	if !fi.IsDir() {
		return false, fmt.Errorf("%s exists and is not a directory", dir)
	}
	return false, nil
}

// clearTmp removes every entry of tmp/. Their loss on a crash is harmless,
// so the removals are not fsynced.
func (s *Store) clearTmp() error {
	entries, err := s.fs.ReadDir(s.tmpDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := s.removeAll(filepath.Join(s.tmpDir, e.Name()), e.IsDir()); err != nil {
			return err
		}
	}
	return nil
}

// removeAll removes name and, if it is a directory, everything below it.
func (s *Store) removeAll(name string, isDir bool) error {
	if isDir {
		entries, err := s.fs.ReadDir(name)
		if err != nil && !isNotExist(err) {
			return err
		}
		for _, e := range entries {
			if err := s.removeAll(filepath.Join(name, e.Name()), e.IsDir()); err != nil {
				return err
			}
		}
	}
	if err := s.fs.Remove(name); err != nil && !isNotExist(err) {
		return err
	}
	return nil
}

// shardDir is the directory holding blob id.
func (s *Store) shardDir(id s3.BlobID) string {
	return filepath.Join(s.blobsDir, fmt.Sprintf("%02x", id[0]))
}

// blobPath is the final name of blob id.
func (s *Store) blobPath(id s3.BlobID) string {
	return filepath.Join(s.shardDir(id), id.String())
}

// commitLock is the lock that serialises Commits of id.
func (s *Store) commitLock(id s3.BlobID) *sync.Mutex {
	return &s.commitLocks[int(id[0])%len(s.commitLocks)]
}

// Create starts writing blob id into a temporary file. It returns an error
// wrapping blob.ErrExists if id is already committed; the shard directory
// is fsynced first, so the existing blob is durable even if a concurrent
// Commit has renamed it but not yet returned.
func (s *Store) Create(ctx context.Context, id s3.BlobID) (blob.Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("create blob %s: %w", id, err)
	}
	if err := s.checkAbsent(id); err != nil {
		return nil, fmt.Errorf("create blob %s: %w", id, err)
	}
	return s.newWriter(id)
}

// checkAbsent returns nil if blob id does not exist, and blob.ErrExists
// once its directory entry is durable if it does.
func (s *Store) checkAbsent(id s3.BlobID) error {
	_, err := s.fs.Stat(s.blobPath(id))
	switch {
	case isNotExist(err):
		return nil
	case err != nil:
		return err
	}
	if err := s.fs.SyncDir(s.shardDir(id)); err != nil {
		return err
	}
	return blob.ErrExists
}

// Stat returns the size of blob id.
func (s *Store) Stat(ctx context.Context, id s3.BlobID) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("stat blob %s: %w", id, err)
	}
	fi, err := s.fs.Stat(s.blobPath(id))
	if isNotExist(err) {
		return 0, fmt.Errorf("stat blob %s: %w", id, blob.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("stat blob %s: %w", id, err)
	}
	return fi.Size(), nil
}

// Delete removes blob id. The removal is not fsynced: a blob that a crash
// brings back is unreferenced, so the collector simply removes it again.
func (s *Store) Delete(ctx context.Context, id s3.BlobID) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete blob %s: %w", id, err)
	}
	if err := s.fs.Remove(s.blobPath(id)); err != nil && !isNotExist(err) {
		return fmt.Errorf("delete blob %s: %w", id, err)
	}
	return nil
}
