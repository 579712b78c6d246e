package meta

import (
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// User is an identity that owns buckets and holds access keys.
type User struct {
	ID          string // canonical user ID, stable for the life of the user
	Name        string // unique login name, e.g. "root" or "alt"
	DisplayName string
	Created     time.Time
}

// AccessKey is a SigV4 key pair belonging to a user. The secret is kept in
// the clear because the verifier must recompute signatures.
type AccessKey struct {
	AccessKey string
	SecretKey string
	UserID    string
	Created   time.Time
}

// Bucket is a bucket record.
type Bucket struct {
	Name    string
	OwnerID string
	Region  string
	Created time.Time
}

// Blob is the record of a stored blob: its size and, inside the store, its
// reference count.
type Blob struct {
	ID   s3.BlobID
	Size int64
}

// ObjectHeaders are the standard headers stored with an object and returned
// on GET and HEAD.
type ObjectHeaders struct {
	ContentType        string `json:"ct,omitempty"`
	ContentEncoding    string `json:"ce,omitempty"`
	ContentDisposition string `json:"cd,omitempty"`
	ContentLanguage    string `json:"cl,omitempty"`
	CacheControl       string `json:"cc,omitempty"`
	Expires            string `json:"ex,omitempty"`
}

// Object is the current version of an object.
//
// Its data is Inline when small, else the concatenation of Extents. Parts is
// set for an object made by CompleteMultipartUpload.
type Object struct {
	Bucket       string
	Key          string
	Size         int64
	ETag         string // without quotes: hex MD5, or hex MD5 of MD5s + "-N"
	LastModified time.Time
	StorageClass string
	OwnerID      string

	Headers      ObjectHeaders
	UserMetadata map[string]string // names lower-case, without "x-amz-meta-"
	Tags         []s3.Tag          // sorted by key
	Checksum     s3.Checksum
	// ExtraChecksums are checksums kept besides Checksum, by algorithm
	// (base64 values), such as the CRC-64/XZ that COS, BOS and KS3 clients
	// verify. A multipart object has one only if every part had it.
	ExtraChecksums map[s3.ChecksumAlgorithm]string
	UploadID       string // the multipart upload that made it, for idempotent Complete

	Parts   []s3.PartInfo
	Extents []s3.Extent
	Inline  []byte
}

// ObjectRange selects keys for ListObjects: keys in [From, Before) that are
// greater than After. Empty bounds are open. Limit must be positive.
type ObjectRange struct {
	Bucket string
	From   string
	After  string
	Before string
	Limit  int
}
