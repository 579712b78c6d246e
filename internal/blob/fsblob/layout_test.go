package fsblob_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/blob/fsblob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// TestOpenCreatesDurableLayout: Open creates root (and missing parents),
// blobs/ with its 256 shards and tmp/, all of which survive a crash right
// after Open returns.
func TestOpenCreatesDurableLayout(t *testing.T) {
	mem := fsblob.NewMemFS()
	const root = "/a/b/store"
	if _, err := fsblob.Open(root, fsblob.WithFS(mem)); err != nil {
		t.Fatal(err)
	}
	after := mem.CrashClone()
	shards, err := after.ReadDir(path.Join(root, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	if len(shards) != 256 {
		t.Fatalf("blobs/ has %d entries after a crash, want 256", len(shards))
	}
	for i, e := range shards {
		if want := fmt.Sprintf("%02x", i); e.Name() != want || !e.IsDir() {
			t.Errorf("shard %d is %q (dir %v), want directory %q", i, e.Name(), e.IsDir(), want)
		}
	}
	if fi, err := after.Stat(path.Join(root, "tmp")); err != nil || !fi.IsDir() {
		t.Errorf("tmp/ after a crash: %v", err)
	}
}

// TestOpenOnOS creates the layout on the real file system, and reopens an
// existing store without touching its blobs.
func TestOpenOnOS(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "missing", "parent")
	s, err := fsblob.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	id := s3.NewBlobID()
	if err := writeChunked(ctx, s, id, []byte("kept"), 4); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "blobs", fmt.Sprintf("%02x", id[0]), id.String())); err != nil {
		t.Fatalf("blob not at its documented path: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "blobs", "ff")); err != nil {
		t.Fatalf("shard ff: %v", err)
	}
	s, err = fsblob.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if size, err := s.Stat(ctx, id); err != nil || size != 4 {
		t.Fatalf("Stat after reopen = %d, %v", size, err)
	}
}

func TestOpenRootIsAFile(t *testing.T) {
	root := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(root, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fsblob.Open(root); err == nil {
		t.Fatal("Open of a regular file succeeded")
	}
}

// TestOpenClearsTmp: whatever a crash left in tmp/ (files, directories) is
// removed by Open.
func TestOpenClearsTmp(t *testing.T) {
	root := t.TempDir()
	if _, err := fsblob.Open(root); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(root, "tmp")
	for _, name := range []string{"0123.abcd", "partial", "nested/deeper/file"} {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("leftover"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fsblob.Open(root); err != nil {
		t.Fatal(err)
	}
	left, err := os.ReadDir(tmp)
	if err != nil || len(left) != 0 {
		t.Fatalf("tmp/ after Open: %d entries, %v", len(left), err)
	}
}

// TestWalkIgnoresForeignNames: Walk reports only canonical blob names in
// their own shard, whatever else an operator or another tool put there.
func TestWalkIgnoresForeignNames(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s, err := fsblob.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	id := s3.NewBlobID()
	if err := writeChunked(ctx, s, id, []byte("real"), 4); err != nil {
		t.Fatal(err)
	}
	other := s3.NewBlobID()
	otherShard := fmt.Sprintf("%02x", other[0]^1) // not other's shard
	blobs := filepath.Join(root, "blobs")
	files := []string{
		"README",                          // file in blobs/
		"zz/" + other.String(),            // not a shard name
		"AB/" + other.String(),            // upper-case shard
		otherShard + "/" + other.String(), // wrong shard
		other.String()[:2] + "/" + other.String() + ".bak",
		other.String()[:2] + "/" + other.String()[:30],
		other.String()[:2] + "/" + fmt.Sprintf("%X", other[:]), // upper-case name
	}
	for _, f := range files {
		p := filepath.Join(blobs, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("foreign"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A directory with a blob's name.
	dirBlob := s3.NewBlobID()
	if err := os.Mkdir(filepath.Join(blobs, dirBlob.String()[:2], dirBlob.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	var got []s3.BlobID
	if err := s.Walk(ctx, func(info blob.Info) error { got = append(got, info.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != id {
		t.Fatalf("Walk = %v, want only %s", got, id)
	}
}

func TestWalkCancelled(t *testing.T) {
	s, err := fsblob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Walk(ctx, func(blob.Info) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Walk = %v, want context.Canceled", err)
	}
}
