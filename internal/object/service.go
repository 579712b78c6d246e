// Package object is Cairn's object service: buckets, objects, listing,
// copying, tagging and garbage collection, expressed over the metadata
// store (package meta) and the blob store (package blob). It knows S3's
// semantics but nothing of HTTP: the caller's identity arrives in the
// context (s3.PrincipalFrom), and every client-caused failure is an s3 error.
package object

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// ObjectInfo is an object's record as the service returns it.
type ObjectInfo = meta.Object

// BucketInfo is a bucket's record.
type BucketInfo = meta.Bucket

// Config tunes the service. The zero value of every field means its default.
type Config struct {
	// Region is reported by GetBucketLocation for buckets created without a
	// location constraint. Default "us-east-1".
	Region string
	// InlineMax is the largest object kept inside the metadata store rather
	// than in a blob: small objects then cost one metadata commit and no file.
	// Default 64 KiB; negative means never inline.
	InlineMax int64
	// BufferSize is the size of the buffers that stream a body to a blob.
	// Default 256 KiB.
	BufferSize int
	// MinPartSize is the smallest part other than the last that Complete
	// accepts. Default 5 MiB, S3's; a lower value suits tests and benchmarks
	// (KS3 and BOS allow smaller parts too).
	MinPartSize int64
	// CompletionRetention is how long a completed upload's result is kept
	// so that a retried Complete replays it. Default 24 hours.
	CompletionRetention time.Duration
	// UploadIdleExpiry aborts uploads that received no part for this long,
	// whatever the bucket's lifecycle says. Zero or negative means never.
	UploadIdleExpiry time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives background and unexpected errors. Default slog.Default().
	Logger *slog.Logger
}

func (c *Config) applyDefaults() {
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.InlineMax == 0 {
		c.InlineMax = 64 << 10
	}
	if c.MinPartSize <= 0 {
		c.MinPartSize = s3.MinPartSize
	}
	if c.CompletionRetention <= 0 {
		c.CompletionRetention = 24 * time.Hour
	}
	if c.BufferSize <= 0 {
		c.BufferSize = 256 << 10
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Service implements the S3 object model.
type Service struct {
	cfg   Config
	meta  meta.Store
	blobs blob.Store
	log   *slog.Logger

	bufs sync.Pool // *[]byte of cfg.BufferSize

	// pending holds blobs being written and not yet committed to (or
	// abandoned by) the metadata store; the orphan scan must never delete
	// them. suspects are blobs whose metadata commit failed: the collector
	// deletes them once the store confirms it never referenced them.
	mu       sync.Mutex
	pending  map[s3.BlobID]struct{}
	suspects map[s3.BlobID]struct{}
}

// New returns a service over the given stores.
func New(cfg Config, store meta.Store, blobs blob.Store) *Service {
	cfg.applyDefaults()
	s := &Service{
		cfg:      cfg,
		meta:     store,
		blobs:    blobs,
		log:      cfg.Logger,
		pending:  make(map[s3.BlobID]struct{}),
		suspects: make(map[s3.BlobID]struct{}),
	}
	size := cfg.BufferSize
	s.bufs.New = func() any { b := make([]byte, size); return &b }
	return s
}

// Region is the service's default region.
func (s *Service) Region() string { return s.cfg.Region }

// caller returns the authenticated principal or AccessDenied.
func caller(ctx context.Context) (s3.Principal, error) {
	p, ok := s3.PrincipalFrom(ctx)
	if !ok || p.UserID == "" {
		return s3.Principal{}, s3.ErrAccessDenied
	}
	return p, nil
}

// ownedBucket loads a bucket and checks that the caller owns it: the
// ownership model until ACLs and policies arrive.
func ownedBucket(ctx context.Context, tx meta.ReadTx, name string) (meta.Bucket, error) {
	p, err := caller(ctx)
	if err != nil {
		return meta.Bucket{}, err
	}
	b, err := tx.GetBucket(name)
	if errors.Is(err, meta.ErrNotFound) {
		return meta.Bucket{}, s3.ErrNoSuchBucket.With("BucketName", name)
	}
	if err != nil {
		return meta.Bucket{}, fmt.Errorf("get bucket %q: %w", name, err)
	}
	if b.OwnerID != p.UserID {
		return meta.Bucket{}, s3.ErrAccessDenied
	}
	return b, nil
}

// getObject loads an object of an owned bucket, mapping absence to NoSuchKey.
func getObject(tx meta.ReadTx, bucket, key string) (meta.Object, error) {
	o, err := tx.GetObject(bucket, key)
	if errors.Is(err, meta.ErrNotFound) {
		return meta.Object{}, s3.ErrNoSuchKey.With("Key", key)
	}
	if err != nil {
		return meta.Object{}, fmt.Errorf("get object %q/%q: %w", bucket, key, err)
	}
	return o, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }
