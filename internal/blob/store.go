// Package blob defines the store for immutable blobs: bytes written once in
// full, made durable, read by range and eventually deleted. It knows nothing
// of objects, S3 or references; package fsblob keeps blobs in a directory,
// memblob in memory, and blobtest is the conformance suite both pass.
package blob

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// Errors a Store returns; compare with errors.Is.
var (
	// ErrNotFound: no committed blob has that ID.
	ErrNotFound = errors.New("blob: not found")
	// ErrExists: Create was given the ID of a committed blob.
	ErrExists = errors.New("blob: already exists")
	// ErrRange: Open asked for bytes past the end of the blob.
	ErrRange = errors.New("blob: range outside blob")
)

// Store keeps immutable blobs.
type Store interface {
	// Create starts writing the blob id. Nothing is visible under id until
	// the Writer's Commit returns nil; a crash before then leaves at most
	// temporary data that the store removes when it is next opened.
	Create(ctx context.Context, id s3.BlobID) (Writer, error)

	// Open returns a reader of exactly length bytes of blob id starting at
	// off. It MUST return ErrNotFound for an unknown blob and ErrRange if
	// off+length exceeds the blob. The reader MAY implement io.WriterTo so
	// that copying to a network connection can use sendfile.
	Open(ctx context.Context, id s3.BlobID, off, length int64) (io.ReadCloser, error)

	// Stat returns the size of a committed blob, or ErrNotFound.
	Stat(ctx context.Context, id s3.BlobID) (int64, error)

	// Delete removes a committed blob. Deleting a missing blob is not an
	// error. After Delete returns, Open of id returns ErrNotFound.
	Delete(ctx context.Context, id s3.BlobID) error

	// Walk calls fn once for every committed blob, in no particular order,
	// from the calling goroutine. Blobs committed or deleted during the walk
	// may or may not be visited. An error from fn stops the walk and is
	// returned.
	Walk(ctx context.Context, fn func(info Info) error) error
}

// Info describes a committed blob.
type Info struct {
	ID      s3.BlobID
	Size    int64
	ModTime time.Time
}

// Writer receives a blob's bytes.
type Writer interface {
	io.Writer
	// Commit makes the blob durable and visible: when it returns nil, the
	// bytes survive a crash or power loss and Open finds them. The Writer
	// MUST NOT be used afterwards.
	Commit(ctx context.Context) error
	// Abort discards the blob. It is safe after Commit failed, and a no-op
	// after a successful Commit.
	Abort() error
}
