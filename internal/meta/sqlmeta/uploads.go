package sqlmeta

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cairn-s3/cairn/internal/meta"
)

// GetUpload implements meta.ReadTx.
func (r *reader) GetUpload(id string) (meta.Upload, error) {
	if err := r.check(); err != nil {
		return meta.Upload{}, err
	}
	if !validText(id) {
		// No such upload can be stored, and PostgreSQL would reject the query.
		return meta.Upload{}, fmt.Errorf("sqlmeta: get upload %q: %w", id, meta.ErrNotFound)
	}
	u, err := scanUpload(r.c.queryRow(qUploadGet, id))
	if err != nil {
		return meta.Upload{}, notFound(err, "get upload %q", id)
	}
	return u, nil
}

// CreateUpload implements meta.Tx.
func (w *writer) CreateUpload(u meta.Upload) error {
	if err := w.check(); err != nil {
		return err
	}
	if err := checkUpload(&u); err != nil {
		return err
	}
	attrs, err := encodeUploadAttrs(&u)
	if err != nil {
		return err
	}
	n, err := w.c.execCount(qUploadInsert, u.ID, u.Bucket, u.Key, timeToUnix(u.Initiated),
		timeToUnix(u.LastActivity), u.OwnerID, attrs)
	if err == nil && n == 0 {
		err = meta.ErrExists
	}
	if err != nil {
		return fmt.Errorf("sqlmeta: create upload %q of %s/%q: %w", u.ID, u.Bucket, u.Key, err)
	}
	return nil
}

// DeleteUpload implements meta.Tx: one dead-extent row holds every part's
// extents.
func (w *writer) DeleteUpload(id string) error {
	if err := w.check(); err != nil {
		return err
	}
	if !validText(id) {
		return fmt.Errorf("sqlmeta: delete upload %q: %w", id, meta.ErrNotFound)
	}
	if err := w.deleteOne(qUploadDelete, id, "upload"); err != nil {
		return err
	}
	if err := w.dropParts(id); err != nil {
		return fmt.Errorf("sqlmeta: delete upload %q: %w", id, err)
	}
	return nil
}

// dropParts queues the extents of every part of an upload as one dead row
// and removes the parts.
func (w *writer) dropParts(uploadID string) error {
	rows, err := w.c.query(qPartExtents, uploadID)
	lists, err := collect(rows, err, func(s rowScanner) ([]byte, error) {
		var b []byte
		err := s.Scan(&b)
		return b, err
	})
	if err != nil {
		return fmt.Errorf("read part extents: %w", err)
	}
	dead, n, err := concatExtents(lists)
	if err != nil {
		return err
	}
	if err := w.queueDead(n, dead); err != nil {
		return err
	}
	if _, err := w.c.exec(qPartDeleteAll, uploadID); err != nil {
		return fmt.Errorf("delete parts: %w", err)
	}
	return nil
}

// ListUploads implements meta.ReadTx. Like ListObjects it is one range scan
// of an index, uploads_by_key, with a statement for each combination of
// bounds. q.Limit must be positive.
func (r *reader) ListUploads(q meta.UploadRange) ([]meta.Upload, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if q.Limit <= 0 {
		return nil, fmt.Errorf("sqlmeta: list uploads in %s: limit %d is not positive", q.Bucket, q.Limit)
	}
	for _, s := range []string{q.Bucket, q.From, q.Before, q.AfterKey, q.AfterID} {
		if !validText(s) {
			return nil, fmt.Errorf("sqlmeta: list uploads in %s: bound %q is not UTF-8 text without NUL", q.Bucket, s)
		}
	}
	// The lower bound is the tighter of From (inclusive) and the marker,
	// which skips keys up to AfterKey or positions inside AfterKey's
	// uploads; a marker with AfterKey below From bounds less than From.
	var sq query
	args := []any{q.Bucket}
	switch {
	case q.AfterID != "" && q.AfterKey >= q.From:
		sq = qUploadListAfterID
		args = append(args, q.AfterKey, timeToUnix(q.AfterInitiated), q.AfterID)
	case q.AfterKey != "" && q.AfterKey >= q.From:
		sq, args = qUploadListAfterKey, append(args, q.AfterKey)
	default:
		sq, args = qUploadListFrom, append(args, q.From)
	}
	if q.Before != "" {
		sq, args = uploadListBefore(sq), append(args, q.Before)
	}
	rows, err := r.c.query(sq, append(args, q.Limit)...)
	us, err := collectSized(rows, err, min(q.Limit, 1024), scanUpload)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: list uploads in %s: %w", q.Bucket, err)
	}
	return us, nil
}

// ExpiredUploads implements meta.ReadTx. The statement is built for the
// filters set, so that each shape reaches its index: a bucket's uploads by
// initiation time (lifecycle rules, through uploads_by_initiated or, with a
// prefix, uploads_by_key), and every bucket's by last activity (the idle
// expiry, through uploads_by_activity). q.Limit must be positive.
func (r *reader) ExpiredUploads(q meta.ExpiryQuery) ([]meta.Upload, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if q.Limit <= 0 {
		return nil, fmt.Errorf("sqlmeta: expired uploads in %q: limit %d is not positive", q.Bucket, q.Limit)
	}
	if !validText(q.Bucket) || !validText(q.Prefix) {
		return nil, fmt.Errorf("sqlmeta: expired uploads in %q: bucket or prefix %q is not UTF-8 text without NUL", q.Bucket, q.Prefix)
	}
	var conds []string
	var args []any
	where := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1))
	}
	if q.Bucket != "" {
		where("bucket = ?", q.Bucket)
	}
	if q.Prefix != "" {
		where("key >= ?", q.Prefix)
		if end := prefixEnd(q.Prefix); end != "" {
			where("key < ?", end)
		}
	}
	if !q.InitiatedBefore.IsZero() {
		where("initiated < ?", timeToUnix(q.InitiatedBefore))
	}
	if !q.ActiveBefore.IsZero() {
		where("last_activity < ?", timeToUnix(q.ActiveBefore))
	}
	text := `SELECT ` + uploadCols + ` FROM uploads`
	if len(conds) > 0 {
		text += ` WHERE ` + strings.Join(conds, " AND ")
	}
	args = append(args, q.Limit)
	text += ` LIMIT $` + strconv.Itoa(len(args))
	rows, err := r.c.queryText(text, args...)
	us, err := collect(rows, err, scanUpload)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: expired uploads in %q: %w", q.Bucket, err)
	}
	return us, nil
}

// uploadListBefore is the statement for q with an upper bound on keys.
func uploadListBefore(q query) query {
	switch q {
	case qUploadListAfterKey:
		return qUploadListAfterKeyBefore
	case qUploadListAfterID:
		return qUploadListAfterIDBefore
	}
	return qUploadListFromBefore
}

// scanUpload reads a row of uploadCols.
func scanUpload(s rowScanner) (meta.Upload, error) {
	var u meta.Upload
	var initiated, active int64
	var attrs string
	if err := s.Scan(&u.ID, &u.Bucket, &u.Key, &initiated, &active, &u.OwnerID, &attrs); err != nil {
		return meta.Upload{}, err
	}
	u.Initiated, u.LastActivity = unixToTime(initiated), unixToTime(active)
	if err := decodeUploadAttrs(attrs, &u); err != nil {
		return meta.Upload{}, err
	}
	return u, nil
}

// prefixEnd returns the least string above every string starting with p,
// or "" if there is none. It steps p's last code point, dropping maximal
// ones, so that for valid UTF-8 the bound is valid text too: byte order and
// code point order agree in UTF-8.
func prefixEnd(p string) string {
	for p != "" {
		r, size := utf8.DecodeLastRuneInString(p)
		p = p[:len(p)-size]
		switch r {
		case utf8.MaxRune:
			continue
		case 0xD7FF: // the surrogates have no UTF-8 form
			return p + "\uE000"
		}
		return p + string(r+1)
	}
	return ""
}
