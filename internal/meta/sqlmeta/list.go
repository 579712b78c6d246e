package sqlmeta

import (
	"fmt"

	"github.com/cairn-s3/cairn/internal/meta"
)

// ListObjects implements meta.ReadTx. It is one range scan of the primary
// key: each bound combination has its own statement so that both ends of the
// range reach the index (an "$3 = ” OR key < $3" would leave the scan
// unbounded above and read to the end of the bucket).
func (r *reader) ListObjects(q meta.ObjectRange) ([]meta.Object, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if q.Limit <= 0 {
		return nil, fmt.Errorf("sqlmeta: list objects in %s: limit %d is not positive", q.Bucket, q.Limit)
	}
	for _, s := range []string{q.Bucket, q.From, q.After, q.Before} {
		if !validText(s) {
			return nil, fmt.Errorf("sqlmeta: list objects in %s: bound %q is not UTF-8 text without NUL", q.Bucket, s)
		}
	}
	// The lower bound is the tighter of From (inclusive) and After
	// (exclusive); "" bounds nothing, as every key is >= "".
	lower, after := q.From, false
	if q.After != "" && q.After >= q.From {
		lower, after = q.After, true
	}
	args := []any{q.Bucket, lower}
	var sq query
	switch {
	case q.Before == "" && !after:
		sq = qObjectListFrom
	case q.Before == "":
		sq = qObjectListAfter
	case !after:
		sq, args = qObjectListFromBefore, append(args, q.Before)
	default:
		sq, args = qObjectListAfterBefore, append(args, q.Before)
	}
	rows, err := r.c.query(sq, append(args, q.Limit)...)
	objs, err := collectSized(rows, err, min(q.Limit, 1024), func(s rowScanner) (meta.Object, error) {
		o := meta.Object{Bucket: q.Bucket}
		var lastModified int64
		var attrs string
		if err := s.Scan(&o.Key, &o.Size, &o.ETag, &lastModified, &o.StorageClass, &o.OwnerID, &attrs); err != nil {
			return o, err
		}
		o.LastModified = unixToTime(lastModified)
		return o, decodeAttrs(attrs, &o)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: list objects in %s: %w", q.Bucket, err)
	}
	return objs, nil
}
