package sqlmeta

import (
	"database/sql"
	"fmt"
	"math"

	"github.com/cairn-s3/cairn/internal/meta"
)

// ListParts implements meta.ReadTx: one range scan of the parts primary
// key. Without extents the statement does not name the column, so SQLite
// reads no overflow page and PostgreSQL no TOAST. A limit of zero or below
// lists every part.
func (r *reader) ListParts(uploadID string, after, limit int, withExtents bool) ([]meta.Part, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if !validText(uploadID) {
		return nil, nil // no such upload can be stored
	}
	hint := min(limit, 1024)
	if limit <= 0 {
		limit, hint = math.MaxInt32, 1024
	}
	after = max(after, 0)
	q := qPartList
	if withExtents {
		q = qPartListExtents
	}
	rows, err := r.c.query(q, uploadID, min(after, math.MaxInt32), limit)
	ps, err := scanParts(rows, err, uploadID, withExtents, hint)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: list parts of upload %q: %w", uploadID, err)
	}
	return ps, nil
}

// PutPart implements meta.Tx. The upload is checked, and its last activity
// set, by one statement before any reference is taken.
func (w *writer) PutPart(p meta.Part) (*meta.Part, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	if !validText(p.UploadID) {
		return nil, fmt.Errorf("sqlmeta: put part %d of upload %q: %w", p.Number, p.UploadID, meta.ErrNotFound)
	}
	if err := checkPart(&p); err != nil {
		return nil, err
	}
	extents, err := encodeExtents(p.Extents)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: put part %d of upload %q: %w", p.Number, p.UploadID, err)
	}
	extra, err := encodeExtraChecksums(p.ExtraChecksums)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: put part %d of upload %q: %w", p.Number, p.UploadID, err)
	}
	n, err := w.c.execCount(qUploadTouch, p.UploadID, timeToUnix(p.LastModified))
	if err == nil && n == 0 {
		err = meta.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: put part %d of upload %q: %w", p.Number, p.UploadID, err)
	}
	if err := w.takeRefs(p.Extents); err != nil {
		return nil, fmt.Errorf("sqlmeta: put part %d of upload %q: %w", p.Number, p.UploadID, err)
	}

	// A new part, the common case, costs one statement; only a
	// replacement reads the part it replaces.
	args := []any{p.UploadID, p.Number, p.Size, p.ETag, timeToUnix(p.LastModified), p.Checksum, extra, nullable(extents)}
	n, err = w.c.execCount(qPartInsert, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: put part %d of upload %q: %w", p.Number, p.UploadID, err)
	}
	if n == 1 {
		return nil, nil
	}
	prev, prevExtents, err := scanPart(w.c.queryRow(qPartGet, p.UploadID, p.Number), p.UploadID)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: put part %d of upload %q: read previous: %w", p.Number, p.UploadID, err)
	}
	if _, err := w.c.exec(qPartUpdate, args...); err != nil {
		return nil, fmt.Errorf("sqlmeta: put part %d of upload %q: %w", p.Number, p.UploadID, err)
	}
	if err := w.queueDead(len(prev.Extents), prevExtents); err != nil {
		return nil, fmt.Errorf("sqlmeta: put part %d of upload %q: %w", p.Number, p.UploadID, err)
	}
	return &prev, nil
}

// scanParts reads the rows of a listing (partListCols, or partDataCols
// when withExtents is set), about hint of them. It is made cheap for
// 10,000 rows: the destinations are reused, the extra checksums and the
// extents are read in place, and the extents are decoded into a shared slab.
func scanParts(rows *sql.Rows, err error, uploadID string, withExtents bool, hint int) ([]meta.Part, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var p meta.Part
	// Integers are scanned into interfaces, which database/sql assigns
	// directly: into an *int64 it goes through reflection, and into an *int
	// through strconv, which alone cost milliseconds over 10,000 rows.
	var number, size, lastModified any
	// Both are valid until the next row, so they are decoded at once.
	var extra, extents sql.RawBytes
	var slab extentSlab
	dest := []any{&number, &size, &p.ETag, &lastModified, &p.Checksum, &extra}
	if withExtents {
		dest = append(dest, &extents)
	}
	out := make([]meta.Part, 0, hint)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		num, okN := number.(int64)
		sz, okS := size.(int64)
		lm, okL := lastModified.(int64)
		if !okN || !okS || !okL {
			return nil, fmt.Errorf("part row of types %T, %T, %T: want integers", number, size, lastModified)
		}
		p.UploadID, p.Number, p.Size, p.LastModified = uploadID, int(num), sz, unixToTime(lm)
		if p.ExtraChecksums, err = decodeExtraChecksums(string(extra)); err != nil {
			return nil, fmt.Errorf("part %d: %w", p.Number, err)
		}
		if p.Extents, err = decodeExtentsFrom(extents, &slab); err != nil {
			return nil, fmt.Errorf("part %d: extents: %w", p.Number, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// scanPart reads a row of partDataCols. It also returns the encoded
// extents, which a replaced part hands to the dead queue as they are.
func scanPart(s rowScanner, uploadID string) (meta.Part, []byte, error) {
	p := meta.Part{UploadID: uploadID}
	var lastModified int64
	var extra sql.NullString
	var extents []byte
	if err := s.Scan(&p.Number, &p.Size, &p.ETag, &lastModified, &p.Checksum, &extra, &extents); err != nil {
		return meta.Part{}, nil, err
	}
	p.LastModified = unixToTime(lastModified)
	var err error
	if p.ExtraChecksums, err = decodeExtraChecksums(extra.String); err != nil {
		return meta.Part{}, nil, fmt.Errorf("part %d: %w", p.Number, err)
	}
	if p.Extents, err = decodeExtents(extents); err != nil {
		return meta.Part{}, nil, fmt.Errorf("part %d: extents: %w", p.Number, err)
	}
	return p, extents, nil
}
