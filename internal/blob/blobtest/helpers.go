package blobtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	b := make([]byte, n)
	rand.NewChaCha8(key).Read(b)
	return b
}

// put writes data as blob id in writes of at most chunk bytes and commits.
func put(t testing.TB, s blob.Store, id s3.BlobID, data []byte, chunk int) {
	t.Helper()
	w, err := s.Create(context.Background(), id)
	if err != nil {
		t.Fatalf("Create(%s): %v", id, err)
	}
	writeChunks(t, w, data, chunk)
	if err := w.Commit(context.Background()); err != nil {
		t.Fatalf("Commit(%s): %v", id, err)
	}
}

// writeChunks writes data to w in pieces of at most chunk bytes.
func writeChunks(t testing.TB, w blob.Writer, data []byte, chunk int) {
	t.Helper()
	for len(data) > 0 {
		n := min(chunk, len(data))
		if m, err := w.Write(data[:n]); err != nil || m != n {
			t.Fatalf("Write(%d bytes) = %d, %v", n, m, err)
		}
		data = data[n:]
	}
}

// openRead reads [off, off+n) of blob id with Read.
func openRead(t testing.TB, s blob.Store, id s3.BlobID, off, n int64) []byte {
	t.Helper()
	r, err := s.Open(context.Background(), id, off, n)
	if err != nil {
		t.Fatalf("Open(%s, %d, %d): %v", id, off, n, err)
	}
	defer closeReader(t, r)
	got, err := io.ReadAll(onlyReader{r})
	if err != nil {
		t.Fatalf("read %s [%d,+%d): %v", id, off, n, err)
	}
	return got
}

// openWriteTo reads [off, off+n) of blob id through the reader's WriteTo,
// into a writer that has no ReadFrom (as a plain connection) when
// plain is set, else into a bytes.Buffer (which has one). ok is false if
// the reader does not implement io.WriterTo.
func openWriteTo(t testing.TB, s blob.Store, id s3.BlobID, off, n int64, plain bool) (got []byte, ok bool) {
	t.Helper()
	r, err := s.Open(context.Background(), id, off, n)
	if err != nil {
		t.Fatalf("Open(%s, %d, %d): %v", id, off, n, err)
	}
	defer closeReader(t, r)
	wt, ok := r.(io.WriterTo)
	if !ok {
		return nil, false
	}
	var buf bytes.Buffer
	var dst io.Writer = &buf
	if plain {
		dst = onlyWriter{&buf}
	}
	written, err := wt.WriteTo(dst)
	if err != nil {
		t.Fatalf("WriteTo %s [%d,+%d): %v", id, off, n, err)
	}
	if written != int64(buf.Len()) {
		t.Fatalf("WriteTo %s returned %d, wrote %d bytes", id, written, buf.Len())
	}
	return buf.Bytes(), true
}

func closeReader(t testing.TB, r io.Closer) {
	t.Helper()
	if err := r.Close(); err != nil {
		t.Errorf("reader Close: %v", err)
	}
}

// walkAll returns the size of every blob Walk reports, failing on a
// duplicate.
func walkAll(t testing.TB, s blob.Store) map[s3.BlobID]int64 {
	t.Helper()
	got := map[s3.BlobID]int64{}
	err := s.Walk(context.Background(), func(info blob.Info) error {
		if _, dup := got[info.ID]; dup {
			t.Errorf("Walk reported %s twice", info.ID)
		}
		if info.ModTime.IsZero() {
			t.Errorf("Walk reported %s with a zero ModTime", info.ID)
		}
		got[info.ID] = info.Size
		return nil
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return got
}

// mustBeAbsent checks that nothing of blob id is visible.
func mustBeAbsent(t testing.TB, s blob.Store, id s3.BlobID) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Stat(ctx, id); !isNotFound(err) {
		t.Errorf("Stat(%s) = %v, want ErrNotFound", id, err)
	}
	if r, err := s.Open(ctx, id, 0, 0); !isNotFound(err) {
		if err == nil {
			r.Close()
		}
		t.Errorf("Open(%s) = %v, want ErrNotFound", id, err)
	}
	if _, ok := walkAll(t, s)[id]; ok {
		t.Errorf("Walk reported %s", id)
	}
}

// mustHave checks that blob id holds exactly data.
func mustHave(t testing.TB, s blob.Store, id s3.BlobID, data []byte) {
	t.Helper()
	size, err := s.Stat(context.Background(), id)
	if err != nil || size != int64(len(data)) {
		t.Fatalf("Stat(%s) = %d, %v; want %d", id, size, err, len(data))
	}
	if got := openRead(t, s, id, 0, size); !bytes.Equal(got, data) {
		t.Fatalf("blob %s: read %d bytes that differ from the %d written", id, len(got), len(data))
	}
}

// onlyReader hides every method but Read, so io.ReadAll and io.Copy cannot
// take a shortcut through WriterTo.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// onlyWriter hides every method but Write, so io.Copy cannot use ReadFrom.
type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }
