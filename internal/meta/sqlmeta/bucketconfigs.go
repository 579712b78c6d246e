package sqlmeta

import (
	"fmt"

	"github.com/cairn-s3/cairn/internal/meta"
)

// GetBucketConfig implements meta.ReadTx; an empty document reads back nil.
func (r *reader) GetBucketConfig(bucket, name string) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if !validText(bucket) || !validText(name) {
		return nil, fmt.Errorf("sqlmeta: get %s configuration of bucket %q: %w", name, bucket, meta.ErrNotFound)
	}
	var data []byte
	if err := r.c.queryRow(qConfigGet, bucket, name).Scan(&data); err != nil {
		return nil, notFound(err, "get %s configuration of bucket %q", name, bucket)
	}
	return nilIfEmpty(data), nil
}

// ListBucketConfigs implements meta.ReadTx; documents come in bucket order.
func (r *reader) ListBucketConfigs(name string) ([]meta.BucketConfig, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if !validText(name) {
		return nil, nil
	}
	rows, err := r.c.query(qConfigList, name)
	cs, err := collect(rows, err, func(s rowScanner) (meta.BucketConfig, error) {
		c := meta.BucketConfig{Name: name}
		err := s.Scan(&c.Bucket, &c.Data)
		c.Data = nilIfEmpty(c.Data)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: list %s configurations: %w", name, err)
	}
	return cs, nil
}

// PutBucketConfig implements meta.Tx. It does not check that the bucket
// exists: the caller does, in the same transaction.
func (w *writer) PutBucketConfig(bucket, name string, data []byte) error {
	if err := w.check(); err != nil {
		return err
	}
	if !validText(bucket) || !validText(name) {
		return fmt.Errorf("sqlmeta: put %q configuration of bucket %q: bucket or name is not UTF-8 text without NUL", name, bucket)
	}
	if _, err := w.c.exec(qConfigUpsert, bucket, name, nullable(data)); err != nil {
		return fmt.Errorf("sqlmeta: put %s configuration of bucket %q: %w", name, bucket, err)
	}
	return nil
}

// DeleteBucketConfig implements meta.Tx.
func (w *writer) DeleteBucketConfig(bucket, name string) error {
	if err := w.check(); err != nil {
		return err
	}
	n := int64(0)
	var err error
	if validText(bucket) && validText(name) {
		n, err = w.c.execCount(qConfigDelete, bucket, name)
	}
	if err == nil && n == 0 {
		err = meta.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("sqlmeta: delete %s configuration of bucket %q: %w", name, bucket, err)
	}
	return nil
}

func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
