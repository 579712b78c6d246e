package object

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// CompleteInput is a CompleteMultipartUpload request.
type CompleteInput struct {
	Bucket   string
	Key      string
	UploadID string
	Parts    []CompletedPart
	// Checksum is the expected object checksum from an x-amz-checksum-*
	// header, if any (Trailer is not used).
	Checksum ChecksumInput
	// ChecksumType is x-amz-checksum-type; "" means the upload's.
	ChecksumType s3.ChecksumType
	// ObjectSize is x-amz-mp-object-size, nil when absent.
	ObjectSize *int64
	Conditions WriteConditions
	// UserMetadata, when not nil, replaces the metadata given at Create
	// (BOS clients send it with Complete).
	UserMetadata map[string]string
	// PartSizes overrides the service's minimum part size rule, nil for the
	// default.
	PartSizes *PartSizeRule
	// ETag selects the object's ETag; ETagSHA256 reads the assembled object
	// once to hash it, the one case where Complete touches data.
	ETag ETagKind
}

// PartSizeRule is the smallest size a part other than the last may have:
// Min, or SmallMin when the whole object is under SmallBelow bytes (KS3
// accepts 100 KB parts for objects under 5 MB).
type PartSizeRule struct {
	Min        int64
	SmallBelow int64
	SmallMin   int64
}

func (r PartSizeRule) min(total int64) int64 {
	if r.SmallBelow > 0 && total < r.SmallBelow {
		return r.SmallMin
	}
	return r.Min
}

// CompleteResult is what a Complete answers. Replayed is set when the
// upload had already been completed with the same part list and the stored
// result is returned again.
type CompleteResult struct {
	meta.Completion
	Replayed bool
}

// CompleteMultipartUpload assembles the listed parts into the object. It
// moves no data: the object's extents are the parts' extents, concatenated,
// and everything (validation, the conditional check, the write, the removal
// of the upload and the record that makes a retry answer the same result)
// happens in one metadata transaction, so concurrent Completes of one upload
// commit exactly once and every one of them answers the same result.
func (s *Service) CompleteMultipartUpload(ctx context.Context, in CompleteInput) (CompleteResult, error) {
	if err := s3.ValidateKey(in.Key); err != nil {
		return CompleteResult{}, err
	}
	digest := partsDigest(in.Parts)
	// A first look outside the writer: replays and shape errors are
	// answered without taking it, and the key's state is noted so that a
	// write that lands meanwhile is told apart (409) from one that was
	// already there (412).
	var (
		u      meta.Upload
		replay *meta.Completion
		before objectState
	)
	err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		var err error
		u, replay, err = uploadOrReplay(ctx, tx, in, digest)
		if err != nil || replay != nil {
			return err
		}
		before, err = readObjectState(tx, in.Bucket, in.Key)
		return err
	})
	if err != nil {
		return CompleteResult{}, err
	}
	if replay != nil {
		return CompleteResult{Completion: *replay, Replayed: true}, nil
	}
	if err := s.checkCompleteRequest(u, in); err != nil {
		return CompleteResult{}, err
	}

	if in.UserMetadata != nil {
		if err := validateUserMetadata(in.UserMetadata); err != nil {
			return CompleteResult{}, err
		}
	}
	for attempt := 1; ; attempt++ {
		var hashed *sha256Object
		if in.ETag == ETagSHA256 {
			if hashed, err = s.hashAssembly(ctx, in); err != nil {
				return CompleteResult{}, err
			}
		}
		res, err := s.commitComplete(ctx, in, digest, before, hashed)
		if errors.Is(err, errAssemblyChanged) && attempt < partCopyAttempts {
			continue // a part was replaced while the object was hashed
		}
		if errors.Is(err, errAssemblyChanged) {
			return CompleteResult{}, s3.Errorf(s3.ErrConditionalRequestConflict, "The upload's parts changed while the object was being hashed")
		}
		return res, err
	}
}

