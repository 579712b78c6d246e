package sqlmeta

import (
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
)

// unusedPartsChunk bounds the part numbers one statement asks for.
const unusedPartsChunk = 1000

// CompleteUpload implements meta.Tx. It is the hot path of a large
// Complete, so its number of statements does not grow with the parts: the
// upload row and every part go in one statement each, the unused parts'
// extents (read from the store by number, so callers' Part values need only
// their numbers) become one dead row, and o takes no references, since the
// parts' move to it.
func (w *writer) CompleteUpload(c meta.Completion, o meta.Object, unused []meta.Part) (*meta.Object, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	if !validText(c.UploadID) {
		return nil, fmt.Errorf("sqlmeta: complete upload %q: %w", c.UploadID, meta.ErrNotFound)
	}
	// The records are checked before anything is written, so that a bad
	// one leaves the upload as it was even if the caller goes on.
	if err := checkCompletion(&c); err != nil {
		return nil, err
	}
	row, err := encodeObject(o)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: complete upload %q: %w", c.UploadID, err)
	}
	extra, err := encodeExtraChecksums(c.ExtraChecksums)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: complete upload %q: %w", c.UploadID, err)
	}
	n, err := w.c.execCount(qUploadDelete, c.UploadID)
	if err == nil && n == 0 {
		err = meta.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: complete upload %q: %w", c.UploadID, err)
	}
	if err := w.queueUnusedParts(c.UploadID, unused); err != nil {
		return nil, fmt.Errorf("sqlmeta: complete upload %q: %w", c.UploadID, err)
	}
	if _, err := w.c.exec(qPartDeleteAll, c.UploadID); err != nil {
		return nil, fmt.Errorf("sqlmeta: complete upload %q: delete parts: %w", c.UploadID, err)
	}
	prev, err := w.putObject(row, false)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: complete upload %q: %w", c.UploadID, err)
	}
	if _, err := w.c.exec(qCompletionUpsert, c.UploadID, c.Bucket, c.Key, c.ETag, c.Size,
		string(c.Checksum.Algorithm), string(c.Checksum.Type), c.Checksum.Value,
		nullable(c.PartsDigest), timeToUnix(c.Completed), extra); err != nil {
		return nil, fmt.Errorf("sqlmeta: complete upload %q: record completion: %w", c.UploadID, err)
	}
	return prev, nil
}

// queueUnusedParts queues the stored extents of the upload's parts with
// the numbers of unused as one dead row.
func (w *writer) queueUnusedParts(uploadID string, unused []meta.Part) error {
	if len(unused) == 0 {
		return nil
	}
	nums := make([]int, len(unused))
	for i, p := range unused {
		nums[i] = p.Number
	}
	slices.Sort(nums)
	nums = slices.Compact(nums)
	var lists [][]byte
	for chunk := range slices.Chunk(nums, unusedPartsChunk) {
		// The numbers are integers formatted here, so they go into the text
		// as literals rather than thousands of parameters.
		var b strings.Builder
		b.WriteString(`SELECT extents FROM parts WHERE upload_id = $1 AND extents IS NOT NULL AND part_number IN (`)
		for i, n := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(n))
		}
		b.WriteByte(')')
		rows, err := w.c.queryText(b.String(), uploadID)
		got, err := collect(rows, err, func(s rowScanner) ([]byte, error) {
			var e []byte
			err := s.Scan(&e)
			return e, err
		})
		if err != nil {
			return fmt.Errorf("read unused parts: %w", err)
		}
		lists = append(lists, got...)
	}
	dead, n, err := concatExtents(lists)
	if err != nil {
		return fmt.Errorf("unused parts: %w", err)
	}
	return w.queueDead(n, dead)
}

// GetCompletion implements meta.ReadTx.
func (r *reader) GetCompletion(uploadID string) (meta.Completion, error) {
	if err := r.check(); err != nil {
		return meta.Completion{}, err
	}
	if !validText(uploadID) {
		return meta.Completion{}, fmt.Errorf("sqlmeta: get completion of upload %q: %w", uploadID, meta.ErrNotFound)
	}
	var c meta.Completion
	var completed int64
	var extra sql.NullString
	err := r.c.queryRow(qCompletionGet, uploadID).Scan(&c.UploadID, &c.Bucket, &c.Key, &c.ETag, &c.Size,
		&c.Checksum.Algorithm, &c.Checksum.Type, &c.Checksum.Value, &c.PartsDigest, &completed, &extra)
	if err != nil {
		return meta.Completion{}, notFound(err, "get completion of upload %q", uploadID)
	}
	if c.ExtraChecksums, err = decodeExtraChecksums(extra.String); err != nil {
		return meta.Completion{}, fmt.Errorf("sqlmeta: get completion of upload %q: %w", uploadID, err)
	}
	if len(c.PartsDigest) == 0 {
		c.PartsDigest = nil
	}
	c.Completed = unixToTime(completed)
	return c, nil
}

// DeleteCompletions implements meta.Tx, removing the oldest first.
func (w *writer) DeleteCompletions(before time.Time, limit int) (int, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	if limit <= 0 {
		return 0, nil
	}
	n, err := w.c.execCount(qCompletionDeleteOld, timeToUnix(before), limit)
	if err != nil {
		return 0, fmt.Errorf("sqlmeta: delete completions before %v: %w", before, err)
	}
	return int(n), nil
}
