package object

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// ingested is a body that has been read to its end, hashed and stored:
// either kept inline or written to a committed blob that no metadata refers
// to yet (and that stays pending until release).
type ingested struct {
	size   int64
	md5    []byte
	sum    []byte // checksum in the requested algorithm
	extra  map[s3.ChecksumAlgorithm][]byte
	inline []byte
	blob   *meta.Blob
}

// hashSet is the checksum an ingest computes besides MD5, and any extra
// ones, written to as one.
type hashSet struct {
	sum   hash.Hash
	extra map[s3.ChecksumAlgorithm]hash.Hash
	w     io.Writer
}

func newHashSet(alg s3.ChecksumAlgorithm, extra []s3.ChecksumAlgorithm) (*hashSet, error) {
	sum, ok := checksum.New(alg)
	if !ok {
		return nil, s3.Errorf(s3.ErrInvalidRequest, "Unsupported checksum algorithm %s", alg)
	}
	hs := &hashSet{sum: sum, w: sum}
	if len(extra) == 0 {
		return hs, nil
	}
	hs.extra = make(map[s3.ChecksumAlgorithm]hash.Hash, len(extra))
	ws := []io.Writer{sum}
	for _, a := range extra {
		if _, dup := hs.extra[a]; dup {
			continue
		}
		h, ok := checksum.New(a)
		if !ok {
			return nil, fmt.Errorf("extra checksum %s: %w", a, checksum.ErrUnsupportedAlgorithm)
		}
		hs.extra[a] = h
		ws = append(ws, h)
	}
	hs.w = io.MultiWriter(ws...)
	return hs, nil
}

func (hs *hashSet) Write(p []byte) (int, error) { return hs.w.Write(p) }

func (hs *hashSet) sums() ([]byte, map[s3.ChecksumAlgorithm][]byte) {
	var extra map[s3.ChecksumAlgorithm][]byte
	if len(hs.extra) > 0 {
		extra = make(map[s3.ChecksumAlgorithm][]byte, len(hs.extra))
		for a, h := range hs.extra {
			extra[a] = h.Sum(nil)
		}
	}
	return hs.sum.Sum(nil), extra
}

// ingest reads exactly size bytes of body, computing MD5, alg and the extra
// algorithms, and stores them: inline when small enough and allowInline,
// else as a durable blob. The body is read to io.EOF, because a signed body
// reports a bad signature or payload hash only there. On error nothing is
// left behind.
func (s *Service) ingest(ctx context.Context, body io.Reader, size int64, alg s3.ChecksumAlgorithm, extra []s3.ChecksumAlgorithm, allowInline bool) (*ingested, error) {
	sum, err := newHashSet(alg, extra)
	if err != nil {
		return nil, err
	}
	// An empty body needs no blob even where inlining is not allowed.
	if size == 0 || (allowInline && s.cfg.InlineMax >= 0 && size <= s.cfg.InlineMax) {
		data := make([]byte, size)
		if err := readBody(body, data); err != nil {
			return nil, err
		}
		if err := expectEOF(body); err != nil {
			return nil, err
		}
		m := md5.Sum(data)
		sum.Write(data)
		main, extras := sum.sums()
		return &ingested{size: size, md5: m[:], sum: main, extra: extras, inline: data}, nil
	}

	id := s3.NewBlobID()
	s.markPending(id)
	w, err := s.blobs.Create(ctx, id)
	if err != nil {
		s.unmarkPending(id)
		return nil, fmt.Errorf("create blob: %w", err)
	}
	md5sum, err := s.stream(body, size, w, sum)
	if err == nil {
		err = expectEOF(body)
	}
	if err == nil {
		err = w.Commit(ctx)
	}
	if err != nil {
		_ = w.Abort()
		s.unmarkPending(id)
		return nil, err
	}
	main, extras := sum.sums()
	return &ingested{size: size, md5: md5sum, sum: main, extra: extras, blob: &meta.Blob{ID: id, Size: size}}, nil
}

// stream copies size bytes from body to w through a small ring of buffers.
// MD5, the slowest hash and the one S3 makes mandatory, runs on its own
// goroutine while this one reads, checksums and writes the next buffer, so a
// single upload can use two cores.
func (s *Service) stream(body io.Reader, size int64, w io.Writer, sum io.Writer) ([]byte, error) {
	const ring = 3
	free := make(chan *[]byte, ring)
	for range ring {
		free <- s.bufs.Get().(*[]byte)
	}
	type job struct {
		buf *[]byte
		n   int
	}
	jobs := make(chan job, ring)
	md5Done := make(chan []byte, 1)
	go func() {
		h := md5.New()
		for j := range jobs {
			h.Write((*j.buf)[:j.n])
			free <- j.buf
		}
		md5Done <- h.Sum(nil)
	}()

	var err error
	for remaining := size; remaining > 0; {
		buf := <-free
		n := int(min(int64(len(*buf)), remaining))
		if err = readBody(body, (*buf)[:n]); err == nil {
			sum.Write((*buf)[:n])
			_, err = w.Write((*buf)[:n])
		}
		if err != nil {
			free <- buf
			break
		}
		jobs <- job{buf, n}
		remaining -= int64(n)
	}
	close(jobs)
	m := <-md5Done
	for range ring {
		s.bufs.Put(<-free)
	}
	return m, err
}

// readBody fills p from body; a body that ends early is IncompleteBody.
// Errors the body itself reports (a signature check, say) pass through.
func readBody(body io.Reader, p []byte) error {
	_, err := io.ReadFull(body, p)
	if errors.Is(err, io.ErrUnexpectedEOF) || (err == io.EOF && len(p) > 0) {
		return s3.ErrIncompleteBody
	}
	return err
}

// expectEOF reads the end of a body that should have no more bytes.
func expectEOF(body io.Reader) error {
	var b [1]byte
	for {
		n, err := body.Read(b[:])
		if n > 0 {
			return s3.Errorf(s3.ErrIncompleteBody, "The request body is longer than the Content-Length")
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
