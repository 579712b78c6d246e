package fsblob_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/blob/blobtest"
	"github.com/cairn-s3/cairn/internal/blob/fsblob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// TestConformanceOS runs the suite on the real file system. Creating the
// 256 shard directories of a new root costs far more than the checks on a
// loaded disk, so emptied roots are reused: every store still starts
// empty, and reopening a used root exercises Open on an existing layout.
func TestConformanceOS(t *testing.T) {
	base := t.TempDir()
	var n atomic.Int64
	roots := make(chan string, 8)
	blobtest.Run(t, func(t *testing.T) blob.Store {
		var root string
		select {
		case root = <-roots:
		default:
			root = filepath.Join(base, fmt.Sprint(n.Add(1)))
		}
		s, err := fsblob.Open(root)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := empty(s); err != nil {
				t.Errorf("emptying %s: %v", root, err)
				return
			}
			select {
			case roots <- root:
			default:
			}
		})
		return s
	})
}

// empty deletes every blob of s.
func empty(s blob.Store) error {
	ctx := context.Background()
	var ids []s3.BlobID
	if err := s.Walk(ctx, func(info blob.Info) error { ids = append(ids, info.ID); return nil }); err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.Delete(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func TestConformanceMemFS(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := fsblob.Open("/data/blobs", fsblob.WithFS(fsblob.NewMemFS()))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
