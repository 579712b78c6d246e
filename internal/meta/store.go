// Package meta defines Cairn's metadata store: the records (users, buckets,
// objects, blob references) and the transactional interface every
// implementation provides. Package sqlmeta is the implementation, on
// embedded SQLite and on PostgreSQL; package metatest is the conformance
// suite each must pass.
//
// # Blob references
//
// The store keeps a reference count per blob so that the collector can tell
// garbage from live data without scanning every object:
//
//   - AddBlobs registers freshly written blobs. They must be referenced by a
//     record written in the same Update call, or they are garbage at commit.
//   - Writing a record with extents (PutObject) takes one reference per
//     extent. Referencing a blob whose count has dropped to zero, or that the
//     store does not know, fails with ErrBlobGone: once garbage, always garbage.
//   - Replacing or deleting a record never decrements counts inline. Its
//     extents go to a dead-extent queue that the collector drains with
//     ReleaseDeadExtents, so deleting a 10,000-part object is one row.
//   - A blob whose count is zero is garbage: GarbageBlobs lists it, the
//     collector removes its bytes and then ForgetBlobs drops the record.
package meta

import (
	"context"
	"errors"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// Errors a Store returns. Implementations wrap them with context; compare
// with errors.Is.
var (
	// ErrNotFound: the record asked for does not exist.
	ErrNotFound = errors.New("meta: not found")
	// ErrExists: a create found a record with the same unique key.
	ErrExists = errors.New("meta: already exists")
	// ErrBlobGone: a record referenced a blob that is garbage or unknown.
	ErrBlobGone = errors.New("meta: blob is no longer referenced")
)

// Store is the metadata store.
type Store interface {
	// Update runs fn in a read-write transaction and commits it.
	//
	// Update MAY run fn in one database transaction together with the
	// functions of concurrent callers (group commit). Each fn is isolated: if
	// it returns an error or panics, only its own changes are rolled back and
	// only its caller sees the error. fn MAY be called more than once when the
	// transaction is retried, so it must have no effects outside tx.
	//
	// When Update returns nil, fn's changes are durable and visible to every
	// later View. tx MUST NOT be used after fn returns. If ctx is done before
	// fn runs, Update returns ctx.Err() and fn is not run.
	Update(ctx context.Context, fn func(tx Tx) error) error

	// View runs fn in a read-only transaction that sees one consistent
	// snapshot. Views run concurrently with each other and with Update.
	View(ctx context.Context, fn func(tx ReadTx) error) error

	// Close waits for pending updates and releases the store.
	Close() error
}

// ReadTx reads records. Methods return ErrNotFound for a missing record.
// A transaction is bound to the context of the Update or View that made it.
type ReadTx interface {
	GetUser(id string) (User, error)
	GetUserByName(name string) (User, error)
	ListUsers() ([]User, error)
	GetAccessKey(accessKey string) (AccessKey, error)
	// ListAccessKeys lists a user's keys; an unknown user has none.
	ListAccessKeys(userID string) ([]AccessKey, error)

	GetBucket(name string) (Bucket, error)
	// ListBuckets lists the buckets owned by ownerID ("" for every bucket),
	// ordered by name.
	ListBuckets(ownerID string) ([]Bucket, error)
	// BucketIsEmpty reports whether the bucket holds no objects.
	BucketIsEmpty(bucket string) (bool, error)

	// GetObject returns the whole record, extents and inline data included.
	GetObject(bucket, key string) (Object, error)
	// ListObjects returns the records in q's key range in ascending byte order
	// of key, at most q.Limit of them, without Extents, Inline or Parts. A
	// missing bucket lists nothing.
	ListObjects(q ObjectRange) ([]Object, error)

	// BlobRefs returns the reference count of each known blob among ids;
	// unknown ids are absent from the map. The orphan scan uses it.
	BlobRefs(ids []s3.BlobID) (map[s3.BlobID]int64, error)
	// GarbageBlobs lists up to limit blobs whose reference count is zero.
	GarbageBlobs(limit int) ([]s3.BlobID, error)

	// GetUpload returns an upload in progress.
	GetUpload(id string) (Upload, error)
	// ListParts returns the upload's parts numbered above after, ascending,
	// at most limit of them (limit 0: all), with their extents only when
	// withExtents is set. An unknown upload has no parts.
	ListParts(uploadID string, after, limit int, withExtents bool) ([]Part, error)
	// ListUploads returns the uploads in q's range in (key, initiated, ID)
	// order, at most q.Limit of them.
	ListUploads(q UploadRange) ([]Upload, error)
	// ExpiredUploads returns up to q.Limit uploads matching q, in no
	// particular order.
	ExpiredUploads(q ExpiryQuery) ([]Upload, error)
	// GetCompletion returns the record of a completed upload.
	GetCompletion(uploadID string) (Completion, error)

	// GetBucketConfig returns a bucket's named configuration document.
	GetBucketConfig(bucket, name string) ([]byte, error)
	// ListBucketConfigs returns every bucket's document of that name.
	ListBucketConfigs(name string) ([]BucketConfig, error)
}

// Tx reads and writes records.
type Tx interface {
	ReadTx

	// CreateUser fails with ErrExists if the ID or name is taken.
	CreateUser(u User) error
	// DeleteUser removes the user and its access keys.
	DeleteUser(id string) error
	// CreateAccessKey fails with ErrExists if the key is taken.
	CreateAccessKey(k AccessKey) error
	DeleteAccessKey(accessKey string) error

	// CreateBucket fails with ErrExists if the name is taken.
	CreateBucket(b Bucket) error
	// DeleteBucket removes the bucket record, its configuration documents
	// and its uploads in progress (their parts' extents queued as dead); the
	// caller checks that it holds no objects.
	DeleteBucket(name string) error

	// AddBlobs registers freshly written blobs with no references yet.
	AddBlobs(blobs ...Blob) error
	// PutObject creates or replaces the object at (o.Bucket, o.Key), taking a
	// reference on each of o's extents. It returns the record it replaced, if
	// any, whose extents are queued as dead. It fails with ErrBlobGone if an
	// extent names a blob that is garbage or was never added.
	PutObject(o Object) (prev *Object, err error)
	// DeleteObject removes the object and queues its extents as dead. It
	// returns the removed record, or ErrNotFound.
	DeleteObject(bucket, key string) (Object, error)
	// SetObjectTags replaces the object's tags; ErrNotFound if it is missing.
	SetObjectTags(bucket, key string, tags []s3.Tag) error

	// ReleaseDeadExtents drops up to limit extents from the dead queue,
	// decrementing their blobs' reference counts, and returns how many it
	// released. Blobs that reach zero become garbage.
	ReleaseDeadExtents(limit int) (int, error)
	// ForgetBlobs deletes the records of the given blobs whose count is zero;
	// others are left alone.
	ForgetBlobs(ids []s3.BlobID) error

	// CreateUpload fails with ErrExists if the ID is taken.
	CreateUpload(u Upload) error
	// PutPart creates or replaces part p.Number of upload p.UploadID, taking
	// a reference on each of p's extents (ErrBlobGone as for PutObject), and
	// sets the upload's LastActivity to p.LastModified. It returns the part
	// it replaced, whose extents are queued as dead, and ErrNotFound if the
	// upload does not exist.
	PutPart(p Part) (prev *Part, err error)
	// DeleteUpload aborts an upload: its parts' extents are queued as dead
	// and the upload and its parts removed. ErrNotFound if it does not exist.
	DeleteUpload(id string) error
	// CompleteUpload turns upload c.UploadID into object o in one step: it
	// writes o (replacing and returning the previous object at its key, whose
	// extents are queued as dead), queues the extents of the unused parts as
	// dead, removes the upload and all its parts, and records c.
	//
	// The references the upload's parts hold move to o without being
	// counted again, so o.Extents MUST be the concatenation of the extents
	// of the parts used, as read in this transaction, and unused MUST be
	// every other part of the upload. ErrNotFound if the upload is gone.
	CompleteUpload(c Completion, o Object, unused []Part) (prev *Object, err error)
	// DeleteCompletions removes up to limit completion records older than
	// before and returns how many it removed.
	DeleteCompletions(before time.Time, limit int) (int, error)

	// PutBucketConfig creates or replaces a bucket's named document.
	PutBucketConfig(bucket, name string, data []byte) error
	// DeleteBucketConfig removes it; ErrNotFound if there is none.
	DeleteBucketConfig(bucket, name string) error
}