// commitComplete is the one transaction of a Complete.
func (s *Service) commitComplete(ctx context.Context, in CompleteInput, digest []byte, before objectState, hashed *sha256Object) (CompleteResult, error) {
	var res CompleteResult
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		u, replay, err := uploadOrReplay(ctx, tx, in, digest)
		if err != nil {
			return err
		}
		if replay != nil { // a concurrent Complete of the same upload won
			res = CompleteResult{Completion: *replay, Replayed: true}
			return nil
		}
		stored, err := tx.ListParts(u.ID, 0, 0, true)
		if err != nil {
			return fmt.Errorf("list parts of %s: %w", u.ID, err)
		}
		asm, err := s.assemble(u, in, stored)
		if err != nil {
			return err
		}
		if hashed != nil {
			if !slices.Equal(hashed.extents, asm.extents) {
				return errAssemblyChanged
			}
			asm.etag = hashed.etag
		}
		if err := checkConditionalWrite(tx, in.Bucket, in.Key, in.Conditions, before); err != nil {
			return err
		}
		b, err := tx.GetBucket(in.Bucket)
		if err != nil {
			return err
		}
		metadata := u.UserMetadata
		if in.UserMetadata != nil {
			metadata = in.UserMetadata
		}
		now := s.now()
		o := meta.Object{
			Bucket:         in.Bucket,
			Key:            in.Key,
			Size:           asm.size,
			ETag:           asm.etag,
			LastModified:   now,
			StorageClass:   u.StorageClass,
			OwnerID:        b.OwnerID,
			Headers:        u.Headers,
			UserMetadata:   metadata,
			Tags:           u.Tags,
			Checksum:       asm.checksum,
			ExtraChecksums: asm.extra,
			UploadID:       u.ID,
			Parts:          asm.parts,
			Extents:        asm.extents,
		}
		c := meta.Completion{
			UploadID: u.ID, Bucket: in.Bucket, Key: in.Key, ETag: asm.etag, Size: asm.size,
			Checksum: asm.checksum, ExtraChecksums: asm.extra, PartsDigest: digest, Completed: now,
		}
		if _, err := tx.CompleteUpload(c, o, asm.unused); err != nil {
			if errors.Is(err, meta.ErrNotFound) {
				return noSuchUpload(u.ID)
			}
			return err
		}
		res = CompleteResult{Completion: c}
		return nil
	})
	return res, err
}

// errAssemblyChanged: the parts hashed for a SHA-256 ETag are no longer
// the parts being completed.
var errAssemblyChanged = errors.New("object: assembly changed while hashing")

// sha256Object is the SHA-256 ETag of an assembly and the extents it
// covers.
type sha256Object struct {
	extents []s3.Extent
	etag    string
}

// hashAssembly assembles the upload as Complete would, outside the writer,
// and hashes the object's bytes once.
func (s *Service) hashAssembly(ctx context.Context, in CompleteInput) (*sha256Object, error) {
	var asm assembly
	var u meta.Upload
	err := s.meta.View(ctx, func(tx meta.ReadTx) error {
		var err error
		if u, err = openUpload(ctx, tx, in.Bucket, in.Key, in.UploadID); err != nil {
			return err
		}
		stored, err := tx.ListParts(u.ID, 0, 0, true)
		if err != nil {
			return err
		}
		asm, err = s.assemble(u, in, stored)
		return err
	})
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	r := &Reader{Info: meta.Object{Bucket: in.Bucket, Key: in.Key, Size: asm.size, Extents: asm.extents}, Length: asm.size, svc: s, ctx: ctx}
	if _, err := r.WriteTo(h); err != nil {
		return nil, fmt.Errorf("hash upload %s: %w", in.UploadID, err)
	}
	return &sha256Object{extents: asm.extents, etag: hex.EncodeToString(h.Sum(nil))}, nil
}

// uploadOrReplay finds the upload a Complete names, or, when it is gone,
// the record of its completion with the same part list.
func uploadOrReplay(ctx context.Context, tx meta.ReadTx, in CompleteInput, digest []byte) (meta.Upload, *meta.Completion, error) {
	u, err := openUpload(ctx, tx, in.Bucket, in.Key, in.UploadID)
	if err == nil || !errors.Is(err, s3.ErrNoSuchUpload) {
		return u, nil, err
	}
	c, cerr := tx.GetCompletion(in.UploadID)
	if cerr != nil {
		if errors.Is(cerr, meta.ErrNotFound) {
			return meta.Upload{}, nil, err
		}
		return meta.Upload{}, nil, cerr
	}
	if c.Bucket != in.Bucket || c.Key != in.Key || !bytes.Equal(c.PartsDigest, digest) {
		return meta.Upload{}, nil, err
	}
	return meta.Upload{}, &c, nil
}

