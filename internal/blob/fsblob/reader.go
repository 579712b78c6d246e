package fsblob

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// Open returns a reader of length bytes of blob id starting at off. The
// bounds are checked against the open file, so a concurrent Delete cannot
// slip between the check and the read.
func (s *Store) Open(ctx context.Context, id s3.BlobID, off, length int64) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open blob %s: %w", id, err)
	}
	f, err := s.fs.Open(s.blobPath(id))
	if isNotExist(err) {
		return nil, fmt.Errorf("open blob %s: %w", id, blob.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", id, err)
	}
	r, err := newReader(f, off, length)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open blob %s [%d,+%d): %w", id, off, length, err), f.Close())
	}
	return r, nil
}

// reader reads a range of a blob file. It positions the file at the start
// of the range once, so that Read and WriteTo share one cursor and a
// WriteTo to a network connection becomes sendfile(2): net/http hands the
// *io.LimitedReader over the *os.File to the socket's ReadFrom.
type reader struct {
	f  File
	lr io.LimitedReader
}

// newReader checks [off, off+length) against f's size and positions f.
func newReader(f File, off, length int64) (*reader, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if off < 0 || length < 0 || off > size || length > size-off {
		return nil, fmt.Errorf("blob has %d bytes: %w", size, blob.ErrRange)
	}
	if off > 0 {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return nil, err
		}
	}
	return &reader{f: f, lr: io.LimitedReader{R: f, N: length}}, nil
}

// Read implements io.Reader.
func (r *reader) Read(p []byte) (int, error) { return r.lr.Read(p) }

// WriteTo implements io.WriterTo. io.Copy passes the *io.LimitedReader to
// w's ReadFrom when w has one (a TCP connection, an http.ResponseWriter),
// which is what lets the kernel copy the file to the socket.
func (r *reader) WriteTo(w io.Writer) (int64, error) { return io.Copy(w, &r.lr) }

// Close closes the file.
func (r *reader) Close() error { return r.f.Close() }
