package sqlmeta

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// GetObject implements meta.ReadTx.
func (r *reader) GetObject(bucket, key string) (meta.Object, error) {
	if err := r.check(); err != nil {
		return meta.Object{}, err
	}
	if !validText(bucket) || !validText(key) {
		// No such key can be stored, and PostgreSQL would reject the query.
		return meta.Object{}, fmt.Errorf("sqlmeta: get object %s/%q: %w", bucket, key, meta.ErrNotFound)
	}
	o, _, err := scanObject(r.c.queryRow(qObjectGet, bucket, key), bucket, key)
	if err != nil {
		return meta.Object{}, notFound(err, "get object %s/%q", bucket, key)
	}
	return o, nil
}

// PutObject implements meta.Tx.
func (w *writer) PutObject(o meta.Object) (*meta.Object, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	row, err := encodeObject(o)
	if err != nil {
		return nil, err
	}
	return w.putObject(row, true)
}

// objectRow is an object checked and encoded for its row, so that a
// caller can fail on a bad record before it writes anything.
type objectRow struct {
	o                      meta.Object
	attrs                  string
	parts, extents, inline any // nil for NULL
}

func encodeObject(o meta.Object) (objectRow, error) {
	if err := checkObject(&o); err != nil {
		return objectRow{}, err
	}
	parts, err := encodeParts(o.Parts)
	if err != nil {
		return objectRow{}, fmt.Errorf("sqlmeta: put object %s/%q: %w", o.Bucket, o.Key, err)
	}
	extents, err := encodeExtents(o.Extents)
	if err != nil {
		return objectRow{}, fmt.Errorf("sqlmeta: put object %s/%q: %w", o.Bucket, o.Key, err)
	}
	attrs, err := encodeAttrs(&o)
	if err != nil {
		return objectRow{}, err
	}
	return objectRow{o: o, attrs: attrs, parts: nullable(parts), extents: nullable(extents), inline: nullable(o.Inline)}, nil
}

// putObject writes an object's row, taking references on its extents if
// refs is set, and queues the extents of the record it replaces as dead.
func (w *writer) putObject(row objectRow, refs bool) (*meta.Object, error) {
	o := &row.o
	if refs {
		if err := w.takeRefs(o.Extents); err != nil {
			return nil, fmt.Errorf("sqlmeta: put object %s/%q: %w", o.Bucket, o.Key, err)
		}
	}

	prev, prevExtents, err := scanObject(w.c.queryRow(qObjectGet, o.Bucket, o.Key), o.Bucket, o.Key)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("sqlmeta: put object %s/%q: read previous: %w", o.Bucket, o.Key, err)
	}
	found := err == nil

	if _, err := w.c.exec(qObjectUpsert, o.Bucket, o.Key, o.Size, o.ETag, timeToUnix(o.LastModified),
		o.StorageClass, o.OwnerID, row.attrs, row.parts, row.extents, row.inline); err != nil {
		return nil, fmt.Errorf("sqlmeta: put object %s/%q: %w", o.Bucket, o.Key, err)
	}
	if !found {
		return nil, nil
	}
	if err := w.queueDead(len(prev.Extents), prevExtents); err != nil {
		return nil, fmt.Errorf("sqlmeta: put object %s/%q: %w", o.Bucket, o.Key, err)
	}
	return &prev, nil
}

// DeleteObject implements meta.Tx.
func (w *writer) DeleteObject(bucket, key string) (meta.Object, error) {
	if err := w.check(); err != nil {
		return meta.Object{}, err
	}
	if !validText(bucket) || !validText(key) {
		return meta.Object{}, fmt.Errorf("sqlmeta: delete object %s/%q: %w", bucket, key, meta.ErrNotFound)
	}
	o, extents, err := scanObject(w.c.queryRow(qObjectDelete, bucket, key), bucket, key)
	if err != nil {
		return meta.Object{}, notFound(err, "delete object %s/%q", bucket, key)
	}
	if err := w.queueDead(len(o.Extents), extents); err != nil {
		return meta.Object{}, fmt.Errorf("sqlmeta: delete object %s/%q: %w", bucket, key, err)
	}
	return o, nil
}

// SetObjectTags implements meta.Tx.
func (w *writer) SetObjectTags(bucket, key string, tags []s3.Tag) error {
	if err := w.check(); err != nil {
		return err
	}
	if !validText(bucket) || !validText(key) {
		return fmt.Errorf("sqlmeta: set tags of %s/%q: %w", bucket, key, meta.ErrNotFound)
	}
	var o meta.Object
	var attrs string
	err := w.c.queryRow(qObjectGetAttrs, bucket, key).Scan(&attrs)
	if err == nil {
		err = decodeAttrs(attrs, &o)
	}
	if err != nil {
		return notFound(err, "set tags of %s/%q", bucket, key)
	}
	o.Key, o.Tags = key, tags
	if err := checkObject(&o); err != nil {
		return err
	}
	if attrs, err = encodeAttrs(&o); err != nil {
		return err
	}
	if _, err := w.c.exec(qObjectSetAttrs, bucket, key, attrs); err != nil {
		return fmt.Errorf("sqlmeta: set tags of %s/%q: %w", bucket, key, err)
	}
	return nil
}

// scanObject reads a row of objectDataCols. It also returns the encoded
// extents, which a replaced or deleted record hands to the dead queue as
// they are.
func scanObject(s rowScanner, bucket, key string) (meta.Object, []byte, error) {
	o := meta.Object{Bucket: bucket, Key: key}
	var lastModified int64
	var attrs string
	var parts, extents, inline []byte
	if err := s.Scan(&o.Size, &o.ETag, &lastModified, &o.StorageClass, &o.OwnerID, &attrs,
		&parts, &extents, &inline); err != nil {
		return meta.Object{}, nil, err
	}
	o.LastModified = unixToTime(lastModified)
	if err := decodeAttrs(attrs, &o); err != nil {
		return meta.Object{}, nil, err
	}
	var err error
	if o.Parts, err = decodeParts(parts); err != nil {
		return meta.Object{}, nil, fmt.Errorf("parts: %w", err)
	}
	if o.Extents, err = decodeExtents(extents); err != nil {
		return meta.Object{}, nil, fmt.Errorf("extents: %w", err)
	}
	if len(inline) > 0 {
		o.Inline = inline
	}
	return o, extents, nil
}

// nullable maps an empty byte slice to NULL, so that nil and empty read
// back alike in both dialects.
func nullable(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
