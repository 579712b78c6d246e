package sqlmeta

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/cairn-s3/cairn/internal/meta"
)

// GetBucket implements meta.ReadTx.
func (r *reader) GetBucket(name string) (meta.Bucket, error) {
	if err := r.check(); err != nil {
		return meta.Bucket{}, err
	}
	b, err := scanBucket(r.c.queryRow(qBucketGet, name))
	if err != nil {
		return meta.Bucket{}, notFound(err, "get bucket %q", name)
	}
	return b, nil
}

// ListBuckets implements meta.ReadTx.
func (r *reader) ListBuckets(ownerID string) ([]meta.Bucket, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var rows *sql.Rows
	var err error
	if ownerID == "" {
		rows, err = r.c.query(qBucketList)
	} else {
		rows, err = r.c.query(qBucketListByOwner, ownerID)
	}
	bs, err := collect(rows, err, scanBucket)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: list buckets of %q: %w", ownerID, err)
	}
	return bs, nil
}

// BucketIsEmpty implements meta.ReadTx.
func (r *reader) BucketIsEmpty(bucket string) (bool, error) {
	if err := r.check(); err != nil {
		return false, err
	}
	var one int
	err := r.c.queryRow(qBucketHasObject, bucket).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlmeta: bucket %q is empty: %w", bucket, err)
	}
	return false, nil
}

// CreateBucket implements meta.Tx.
func (w *writer) CreateBucket(b meta.Bucket) error {
	if err := w.check(); err != nil {
		return err
	}
	n, err := w.c.execCount(qBucketInsert, b.Name, b.OwnerID, b.Region, timeToUnix(b.Created))
	if err == nil && n == 0 {
		err = meta.ErrExists
	}
	if err != nil {
		return fmt.Errorf("sqlmeta: create bucket %q: %w", b.Name, err)
	}
	return nil
}

// DeleteBucket implements meta.Tx; a missing bucket is ErrNotFound. Each
// upload's parts become one dead-extent row, so that memory stays bounded
// by the largest upload rather than the bucket.
func (w *writer) DeleteBucket(name string) error {
	if err := w.check(); err != nil {
		return err
	}
	if err := w.deleteOne(qBucketDelete, name, "bucket"); err != nil {
		return err
	}
	// The ids are read in full first: PostgreSQL runs no statement while
	// a query's rows are pending.
	rows, err := w.c.query(qUploadIDsByBucket, name)
	ids, err := collect(rows, err, func(s rowScanner) (string, error) {
		var id string
		err := s.Scan(&id)
		return id, err
	})
	if err != nil {
		return fmt.Errorf("sqlmeta: delete bucket %q: list uploads: %w", name, err)
	}
	for _, id := range ids {
		if err := w.dropParts(id); err != nil {
			return fmt.Errorf("sqlmeta: delete bucket %q: upload %q: %w", name, id, err)
		}
	}
	if _, err := w.c.exec(qUploadDeleteByBucket, name); err != nil {
		return fmt.Errorf("sqlmeta: delete bucket %q: delete uploads: %w", name, err)
	}
	if _, err := w.c.exec(qConfigDeleteBucket, name); err != nil {
		return fmt.Errorf("sqlmeta: delete bucket %q: delete configurations: %w", name, err)
	}
	return nil
}

func scanBucket(s rowScanner) (meta.Bucket, error) {
	var b meta.Bucket
	var created int64
	err := s.Scan(&b.Name, &b.OwnerID, &b.Region, &created)
	b.Created = unixToTime(created)
	return b, err
}
