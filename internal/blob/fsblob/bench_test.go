package fsblob_test

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/blob/fsblob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// benchSizes are the blob sizes of the benchmarks.
var benchSizes = []struct {
	name string
	size int
}{
	{"4KiB", 4 << 10},
	{"1MiB", 1 << 20},
	{"64MiB", 64 << 20},
}

// benchBuffer is the caller's write buffer: 1 MiB of random bytes, the
// largest buffer the object layer writes with.
func benchBuffer() []byte {
	b := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{1}).Read(b)
	return b
}

// writeFrom writes size bytes to w from buf, one buffer at a time.
func writeFrom(b *testing.B, w io.Writer, buf []byte, size int) {
	for size > 0 {
		n := min(size, len(buf))
		if _, err := w.Write(buf[:n]); err != nil {
			b.Fatal(err)
		}
		size -= n
	}
}

// BenchmarkCommit measures Create, Write and Commit (two fsyncs) on the
// real file system. Deleting the blob is not timed.
func BenchmarkCommit(b *testing.B) {
	buf := benchBuffer()
	for _, bs := range benchSizes {
		b.Run(bs.name, func(b *testing.B) {
			ctx := context.Background()
			s, err := fsblob.Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(bs.size))
			for b.Loop() {
				id := s3.NewBlobID()
				w, err := s.Create(ctx, id)
				if err != nil {
					b.Fatal(err)
				}
				writeFrom(b, w, buf, bs.size)
				if err := w.Commit(ctx); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := s.Delete(ctx, id); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkRawWriteFsync is the floor BenchmarkCommit is compared with:
// write a file and fsync it, with no rename and no directory sync.
func BenchmarkRawWriteFsync(b *testing.B) {
	buf := benchBuffer()
	for _, bs := range benchSizes {
		b.Run(bs.name, func(b *testing.B) {
			name := filepath.Join(b.TempDir(), "raw")
			b.SetBytes(int64(bs.size))
			for b.Loop() {
				f, err := os.Create(name)
				if err != nil {
					b.Fatal(err)
				}
				writeFrom(b, f, buf, bs.size)
				if err := f.Sync(); err != nil {
					b.Fatal(err)
				}
				if err := f.Close(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := os.Remove(name); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkOpenWriteTo measures Open and copying the whole blob to
// io.Discard through the reader's WriteTo (page cache warm).
func BenchmarkOpenWriteTo(b *testing.B) {
	buf := benchBuffer()
	for _, bs := range benchSizes {
		b.Run(bs.name, func(b *testing.B) {
			ctx := context.Background()
			s, err := fsblob.Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			id := s3.NewBlobID()
			w, err := s.Create(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			writeFrom(b, w, buf, bs.size)
			if err := w.Commit(ctx); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(bs.size))
			for b.Loop() {
				readTo(b, s, id, int64(bs.size), io.Discard)
			}
		})
	}
}

func readTo(b *testing.B, s blob.Store, id s3.BlobID, size int64, dst io.Writer) {
	r, err := s.Open(context.Background(), id, 0, size)
	if err != nil {
		b.Fatal(err)
	}
	n, err := r.(io.WriterTo).WriteTo(dst)
	if err != nil || n != size {
		b.Fatalf("WriteTo = %d, %v; want %d", n, err, size)
	}
	if err := r.Close(); err != nil {
		b.Fatal(err)
	}
}
