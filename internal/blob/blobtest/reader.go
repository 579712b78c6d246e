package blobtest

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// readerCases check the reader Open returns, by Read and by WriteTo, and a
// blob large enough to take many writes and reads.
var readerCases = []testCase{
	{"ReadThenWriteTo", testReadThenWriteTo},
	{"SmallReads", testSmallReads},
	{"LargeBlob", testLargeBlob},
}

// testReadThenWriteTo: Read and WriteTo share one position, so a reader
// partly consumed by Read hands the rest to WriteTo.
func testReadThenWriteTo(t *testing.T, s blob.Store) {
	id := s3.NewBlobID()
	data := randomBytes(40, 50_000)
	put(t, s, id, data, 8192)
	const off, length, head = 1000, 40_000, 1234
	r, err := s.Open(context.Background(), id, off, length)
	if err != nil {
		t.Fatal(err)
	}
	defer closeReader(t, r)
	first := make([]byte, head)
	if _, err := io.ReadFull(r, first); err != nil {
		t.Fatalf("ReadFull: %v", err)
	}
	var rest bytes.Buffer
	if wt, ok := r.(io.WriterTo); ok {
		if _, err := wt.WriteTo(onlyWriter{&rest}); err != nil {
			t.Fatalf("WriteTo: %v", err)
		}
	} else if _, err := io.Copy(&rest, onlyReader{r}); err != nil {
		t.Fatal(err)
	}
	got := append(first, rest.Bytes()...)
	if !bytes.Equal(got, data[off:off+length]) {
		t.Fatalf("Read+WriteTo gave %d bytes, want %d of the blob", len(got), length)
	}
	if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("Read after the end = %d, %v; want 0, EOF", n, err)
	}
}

func testSmallReads(t *testing.T, s blob.Store) {
	id := s3.NewBlobID()
	data := randomBytes(41, 3000)
	put(t, s, id, data, 3000)
	r, err := s.Open(context.Background(), id, 7, 2000)
	if err != nil {
		t.Fatal(err)
	}
	defer closeReader(t, r)
	var got []byte
	buf := make([]byte, 7)
	for {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got, data[7:2007]) {
		t.Fatalf("7-byte Reads gave %d bytes, want 2000 of the blob", len(got))
	}
}

func testLargeBlob(t *testing.T, s blob.Store) {
	const size = 8 << 20
	id := s3.NewBlobID()
	data := randomBytes(42, size)
	put(t, s, id, data, 1<<20+13) // odd write sizes
	mustHave(t, s, id, data)
	for _, plain := range []bool{true, false} {
		got, ok := openWriteTo(t, s, id, 0, size, plain)
		if ok && !bytes.Equal(got, data) {
			t.Fatalf("WriteTo (plain writer %v) of the whole blob differs", plain)
		}
	}
	const off, length = 3<<20 - 5, 2<<20 + 11
	if got := openRead(t, s, id, off, length); !bytes.Equal(got, data[off:off+length]) {
		t.Fatalf("range read differs")
	}
}