// partsDigest identifies a Complete's part list for replay: the numbers and
// ETags, quotes removed.
func partsDigest(parts []CompletedPart) []byte {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s\n", p.Number, stripQuotes(p.ETag))
	}
	return h.Sum(nil)
}

// checkCompleteRequest applies the rules that need the upload but not its
// parts: the checksum mode and the part list's shape.
func (s *Service) checkCompleteRequest(u meta.Upload, in CompleteInput) error {
	if in.ChecksumType != "" && in.ChecksumType != objectChecksumType(u) {
		mode := string(u.ChecksumType)
		if u.ChecksumAlgorithm == "" {
			mode = "default"
		}
		return s3.Errorf(s3.ErrInvalidRequest, "The upload was created using the %s checksum mode. The complete request must use the same checksum mode.", mode)
	}
	if a := in.Checksum.Algorithm; a != "" && a != partAlgorithm(u) {
		return s3.Errorf(s3.ErrInvalidRequest, "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			strings.ToLower(string(partAlgorithm(u))), strings.ToLower(string(a)))
	}
	return validatePartList(in.Parts, u.ChecksumAlgorithm != "")
}

// assembly is the object a Complete builds from the listed parts.
type assembly struct {
	size     int64
	etag     string
	checksum s3.Checksum
	extra    map[s3.ChecksumAlgorithm]string
	parts    []s3.PartInfo
	extents  []s3.Extent
	unused   []meta.Part
}

// assemble matches the listed parts against the stored ones (both in
// ascending order) and computes the object's size, ETag and checksum from
// the parts' records alone: the CRCs combine, nothing is re-read.
func (s *Service) assemble(u meta.Upload, in CompleteInput, stored []meta.Part) (assembly, error) {
	alg := partAlgorithm(u)
	explicit := u.ChecksumAlgorithm != ""
	var a assembly
	a.parts = make([]s3.PartInfo, 0, len(in.Parts))
	md5s := make([][]byte, 0, len(in.Parts))
	sums := make([][]byte, 0, len(in.Parts))
	sizes := make([]int64, 0, len(in.Parts))
	a.extents = make([]s3.Extent, 0, len(in.Parts))
	j := 0
	for _, want := range in.Parts {
		for j < len(stored) && stored[j].Number < want.Number {
			a.unused = append(a.unused, stored[j])
			j++
		}
		etag := stripQuotes(want.ETag)
		if j == len(stored) || stored[j].Number != want.Number || stored[j].ETag != etag {
			return a, invalidPart(u.ID, want)
		}
		p := stored[j]
		j++
		if want.ChecksumAlgorithm != "" {
			// An upload created without an algorithm still answers each
			// part with its default CRC64NVME, and clients echo it back
			// (minio-go copies every x-amz-checksum-* of UploadPart into
			// the Complete body): a matching CRC64NVME is accepted.
			if want.ChecksumAlgorithm != alg {
				return a, s3.Errorf(s3.ErrInvalidRequest, "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
					checksumName(u.ChecksumAlgorithm), checksumName(want.ChecksumAlgorithm))
			}
			if _, err := checksum.Decode(alg, want.Checksum); err != nil {
				return a, s3.Errorf(s3.ErrInvalidArgument, "Invalid Base64 or multiple checksums present in request")
			}
			if want.Checksum != p.Checksum {
				return a, invalidPart(u.ID, want)
			}
		} else if explicit && u.ChecksumType == s3.ChecksumTypeComposite {
			return a, s3.Errorf(s3.ErrInvalidRequest, "The upload was created using a %s checksum. The complete request must include the checksum for each part. It was missing for part %d in the request.",
				checksumName(alg), want.Number)
		}
		a.size += p.Size
		md5, err := hex.DecodeString(p.ETag)
		if err != nil {
			return a, fmt.Errorf("part %d of %s: stored ETag %q: %w", p.Number, u.ID, p.ETag, err)
		}
		sum, err := checksum.Decode(alg, p.Checksum)
		if err != nil {
			return a, fmt.Errorf("part %d of %s: stored checksum: %w", p.Number, u.ID, err)
		}
		md5s, sums, sizes = append(md5s, md5), append(sums, sum), append(sizes, p.Size)
		a.parts = append(a.parts, s3.PartInfo{Number: p.Number, Size: p.Size, ETag: p.ETag, Checksum: p.Checksum})
		a.extents = append(a.extents, p.Extents...)
	}
	a.unused = append(a.unused, stored[j:]...)
	rule := PartSizeRule{Min: s.cfg.MinPartSize}
	if in.PartSizes != nil {
		rule = *in.PartSizes
	}
	minSize := rule.min(a.size)
	for _, p := range a.parts[:len(a.parts)-1] {
		if p.Size < minSize {
			return a, s3.ErrEntityTooSmall.With(
				"ProposedSize", strconv.FormatInt(p.Size, 10),
				"MinSizeAllowed", strconv.FormatInt(minSize, 10),
				"PartNumber", strconv.Itoa(p.Number),
				"ETag", p.ETag)
		}
	}
	if a.size > s3.MaxObjectSize {
		return a, s3.ErrEntityTooLarge.With("ProposedSize", strconv.FormatInt(a.size, 10), "MaxSizeAllowed", strconv.FormatInt(s3.MaxObjectSize, 10))
	}
	if in.ObjectSize != nil && *in.ObjectSize != a.size {
		return a, s3.Errorf(s3.ErrInvalidRequest, "The provided 'x-amz-mp-object-size' header value %d does not match what was computed: %d", *in.ObjectSize, a.size)
	}
	a.etag = checksum.MultipartETag(md5s)
	typ := objectChecksumType(u)
	a.checksum = s3.Checksum{Algorithm: alg, Type: typ}
	if typ == s3.ChecksumTypeComposite {
		v, err := checksum.Composite(alg, sums)
		if err != nil {
			return a, err
		}
		a.checksum.Value = v
	} else {
		raw, err := checksum.FullObject(alg, sums, sizes)
		if err != nil {
			return a, err
		}
		a.checksum.Value = checksum.Encode(raw)
	}
	a.extra = combineExtra(stored, a.parts, sizes)
	return a, checkObjectChecksum(a.checksum, in.Checksum)
}

// combineExtra computes the object's extra CRCs from its parts' ones: an
// algorithm every used part carries, and that is a CRC, combines without
// reading data; any other is dropped.
func combineExtra(stored []meta.Part, used []s3.PartInfo, sizes []int64) map[s3.ChecksumAlgorithm]string {
	byNumber := make(map[int]map[s3.ChecksumAlgorithm]string, len(used))
	for _, p := range stored {
		byNumber[p.Number] = p.ExtraChecksums
	}
	first := byNumber[used[0].Number]
	var out map[s3.ChecksumAlgorithm]string
	for alg := range first {
		if _, ok := checksum.CRCFor(alg); !ok {
			continue
		}
		sums := make([][]byte, 0, len(used))
		for _, p := range used {
			v, ok := byNumber[p.Number][alg]
			raw, err := checksum.Decode(alg, v)
			if !ok || err != nil {
				sums = nil
				break
			}
			sums = append(sums, raw)
		}
		if sums == nil {
			continue
		}
		raw, err := checksum.FullObject(alg, sums, sizes)
		if err != nil {
			continue
		}
		if out == nil {
			out = make(map[s3.ChecksumAlgorithm]string)
		}
		out[alg] = checksum.Encode(raw)
	}
	return out
}

// checkObjectChecksum compares the computed object checksum with the one
// the request's header expects; a composite value may be sent with or
// without its "-N".
func checkObjectChecksum(got s3.Checksum, want ChecksumInput) error {
	if want.Value == "" {
		return nil
	}
	base, _, _ := strings.Cut(got.Value, "-")
	wantBase, _, _ := strings.Cut(want.Value, "-")
	if wantBase != base {
		return s3.Errorf(s3.ErrBadDigest, "The %s you specified did not match the calculated checksum.", checksumName(got.Algorithm))
	}
	return nil
}

func invalidPart(uploadID string, p CompletedPart) error {
	return s3.ErrInvalidPart.With("UploadId", uploadID, "PartNumber", strconv.Itoa(p.Number), "ETag", stripQuotes(p.ETag))
}

func checksumName(a s3.ChecksumAlgorithm) string {
	if a == "" {
		return "null"
	}
	return strings.ToLower(string(a))
}
