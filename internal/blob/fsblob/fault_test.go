package fsblob_test

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"strings"
	"syscall"
	"testing"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/blob/fsblob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// TestCommitErrors injects a failure into each step of the write protocol
// and checks that Commit reports it and leaves neither a visible blob nor
// a temporary file.
func TestCommitErrors(t *testing.T) {
	tests := []struct {
		name    string
		failOp  string // operation kind that fails
		failDir string // ... on a path with this prefix
		err     error
	}{
		{"ENOSPC on write", "write", "tmp/", syscall.ENOSPC},
		{"failing file sync", "sync", "tmp/", syscall.EIO},
		{"failing close", "close", "tmp/", syscall.EIO},
		{"failing existence check", "stat", "blobs/", syscall.EACCES},
		{"failing rename", "rename", "tmp/", syscall.EXDEV},
		{"failing directory sync", "syncdir", "blobs/", syscall.EIO},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			mem := fsblob.NewMemFS()
			h := &hookFS{fs: mem, root: crashRoot}
			s, err := fsblob.Open(crashRoot, fsblob.WithFS(h))
			if err != nil {
				t.Fatal(err)
			}
			id := s3.NewBlobID()
			w, err := s.Create(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			// Inject only once Create is done, so that the failure hits
			// Write or Commit.
			h.fail = func(o fsOp) error {
				if o.kind == tt.failOp && strings.HasPrefix(o.path, tt.failDir) {
					return &fs.PathError{Op: o.kind, Path: o.path, Err: tt.err}
				}
				return nil
			}
			_, werr := w.Write(make([]byte, 4096))
			cerr := w.Commit(ctx)
			if !errors.Is(cerr, tt.err) {
				t.Fatalf("Commit = %v (Write: %v), want %v", cerr, werr, tt.err)
			}
			if err := w.Abort(); err != nil {
				t.Errorf("Abort after a failed Commit: %v", err)
			}
			h.fail = nil
			checkNothingLeft(t, s, mem, id)
		})
	}
}

// TestCreateError: a failure to create the temporary file is returned by
// Create and leaves nothing behind.
func TestCreateError(t *testing.T) {
	mem := fsblob.NewMemFS()
	h := &hookFS{fs: mem, root: crashRoot}
	s, err := fsblob.Open(crashRoot, fsblob.WithFS(h))
	if err != nil {
		t.Fatal(err)
	}
	h.fail = func(o fsOp) error {
		if o.kind == "create" {
			return &fs.PathError{Op: "create", Path: o.path, Err: syscall.EDQUOT}
		}
		return nil
	}
	id := s3.NewBlobID()
	if _, err := s.Create(context.Background(), id); !errors.Is(err, syscall.EDQUOT) {
		t.Fatalf("Create = %v, want EDQUOT", err)
	}
	h.fail = nil
	checkNothingLeft(t, s, mem, id)
}

// TestCommitCancelled: Commit with a done context fails and cleans up.
func TestCommitCancelled(t *testing.T) {
	mem := fsblob.NewMemFS()
	s, err := fsblob.Open(crashRoot, fsblob.WithFS(mem))
	if err != nil {
		t.Fatal(err)
	}
	id := s3.NewBlobID()
	w, err := s.Create(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.Commit(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit = %v, want context.Canceled", err)
	}
	checkNothingLeft(t, s, mem, id)
}

// TestCleanupFailure: when Commit fails and so does removing the temporary
// file, Commit reports both, and the next Open removes the leftover.
func TestCleanupFailure(t *testing.T) {
	ctx := context.Background()
	mem := fsblob.NewMemFS()
	h := &hookFS{fs: mem, root: crashRoot}
	s, err := fsblob.Open(crashRoot, fsblob.WithFS(h))
	if err != nil {
		t.Fatal(err)
	}
	id := s3.NewBlobID()
	w, err := s.Create(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	h.fail = func(o fsOp) error {
		switch o.kind {
		case "sync":
			return &fs.PathError{Op: "sync", Path: o.path, Err: syscall.EIO}
		case "remove":
			return &fs.PathError{Op: "remove", Path: o.path, Err: syscall.EROFS}
		}
		return nil
	}
	err = w.Commit(ctx)
	if !errors.Is(err, syscall.EIO) || !errors.Is(err, syscall.EROFS) {
		t.Fatalf("Commit = %v, want EIO and EROFS", err)
	}
	h.fail = nil
	if left, _ := mem.ReadDir(path.Join(crashRoot, "tmp")); len(left) != 1 {
		t.Fatalf("tmp/ holds %d entries, want the 1 leftover", len(left))
	}
	s, err = fsblob.Open(crashRoot, fsblob.WithFS(mem))
	if err != nil {
		t.Fatal(err)
	}
	checkNothingLeft(t, s, mem, id)
}

// checkNothingLeft checks that blob id is not visible, tmp/ is empty and
// the ID can be written afresh.
func checkNothingLeft(t *testing.T, s *fsblob.Store, mem *fsblob.MemFS, id s3.BlobID) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Stat(ctx, id); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat = %v, want ErrNotFound", err)
	}
	n := 0
	if err := s.Walk(ctx, func(blob.Info) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("Walk found %d blobs, %v; want none", n, err)
	}
	if left, err := mem.ReadDir(path.Join(crashRoot, "tmp")); err != nil || len(left) != 0 {
		t.Errorf("tmp/ has %d entries, %v; want none", len(left), err)
	}
	if err := writeChunked(ctx, s, id, []byte("again"), 5); err != nil {
		t.Errorf("writing %s afresh: %v", id, err)
	}
}
