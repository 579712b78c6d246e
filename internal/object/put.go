package object

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// ChecksumInput is the additional checksum a write asks for.
type ChecksumInput struct {
	// Algorithm to compute; "" means CRC64NVME, which S3 now stores for every
	// object written without one.
	Algorithm s3.ChecksumAlgorithm
	// Value is the expected base64 value from an x-amz-checksum-* header, or "".
	Value string
	// Trailer, if set, returns the expected value sent as an aws-chunked
	// trailer; it is called after the body reached io.EOF.
	Trailer func() string
}

// PutInput is a PutObject request.
type PutInput struct {
	Bucket       string
	Key          string
	Body         io.Reader
	Size         int64
	Headers      meta.ObjectHeaders
	UserMetadata map[string]string
	Tags         []s3.Tag
	StorageClass string
	ContentMD5   []byte // decoded Content-MD5, nil when absent
	Checksum     ChecksumInput
	Conditions   WriteConditions
	// ExtraChecksums are computed besides Checksum and kept with the object.
	ExtraChecksums []s3.ChecksumAlgorithm
	// ETag selects the ETag: the MD5 of the data (S3's) or its SHA-256.
	ETag ETagKind
}

// ETagKind selects how an object's ETag is computed.
type ETagKind uint8

// The ETag kinds.
const (
	// ETagMD5 is S3's: the hex MD5 of the data, or of the part MD5s + "-N".
	ETagMD5 ETagKind = iota
	// ETagSHA256 is the hex SHA-256 of the data, for clients of stores that
	// use it (NetBackup MSDP), multipart objects included.
	ETagSHA256
)

// PutObject stores an object, replacing any object at the key. The body is
// streamed to a durable blob (or kept inline when small) before the metadata
// commit that makes the object visible.
func (s *Service) PutObject(ctx context.Context, in PutInput) (ObjectInfo, error) {
	if err := s3.ValidateKey(in.Key); err != nil {
		return ObjectInfo{}, err
	}
	if in.Size < 0 {
		return ObjectInfo{}, s3.ErrMissingContentLength
	}
	if in.Size > s3.MaxPutSize {
		return ObjectInfo{}, s3.ErrEntityTooLarge.With("ProposedSize", fmt.Sprint(in.Size), "MaxSizeAllowed", fmt.Sprint(int64(s3.MaxPutSize)))
	}
	tags, storageClass, err := validateAttrs(in.Headers, in.UserMetadata, in.Tags, in.StorageClass)
	if err != nil {
		return ObjectInfo{}, err
	}
	alg := in.Checksum.Algorithm
	if alg == "" {
		alg = s3.ChecksumCRC64NVME
	}
	// Fail before reading a byte of the body when the bucket is not there
	// or a condition already fails; note the key's state for the
	// conditional check at commit.
	var before objectState
	if err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		if _, err := ownedBucket(ctx, tx, in.Bucket); err != nil {
			return err
		}
		if in.Conditions.isZero() {
			return nil
		}
		var err error
		if before, err = readObjectState(tx, in.Bucket, in.Key); err != nil {
			return err
		}
		return in.Conditions.check(in.Key, before)
	}); err != nil {
		return ObjectInfo{}, err
	}

	extra := in.ExtraChecksums
	if in.ETag == ETagSHA256 {
		extra = append(slices.Clip(extra), s3.ChecksumSHA256)
	}
	ing, err := s.ingest(ctx, in.Body, in.Size, alg, extra, true)
	if err != nil {
		return ObjectInfo{}, err
	}
	committed := false
	defer func() { s.release(ing, committed) }()
	if err := verifyDigests(ing, in.ContentMD5, alg, in.Checksum); err != nil {
		return ObjectInfo{}, err
	}

	o := meta.Object{
		Bucket:         in.Bucket,
		Key:            in.Key,
		Size:           ing.size,
		ETag:           hex.EncodeToString(ing.md5),
		LastModified:   s.now(),
		StorageClass:   storageClass,
		ExtraChecksums: encodeExtra(ing.extra, in.ExtraChecksums),
		Headers:        in.Headers,
		UserMetadata:   in.UserMetadata,
		Tags:           tags,
		Checksum:       s3.Checksum{Algorithm: alg, Type: s3.ChecksumTypeFullObject, Value: checksum.Encode(ing.sum)},
		Inline:         ing.inline,
	}
	if in.ETag == ETagSHA256 {
		o.ETag = hex.EncodeToString(ing.extra[s3.ChecksumSHA256])
	}
	if ing.blob != nil {
		o.Extents = []s3.Extent{{Blob: ing.blob.ID, Offset: 0, Length: ing.size}}
	}
	err = s.meta.Update(ctx, func(tx meta.Tx) error {
		b, err := ownedBucket(ctx, tx, in.Bucket)
		if err != nil {
			return err
		}
		if err := checkConditionalWrite(tx, in.Bucket, in.Key, in.Conditions, before); err != nil {
			return err
		}
		o.OwnerID = b.OwnerID
		if ing.blob != nil {
			if err := tx.AddBlobs(*ing.blob); err != nil {
				return err
			}
		}
		_, err = tx.PutObject(o)
		return err
	})
	if err != nil {
		return ObjectInfo{}, err
	}
	committed = true
	return o, nil
}

// verifyDigests compares what was computed with what the client said:
// Content-MD5, and the x-amz-checksum-* header or trailer.
func verifyDigests(ing *ingested, contentMD5 []byte, alg s3.ChecksumAlgorithm, ci ChecksumInput) error {
	if contentMD5 != nil && !bytes.Equal(contentMD5, ing.md5) {
		return s3.ErrBadDigest.With(
			"ExpectedDigest", base64.StdEncoding.EncodeToString(contentMD5),
			"CalculatedDigest", base64.StdEncoding.EncodeToString(ing.md5))
	}
	expected := ci.Value
	if expected == "" && ci.Trailer != nil {
		expected = ci.Trailer()
	}
	if expected == "" {
		return nil
	}
	want, err := checksum.Decode(alg, expected)
	if err != nil {
		return err
	}
	if !bytes.Equal(want, ing.sum) {
		return s3.Errorf(s3.ErrBadDigest, "The %s you specified did not match the calculated checksum.", strings.ToLower(string(alg)))
	}
	return nil
}

// encodeExtra keeps the computed extra checksums that were asked for,
// base64-encoded as they are stored; nil when there are none.
func encodeExtra(sums map[s3.ChecksumAlgorithm][]byte, wanted []s3.ChecksumAlgorithm) map[s3.ChecksumAlgorithm]string {
	var out map[s3.ChecksumAlgorithm]string
	for _, a := range wanted {
		if v, ok := sums[a]; ok {
			if out == nil {
				out = make(map[s3.ChecksumAlgorithm]string, len(wanted))
			}
			out[a] = checksum.Encode(v)
		}
	}
	return out
}
