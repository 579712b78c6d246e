package object

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// UploadInfo is an upload as the service returns it.
type UploadInfo = meta.Upload

// PartInfo is an uploaded part.
type PartInfo = meta.Part

// PartResult is a stored part and the algorithm of its checksum: the
// upload's, or CRC64NVME.
type PartResult struct {
	meta.Part
	ChecksumAlgorithm s3.ChecksumAlgorithm
}

// CreateUploadInput is a CreateMultipartUpload request.
type CreateUploadInput struct {
	Bucket       string
	Key          string
	Headers      meta.ObjectHeaders
	UserMetadata map[string]string
	Tags         []s3.Tag
	StorageClass string
	// ChecksumAlgorithm and ChecksumType are x-amz-checksum-algorithm and
	// x-amz-checksum-type; both may be empty.
	ChecksumAlgorithm s3.ChecksumAlgorithm
	ChecksumType      s3.ChecksumType
}

// AbortRule says when a lifecycle rule will abort an upload.
type AbortRule struct {
	Date   time.Time
	RuleID string
}

// CreateMultipartUpload starts an upload. The returned rule is set when a
// lifecycle rule of the bucket will abort it.
func (s *Service) CreateMultipartUpload(ctx context.Context, in CreateUploadInput) (UploadInfo, *AbortRule, error) {
	if err := s3.ValidateKey(in.Key); err != nil {
		return UploadInfo{}, nil, err
	}
	// The upload stores them for the object, under the same rules as PUT.
	tags, storageClass, err := validateAttrs(in.Headers, in.UserMetadata, in.Tags, in.StorageClass)
	if err != nil {
		return UploadInfo{}, nil, err
	}
	typ := in.ChecksumType
	if typ != "" && in.ChecksumAlgorithm == "" {
		return UploadInfo{}, nil, s3.Errorf(s3.ErrInvalidRequest, "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	}
	if in.ChecksumAlgorithm != "" {
		if err := checksum.CheckTypeAllowed(in.ChecksumAlgorithm, typ); err != nil {
			return UploadInfo{}, nil, err
		}
		if typ == "" {
			typ = checksum.DefaultType(in.ChecksumAlgorithm)
		}
	}
	now := s.now()
	u := meta.Upload{
		ID:                newUploadID(now),
		Bucket:            in.Bucket,
		Key:               in.Key,
		Initiated:         now,
		LastActivity:      now,
		Headers:           in.Headers,
		UserMetadata:      in.UserMetadata,
		Tags:              tags,
		StorageClass:      storageClass,
		ChecksumAlgorithm: in.ChecksumAlgorithm,
		ChecksumType:      typ,
	}
	var rule *AbortRule
	err = s.meta.Update(ctx, func(tx meta.Tx) error {
		b, err := ownedBucket(ctx, tx, in.Bucket)
		if err != nil {
			return err
		}
		u.OwnerID = b.OwnerID
		if rule, err = abortRuleFor(tx, u); err != nil {
			return err
		}
		return tx.CreateUpload(u)
	})
	if err != nil {
		return UploadInfo{}, nil, err
	}
	return u, rule, nil
}

// partAlgorithm is the checksum every part of u carries: the upload's
// algorithm, or CRC64NVME, which S3 computes when none was asked for.
func partAlgorithm(u meta.Upload) s3.ChecksumAlgorithm {
	if u.ChecksumAlgorithm != "" {
		return u.ChecksumAlgorithm
	}
	return s3.ChecksumCRC64NVME
}

// objectChecksumType is the type of the completed object's checksum.
func objectChecksumType(u meta.Upload) s3.ChecksumType {
	if u.ChecksumAlgorithm == "" {
		return s3.ChecksumTypeFullObject
	}
	return u.ChecksumType
}

// openUpload loads an upload of an owned bucket, checking it belongs to the
// key the request names.
func openUpload(ctx context.Context, tx meta.ReadTx, bucket, key, uploadID string) (meta.Upload, error) {
	if _, err := ownedBucket(ctx, tx, bucket); err != nil {
		return meta.Upload{}, err
	}
	u, err := tx.GetUpload(uploadID)
	if errors.Is(err, meta.ErrNotFound) || (err == nil && (u.Bucket != bucket || u.Key != key)) {
		return meta.Upload{}, noSuchUpload(uploadID)
	}
	if err != nil {
		return meta.Upload{}, fmt.Errorf("get upload %s: %w", uploadID, err)
	}
	return u, nil
}

func noSuchUpload(id string) error { return s3.ErrNoSuchUpload.With("UploadId", id) }

func checkPartNumber(n int) error {
	if n < 1 || n > s3.MaxPartNumber {
		return s3.Errorf(s3.ErrInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive").
			With("ArgumentName", "partNumber", "ArgumentValue", strconv.Itoa(n))
	}
	return nil
}

// UploadPartInput is an UploadPart request.
type UploadPartInput struct {
	Bucket     string
	Key        string
	UploadID   string
	PartNumber int
	Body       io.Reader
	Size       int64
	ContentMD5 []byte
	Checksum   ChecksumInput
	// ExtraChecksums are computed besides the upload's checksum and kept
	// with the part, so that Complete can combine them.
	ExtraChecksums []s3.ChecksumAlgorithm
}

// UploadPart stores one part, replacing an earlier part of the same number.
func (s *Service) UploadPart(ctx context.Context, in UploadPartInput) (PartResult, error) {
	if err := checkPartNumber(in.PartNumber); err != nil {
		return PartResult{}, err
	}
	if in.Size < 0 {
		return PartResult{}, s3.ErrMissingContentLength
	}
	if in.Size > s3.MaxPartSize {
		return PartResult{}, s3.ErrEntityTooLarge.With("ProposedSize", strconv.FormatInt(in.Size, 10), "MaxSizeAllowed", strconv.FormatInt(s3.MaxPartSize, 10))
	}
	var u meta.Upload
	if err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		var err error
		u, err = openUpload(ctx, tx, in.Bucket, in.Key, in.UploadID)
		return err
	}); err != nil {
		return PartResult{}, err
	}
	alg := partAlgorithm(u)
	if err := checkPartChecksum(u, in.Checksum); err != nil {
		return PartResult{}, err
	}
	ing, err := s.ingest(ctx, in.Body, in.Size, alg, in.ExtraChecksums, false)
	if err != nil {
		return PartResult{}, err
	}
	committed := false
	defer func() { s.release(ing, committed) }()
	ci := in.Checksum
	ci.Algorithm = alg
	if err := verifyDigests(ing, in.ContentMD5, alg, ci); err != nil {
		return PartResult{}, err
	}
	p := meta.Part{
		UploadID:       u.ID,
		Number:         in.PartNumber,
		Size:           ing.size,
		ETag:           hex.EncodeToString(ing.md5),
		LastModified:   s.now(),
		Checksum:       checksum.Encode(ing.sum),
		ExtraChecksums: encodeExtra(ing.extra, in.ExtraChecksums),
	}
	if ing.blob != nil {
		p.Extents = []s3.Extent{{Blob: ing.blob.ID, Length: ing.size}}
	}
	if err := s.commitPart(ctx, in.Bucket, in.Key, p, ing.blob); err != nil {
		return PartResult{}, err
	}
	committed = true
	return PartResult{Part: p, ChecksumAlgorithm: alg}, nil
}

// commitPart records a part, failing with NoSuchUpload if the upload was
// completed or aborted while the part was being received.
func (s *Service) commitPart(ctx context.Context, bucket, key string, p meta.Part, fresh *meta.Blob) error {
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := openUpload(ctx, tx, bucket, key, p.UploadID); err != nil {
			return err
		}
		if fresh != nil {
			if err := tx.AddBlobs(*fresh); err != nil {
				return err
			}
		}
		_, err := tx.PutPart(p)
		if errors.Is(err, meta.ErrNotFound) {
			return noSuchUpload(p.UploadID)
		}
		return err
	})
}

