package object

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// CopyRange is x-amz-copy-source-range: bytes First..Last, inclusive.
type CopyRange struct {
	First int64
	Last  int64
}

// UploadPartCopyInput is an UploadPartCopy request.
type UploadPartCopyInput struct {
	Bucket           string
	Key              string
	UploadID         string
	PartNumber       int
	SrcBucket        string
	SrcKey           string
	Range            *CopyRange
	SourceConditions Conditions
	// ExtraChecksums are kept with the part, as for UploadPart.
	ExtraChecksums []s3.ChecksumAlgorithm
}

// partCopyAttempts bounds the retries when the source is deleted between
// reading it and committing the part.
const partCopyAttempts = 3

// UploadPartCopy makes a part of (a range of) an existing object. The part
// references the source's extents; no data is written. The part's MD5 and
// checksum are taken from the source's records when the part is the whole
// of a single-part source, and are otherwise computed by reading the range
// once.
func (s *Service) UploadPartCopy(ctx context.Context, in UploadPartCopyInput) (PartResult, error) {
	if err := checkPartNumber(in.PartNumber); err != nil {
		return PartResult{}, err
	}
	if err := s3.ValidateKey(in.SrcKey); err != nil {
		return PartResult{}, err
	}
	for attempt := 1; ; attempt++ {
		p, err := s.uploadPartCopy(ctx, in)
		if !errors.Is(err, meta.ErrBlobGone) {
			return p, err
		}
		if attempt == partCopyAttempts {
			return PartResult{}, s3.ErrNoSuchKey.With("Key", in.SrcKey)
		}
	}
}

func (s *Service) uploadPartCopy(ctx context.Context, in UploadPartCopyInput) (PartResult, error) {
	var (
		u   meta.Upload
		src meta.Object
	)
	err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		var err error
		if u, err = openUpload(ctx, tx, in.Bucket, in.Key, in.UploadID); err != nil {
			return err
		}
		if _, err := ownedBucket(ctx, tx, in.SrcBucket); err != nil {
			return err
		}
		if src, err = getObject(tx, in.SrcBucket, in.SrcKey); err != nil {
			return err
		}
		return in.SourceConditions.checkCopySource(src)
	})
	if err != nil {
		return PartResult{}, err
	}
	off, n := int64(0), src.Size
	if in.Range != nil {
		if in.Range.First < 0 || in.Range.Last < in.Range.First || in.Range.Last >= src.Size {
			return PartResult{}, s3.Errorf(s3.ErrInvalidArgument, "Range specified is not valid for source object of size: %d", src.Size).
				With("ArgumentName", "x-amz-copy-source-range")
		}
		off, n = in.Range.First, in.Range.Last-in.Range.First+1
	}
	if n > s3.MaxPartSize {
		return PartResult{}, s3.Errorf(s3.ErrInvalidRequest, "The specified copy source is larger than the maximum allowable size for a copy source: %d", int64(s3.MaxPartSize))
	}
	alg := partAlgorithm(u)
	p := meta.Part{UploadID: u.ID, Number: in.PartNumber, Size: n, LastModified: s.now()}
	var fresh *ingested
	committed := false
	defer func() { s.release(fresh, committed) }()
	switch {
	case src.Extents == nil:
		// An inline source has no blob to reference: its few bytes become one.
		fresh, err = s.ingest(ctx, bytes.NewReader(src.Inline[off:off+n]), n, alg, in.ExtraChecksums, false)
		if err != nil {
			return PartResult{}, err
		}
		p.ETag, p.Checksum = hex.EncodeToString(fresh.md5), checksum.Encode(fresh.sum)
		p.ExtraChecksums = encodeExtra(fresh.extra, in.ExtraChecksums)
		if fresh.blob != nil {
			p.Extents = []s3.Extent{{Blob: fresh.blob.ID, Length: n}}
		}
	default:
		p.Extents = sliceExtents(src.Extents, off, n)
		whole := off == 0 && n == src.Size && len(src.Parts) == 0 && !strings.Contains(src.ETag, "-")
		if whole {
			p.ETag = src.ETag
		}
		if whole && src.Checksum.Algorithm == alg && src.Checksum.Type == s3.ChecksumTypeFullObject {
			p.Checksum = src.Checksum.Value
		}
		if whole {
			p.ExtraChecksums = reuseExtra(src.ExtraChecksums, in.ExtraChecksums)
		}
		if p.ETag == "" || p.Checksum == "" || len(p.ExtraChecksums) < len(in.ExtraChecksums) {
			md5sum, hs, err := s.hashRange(ctx, src, off, n, alg, in.ExtraChecksums)
			if err != nil {
				return PartResult{}, err
			}
			sum, extra := hs.sums()
			p.ETag, p.Checksum = hex.EncodeToString(md5sum), checksum.Encode(sum)
			p.ExtraChecksums = encodeExtra(extra, in.ExtraChecksums)
		}
	}
	var blobRec *meta.Blob
	if fresh != nil {
		blobRec = fresh.blob
	}
	if err := s.commitPart(ctx, in.Bucket, in.Key, p, blobRec); err != nil {
		return PartResult{}, err
	}
	committed = true
	return PartResult{Part: p, ChecksumAlgorithm: alg}, nil
}

// hashRange reads n bytes of o from off once, computing MD5, alg and the
// extra algorithms.
func (s *Service) hashRange(ctx context.Context, o meta.Object, off, n int64, alg s3.ChecksumAlgorithm, extra []s3.ChecksumAlgorithm) ([]byte, *hashSet, error) {
	hs, err := newHashSet(alg, extra)
	if err != nil {
		return nil, nil, err
	}
	m := md5.New()
	r := &Reader{Info: o, Offset: off, Length: n, svc: s, ctx: ctx}
	if _, err := r.WriteTo(io.MultiWriter(m, hs)); err != nil {
		return nil, nil, fmt.Errorf("read copy source %q/%q: %w", o.Bucket, o.Key, err)
	}
	return m.Sum(nil), hs, nil
}

// reuseExtra takes the wanted extra checksums from a source that has them
// all, or none when any is missing (they are then computed).
func reuseExtra(have map[s3.ChecksumAlgorithm]string, wanted []s3.ChecksumAlgorithm) map[s3.ChecksumAlgorithm]string {
	if len(wanted) == 0 {
		return nil
	}
	out := make(map[s3.ChecksumAlgorithm]string, len(wanted))
	for _, a := range wanted {
		v, ok := have[a]
		if !ok {
			return nil
		}
		out[a] = v
	}
	return out
}

// sliceExtents returns the extents covering bytes [off, off+n) of the
// concatenation of exts.
func sliceExtents(exts []s3.Extent, off, n int64) []s3.Extent {
	var out []s3.Extent
	end := off + n
	var pos int64
	for _, e := range exts {
		eStart, eEnd := pos, pos+e.Length
		pos = eEnd
		if eEnd <= off || eStart >= end || e.Length == 0 {
			continue
		}
		from, to := max(off, eStart), min(end, eEnd)
		out = append(out, s3.Extent{Blob: e.Blob, Offset: e.Offset + (from - eStart), Length: to - from})
		if pos >= end {
			break
		}
	}
	return out
}
