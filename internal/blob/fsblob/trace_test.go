package fsblob_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-s3/cairn/internal/blob/fsblob"
	"github.com/cairn-s3/cairn/internal/s3"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixedID is the blob the golden trace writes.
var fixedID = s3.BlobID{0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0, 1, 2, 3, 4, 5, 6, 7}

// TestCommitTrace pins the durability protocol: the file system operations
// of one Create, two Writes and a Commit. A change to the protocol shows
// up as a diff of testdata/commit.trace; refresh it with -update after
// reviewing it.
func TestCommitTrace(t *testing.T) {
	const root = "/srv/cairn"
	h := &hookFS{fs: fsblob.NewMemFS(), root: root}
	s, err := fsblob.Open(root, fsblob.WithFS(h))
	if err != nil {
		t.Fatal(err)
	}
	var rec recorder
	h.after = rec.record

	ctx := context.Background()
	w, err := s.Create(ctx, fixedID)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := w.Write(bytes.Repeat([]byte{'x'}, 256<<10)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	got := rec.String()

	golden := filepath.Join("testdata", "commit.trace")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("commit trace changed (-%s +got); if intended, rerun with -update:\n%s", golden, diff)
	}
}