// checkPartChecksum applies S3's rules for a part's checksum: it must be in
// the upload's algorithm, and an upload with a COMPOSITE checksum needs one
// on every part.
func checkPartChecksum(u meta.Upload, ci ChecksumInput) error {
	if ci.Algorithm != "" && ci.Algorithm != u.ChecksumAlgorithm {
		expected := "null"
		if u.ChecksumAlgorithm != "" {
			expected = strings.ToLower(string(u.ChecksumAlgorithm))
		}
		return s3.Errorf(s3.ErrInvalidRequest, "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			expected, strings.ToLower(string(ci.Algorithm)))
	}
	if u.ChecksumAlgorithm != "" && u.ChecksumType == s3.ChecksumTypeComposite && ci.Value == "" && ci.Trailer == nil {
		// S3's wording, captured in floci-io/floci#3093 (2026).
		return s3.Errorf(s3.ErrInvalidRequest, "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: null",
			strings.ToLower(string(u.ChecksumAlgorithm)))
	}
	return nil
}

// AbortMultipartUpload discards an upload; its parts go to the collector.
func (s *Service) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := openUpload(ctx, tx, bucket, key, uploadID); err != nil {
			return err
		}
		err := tx.DeleteUpload(uploadID)
		if errors.Is(err, meta.ErrNotFound) {
			return noSuchUpload(uploadID)
		}
		return err
	})
}

// ListPartsInput is a ListParts request.
type ListPartsInput struct {
	Bucket   string
	Key      string
	UploadID string
	Marker   int // list parts numbered above it
	MaxParts int
}

// ListPartsResult is one page of parts.
type ListPartsResult struct {
	Upload      UploadInfo
	Parts       []PartInfo
	IsTruncated bool
	NextMarker  int
	Abort       *AbortRule
}

// ListParts lists an upload's parts in number order.
func (s *Service) ListParts(ctx context.Context, in ListPartsInput) (ListPartsResult, error) {
	if in.MaxParts <= 0 || in.MaxParts > s3.MaxListKeys {
		in.MaxParts = s3.MaxListKeys
	}
	var res ListPartsResult
	err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		u, err := openUpload(ctx, tx, in.Bucket, in.Key, in.UploadID)
		if err != nil {
			return err
		}
		parts, err := tx.ListParts(u.ID, in.Marker, in.MaxParts+1, false)
		if err != nil {
			return err
		}
		res = ListPartsResult{Upload: u}
		if len(parts) > in.MaxParts {
			parts = parts[:in.MaxParts]
			res.IsTruncated = true
		}
		if len(parts) > 0 {
			res.NextMarker = parts[len(parts)-1].Number
		}
		res.Parts = parts
		res.Abort, err = abortRuleFor(tx, u)
		return err
	})
	return res, err
}
