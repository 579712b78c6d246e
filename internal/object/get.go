package object

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// Range is a parsed single byte range: bytes=Start-End, bytes=Start- (End
// < 0), or the last SuffixLength bytes (bytes=-N, Suffix true).
type Range struct {
	Start        int64
	End          int64
	Suffix       bool
	SuffixLength int64
}

// resolve returns the offset and length the range selects in an object of
// size bytes, or InvalidRange if it selects nothing.
func (r Range) resolve(size int64) (off, n int64, err error) {
	if r.Suffix {
		if r.SuffixLength <= 0 || size == 0 {
			return 0, 0, r.invalid(size)
		}
		n = min(r.SuffixLength, size)
		return size - n, n, nil
	}
	if r.Start >= size {
		return 0, 0, r.invalid(size)
	}
	end := r.End
	if end < 0 || end >= size {
		end = size - 1
	}
	return r.Start, end - r.Start + 1, nil
}

func (r Range) String() string {
	switch {
	case r.Suffix:
		return "bytes=-" + strconv.FormatInt(r.SuffixLength, 10)
	case r.End < 0:
		return "bytes=" + strconv.FormatInt(r.Start, 10) + "-"
	}
	return "bytes=" + strconv.FormatInt(r.Start, 10) + "-" + strconv.FormatInt(r.End, 10)
}

func (r Range) invalid(size int64) error {
	return s3.ErrInvalidRange.With("RangeRequested", r.String(), "ActualObjectSize", strconv.FormatInt(size, 10))
}

// GetInput selects an object and what of it to read.
type GetInput struct {
	Bucket     string
	Key        string
	Range      *Range
	PartNumber int // 0 when absent
	Conditions Conditions
}

// Reader is an object opened for reading: its record and the byte span to
// serve. Copy it to the client with WriteTo; a HEAD simply never does.
type Reader struct {
	Info ObjectInfo
	// Offset and Length are the span served; Partial means 206.
	Offset  int64
	Length  int64
	Partial bool
	// PartsCount is the object's part count, set when a part was asked for
	// and the object is multipart.
	PartsCount int
	// Part is the part served, when PartNumber was given.
	Part *s3.PartInfo

	svc *Service
	ctx context.Context
}

// GetObject opens an object of a bucket the caller owns, evaluating the
// conditions and resolving the range or part.
func (s *Service) GetObject(ctx context.Context, in GetInput) (*Reader, error) {
	if in.PartNumber != 0 && in.Range != nil {
		return nil, s3.Errorf(s3.ErrInvalidRequest, "Cannot specify both Range header and partNumber query parameter")
	}
	if in.PartNumber < 0 || in.PartNumber > s3.MaxPartNumber {
		return nil, s3.Errorf(s3.ErrInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive").
			With("ArgumentName", "partNumber", "ArgumentValue", strconv.Itoa(in.PartNumber))
	}
	var o meta.Object
	err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		if _, err := ownedBucket(ctx, tx, in.Bucket); err != nil {
			return err
		}
		var err error
		o, err = getObject(tx, in.Bucket, in.Key)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := in.Conditions.checkRead(o); err != nil {
		return nil, err
	}
	r := &Reader{Info: o, Length: o.Size, svc: s, ctx: ctx}
	switch {
	case in.PartNumber > 0:
		if err := r.selectPart(in.PartNumber); err != nil {
			return nil, err
		}
	case in.Range != nil:
		off, n, err := in.Range.resolve(o.Size)
		if err != nil {
			return nil, err
		}
		r.Offset, r.Length, r.Partial = off, n, true
	}
	return r, nil
}

// selectPart narrows the reader to part n. Parts keep the numbers they were
// uploaded with; a plain object is one part numbered 1.
func (r *Reader) selectPart(n int) error {
	o := r.Info
	if len(o.Parts) == 0 {
		if n != 1 {
			return s3.ErrInvalidPartNumber.With("PartNumberRequested", strconv.Itoa(n), "ActualPartCount", "1")
		}
		r.Partial = true
		r.Part = &s3.PartInfo{Number: 1, Size: o.Size, ETag: o.ETag}
		return nil
	}
	r.PartsCount = len(o.Parts)
	var off int64
	for i := range o.Parts {
		p := &o.Parts[i]
		if p.Number == n {
			r.Offset, r.Length, r.Partial, r.Part = off, p.Size, true, p
			return nil
		}
		off += p.Size
	}
	return &s3.Error{
		Code:   s3.ErrInvalidPartNumber,
		Fields: []s3.Field{{Name: "PartNumberRequested", Value: strconv.Itoa(n)}, {Name: "ActualPartCount", Value: strconv.Itoa(len(o.Parts))}},
		Header: map[string]string{"x-amz-mp-parts-count": strconv.Itoa(len(o.Parts))},
	}
}

// WriteTo copies the selected span to w, extent by extent. Blob readers
// implement io.WriterTo, so a network writer gets sendfile.
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	o := r.Info
	if o.Extents == nil {
		if r.Length == 0 {
			return 0, nil
		}
		n, err := w.Write(o.Inline[r.Offset : r.Offset+r.Length])
		return int64(n), err
	}
	var written int64
	start, end := r.Offset, r.Offset+r.Length
	var pos int64 // object offset of the current extent
	for _, e := range o.Extents {
		eStart, eEnd := pos, pos+e.Length
		pos = eEnd
		if eEnd <= start || eStart >= end || e.Length == 0 {
			continue
		}
		from := max(start, eStart)
		to := min(end, eEnd)
		rc, err := r.svc.blobs.Open(r.ctx, e.Blob, e.Offset+(from-eStart), to-from)
		if err != nil {
			return written, fmt.Errorf("object %q/%q: open blob %s: %w", o.Bucket, o.Key, e.Blob, err)
		}
		n, err := io.Copy(w, rc)
		rc.Close()
		written += n
		if err != nil {
			return written, err
		}
		if pos >= end {
			break
		}
	}
	return written, nil
}
