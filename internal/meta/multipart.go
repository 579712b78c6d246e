package meta

import (
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// Upload is a multipart upload in progress. Headers, metadata, tags and
// storage class are fixed at creation and applied to the completed object.
type Upload struct {
	ID           string
	Bucket       string
	Key          string
	Initiated    time.Time
	LastActivity time.Time // creation, then the last PutPart
	OwnerID      string

	Headers      ObjectHeaders
	UserMetadata map[string]string
	Tags         []s3.Tag
	StorageClass string
	// ChecksumAlgorithm is the algorithm asked for at creation, "" when
	// none was; ChecksumType is its type (COMPOSITE or FULL_OBJECT).
	ChecksumAlgorithm s3.ChecksumAlgorithm
	ChecksumType      s3.ChecksumType
}

// Part is an uploaded part of an upload.
type Part struct {
	UploadID     string
	Number       int
	Size         int64
	ETag         string // hex MD5 without quotes
	LastModified time.Time
	// Checksum is the part's base64 checksum in the upload's algorithm, or in
	// CRC64NVME for an upload created without one.
	Checksum string
	// ExtraChecksums are further checksums of the part, by algorithm, as on
	// Object.
	ExtraChecksums map[s3.ChecksumAlgorithm]string
	Extents        []s3.Extent
}

// Completion records a completed upload, so that a Complete retried after
// success answers the same result.
type Completion struct {
	UploadID string
	Bucket   string
	Key      string
	ETag     string
	Size     int64
	Checksum s3.Checksum
	// ExtraChecksums are the object's extra checksums, as on Object.
	ExtraChecksums map[s3.ChecksumAlgorithm]string
	// PartsDigest identifies the part list the upload was completed with;
	// only a retry with the same list is a replay.
	PartsDigest []byte
	Completed   time.Time
}

// UploadRange selects uploads for ListUploads: keys in [From, Before),
// ordered by key, then initiation time, then ID, positioned after a marker.
// Empty bounds are open.
type UploadRange struct {
	Bucket string
	From   string
	Before string
	// AfterKey, with AfterID empty, skips every upload of keys up to and
	// including AfterKey. With AfterID set, it skips uploads up to and
	// including (AfterKey, AfterInitiated, AfterID).
	AfterKey       string
	AfterInitiated time.Time
	AfterID        string
	Limit          int
}

// ExpiryQuery selects uploads for the sweepers: of Bucket ("" for every
// bucket) and keys starting with Prefix, initiated before InitiatedBefore
// and/or last active before ActiveBefore (a zero time does not filter).
type ExpiryQuery struct {
	Bucket          string
	Prefix          string
	InitiatedBefore time.Time
	ActiveBefore    time.Time
	Limit           int
}

// BucketConfig is a named configuration document of a bucket, such as its
// lifecycle rules; the store keeps the bytes opaque.
type BucketConfig struct {
	Bucket string
	Name   string
	Data   []byte
}
