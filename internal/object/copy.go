package object

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// CopyInput is a CopyObject request.
type CopyInput struct {
	SrcBucket string
	SrcKey    string
	Bucket    string
	Key       string

	// ReplaceMetadata is x-amz-metadata-directive: REPLACE; Headers and
	// UserMetadata are then the new object's. Otherwise the source's are kept.
	ReplaceMetadata bool
	Headers         meta.ObjectHeaders
	UserMetadata    map[string]string
	// ReplaceTags is x-amz-tagging-directive: REPLACE with Tags.
	ReplaceTags  bool
	Tags         []s3.Tag
	StorageClass string
	// ChecksumAlgorithm asks for a different checksum than the source's.
	ChecksumAlgorithm s3.ChecksumAlgorithm

	SourceConditions Conditions
	Conditions       WriteConditions
}

// CopyObject makes Key a copy of SrcKey without copying data: the new
// record references the source's extents (or repeats its inline bytes).
func (s *Service) CopyObject(ctx context.Context, in CopyInput) (ObjectInfo, error) {
	if err := s3.ValidateKey(in.Key); err != nil {
		return ObjectInfo{}, err
	}
	if err := s3.ValidateKey(in.SrcKey); err != nil {
		return ObjectInfo{}, err
	}
	if in.SrcBucket == in.Bucket && in.SrcKey == in.Key && !in.ReplaceMetadata && in.StorageClass == "" && !in.ReplaceTags && in.ChecksumAlgorithm == "" {
		return ObjectInfo{}, s3.Errorf(s3.ErrInvalidRequest, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	var storageClass string
	if in.StorageClass != "" {
		var err error
		if storageClass, err = validateStorageClass(in.StorageClass); err != nil {
			return ObjectInfo{}, err
		}
	}
	if in.ReplaceMetadata {
		if err := validateMetadata(in.Headers, in.UserMetadata); err != nil {
			return ObjectInfo{}, err
		}
	}
	tags, err := s3.ValidateTags(in.Tags)
	if err != nil {
		return ObjectInfo{}, err
	}

	// A new checksum algorithm needs the data read once; everything else is
	// metadata. The sum is computed first, outside the transaction, and the
	// commit checks that the source did not change meanwhile.
	var recomputed *s3.Checksum
	var sumOf string // ETag the recomputed checksum belongs to
	if in.ChecksumAlgorithm != "" {
		if recomputed, sumOf, err = s.sourceChecksum(ctx, in); err != nil {
			return ObjectInfo{}, err
		}
	}

	var out meta.Object
	err = s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := ownedBucket(ctx, tx, in.SrcBucket); err != nil {
			return err
		}
		src, err := getObject(tx, in.SrcBucket, in.SrcKey)
		if err != nil {
			return err
		}
		if err := in.SourceConditions.checkCopySource(src); err != nil {
			return err
		}
		if src.Size > s3.MaxPutSize {
			return s3.Errorf(s3.ErrInvalidRequest, "The specified copy source is larger than the maximum allowable size for a copy source: %d", int64(s3.MaxPutSize))
		}
		dst, err := ownedBucket(ctx, tx, in.Bucket)
		if err != nil {
			return err
		}
		// A copy reads and writes in one transaction: there is no window
		// for a concurrent write, so the state now is the state before.
		before, err := readObjectState(tx, in.Bucket, in.Key)
		if err != nil {
			return err
		}
		if err := checkConditionalWrite(tx, in.Bucket, in.Key, in.Conditions, before); err != nil {
			return err
		}
		out = src
		out.Bucket, out.Key, out.OwnerID = in.Bucket, in.Key, dst.OwnerID
		out.LastModified = s.now()
		out.UploadID = ""
		if in.ReplaceMetadata {
			out.Headers, out.UserMetadata = in.Headers, in.UserMetadata
		}
		if in.ReplaceTags {
			out.Tags = tags
		}
		if storageClass != "" {
			out.StorageClass = storageClass
		}
		if recomputed != nil {
			if src.ETag != sumOf {
				return s3.Errorf(s3.ErrConditionalRequestConflict, "The copy source changed while its checksum was computed")
			}
			out.Checksum = *recomputed
		}
		_, err = tx.PutObject(out)
		if errors.Is(err, meta.ErrBlobGone) {
			return s3.ErrNoSuchKey.With("Key", in.SrcKey)
		}
		return err
	})
	if err != nil {
		return ObjectInfo{}, err
	}
	return out, nil
}

// sourceChecksum reads the source once to compute a checksum in a new
// algorithm, returning it with the ETag of the data it covers.
func (s *Service) sourceChecksum(ctx context.Context, in CopyInput) (*s3.Checksum, string, error) {
	h, ok := checksum.New(in.ChecksumAlgorithm)
	if !ok {
		return nil, "", s3.Errorf(s3.ErrInvalidRequest, "Unsupported checksum algorithm %s", in.ChecksumAlgorithm)
	}
	r, err := s.GetObject(ctx, GetInput{Bucket: in.SrcBucket, Key: in.SrcKey})
	if err != nil {
		return nil, "", err
	}
	if _, err := r.WriteTo(h); err != nil {
		return nil, "", fmt.Errorf("read copy source: %w", err)
	}
	return &s3.Checksum{Algorithm: in.ChecksumAlgorithm, Type: s3.ChecksumTypeFullObject, Value: checksum.Encode(h.Sum(nil))}, r.Info.ETag, nil
}

var _ io.WriterTo = (*Reader)(nil)
