package fsblob

import (
	"context"
	"os"
	"testing"

	"github.com/cairn-s3/cairn/internal/s3"
)

// TestOSReaderWrapsOSFile: with the OS file system the reader's limited
// reader wraps the *os.File itself, which is what net.TCPConn.ReadFrom
// needs to use sendfile(2).
func TestOSReaderWrapsOSFile(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	id := s3.NewBlobID()
	w, err := s.Create(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	rc, err := s.Open(ctx, id, 100, 500)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	r, ok := rc.(*reader)
	if !ok {
		t.Fatalf("Open returned %T, want *reader", rc)
	}
	if _, ok := r.lr.R.(*os.File); !ok {
		t.Fatalf("reader wraps %T, want *os.File", r.lr.R)
	}
	if pos, err := r.f.Seek(0, 1); err != nil || pos != 100 {
		t.Fatalf("file position = %d, %v; want 100", pos, err)
	}
}
