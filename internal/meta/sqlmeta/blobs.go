package sqlmeta

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// blobRefsChunk bounds the ids one BlobRefs statement asks for.
const blobRefsChunk = 100

// BlobRefs implements meta.ReadTx.
func (r *reader) BlobRefs(ids []s3.BlobID) (map[s3.BlobID]int64, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	refs := make(map[s3.BlobID]int64, len(ids))
	for chunk := range slices.Chunk(ids, blobRefsChunk) {
		var b strings.Builder
		args := make([]any, len(chunk))
		b.WriteString(`SELECT id, refs FROM blobs WHERE id IN (`)
		for i, id := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + strconv.Itoa(i+1))
			args[i] = id[:]
		}
		b.WriteString(")")
		rows, err := r.c.queryText(b.String(), args...)
		_, err = collect(rows, err, func(s rowScanner) (struct{}, error) {
			var raw []byte
			var n int64
			if err := s.Scan(&raw, &n); err != nil {
				return struct{}{}, err
			}
			id, err := blobID(raw)
			refs[id] = n
			return struct{}{}, err
		})
		if err != nil {
			return nil, fmt.Errorf("sqlmeta: blob references: %w", err)
		}
	}
	return refs, nil
}

// GarbageBlobs implements meta.ReadTx; blobs come in id order.
func (r *reader) GarbageBlobs(limit int) ([]s3.BlobID, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	rows, err := r.c.query(qBlobGarbage, limit)
	ids, err := collect(rows, err, func(s rowScanner) (s3.BlobID, error) {
		var raw []byte
		if err := s.Scan(&raw); err != nil {
			return s3.BlobID{}, err
		}
		return blobID(raw)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: garbage blobs: %w", err)
	}
	return ids, nil
}

// AddBlobs implements meta.Tx; a blob already known is ErrExists, since ids
// are never reused.
func (w *writer) AddBlobs(blobs ...meta.Blob) error {
	if err := w.check(); err != nil {
		return err
	}
	for _, b := range blobs {
		n, err := w.c.execCount(qBlobInsert, b.ID[:], b.Size)
		if err == nil && n == 0 {
			err = meta.ErrExists
		}
		if err != nil {
			return fmt.Errorf("sqlmeta: add blob %s: %w", b.ID, err)
		}
		if w.added == nil {
			w.added = make(map[s3.BlobID]struct{})
		}
		w.added[b.ID] = struct{}{}
	}
	return nil
}

// takeRefs adds one reference per extent, one statement per distinct blob,
// in id order so that concurrent PostgreSQL transactions lock rows in the
// same order.
func (w *writer) takeRefs(extents []s3.Extent) error {
	for _, c := range countByBlob(extents) {
		_, added := w.added[c.id]
		n, err := w.c.execCount(qBlobRef, c.id[:], c.n, boolInt(added))
		if err != nil {
			return fmt.Errorf("reference blob %s: %w", c.id, err)
		}
		if n == 0 {
			return fmt.Errorf("reference blob %s: %w", c.id, meta.ErrBlobGone)
		}
	}
	return nil
}

// queueDead appends a replaced or deleted record's extents to the dead
// queue as one row; n is their count, encoded their stored form.
func (w *writer) queueDead(n int, encoded []byte) error {
	if n == 0 {
		return nil
	}
	if _, err := w.c.exec(qDeadInsert, n, encoded); err != nil {
		return fmt.Errorf("queue dead extents: %w", err)
	}
	return nil
}

// ReleaseDeadExtents implements meta.Tx. It releases whole queue rows, the
// oldest first, as many as fit in limit extents but always at least one.
func (w *writer) ReleaseDeadExtents(limit int) (int, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	if limit <= 0 {
		return 0, nil
	}
	type deadRow struct {
		id      int64
		extents []s3.Extent
	}
	total := 0
	// Every row holds at least one extent, so limit rows are enough.
	rows, err := w.c.query(qDeadHead, limit)
	if err != nil {
		return 0, fmt.Errorf("sqlmeta: release dead extents: %w", err)
	}
	var taken []deadRow
	for rows.Next() {
		var r deadRow
		var n int64
		var encoded []byte
		if err := rows.Scan(&r.id, &n, &encoded); err != nil {
			rows.Close()
			return 0, fmt.Errorf("sqlmeta: release dead extents: %w", err)
		}
		if len(taken) > 0 && total+int(n) > limit {
			break
		}
		if r.extents, err = decodeExtents(encoded); err != nil {
			rows.Close()
			return 0, fmt.Errorf("sqlmeta: release dead extents: row %d: %w", r.id, err)
		}
		taken = append(taken, r)
		total += len(r.extents)
	}
	// PostgreSQL cannot run a statement while rows are pending on the
	// connection, so the rows are read before the queue is changed.
	if err := rows.Close(); err != nil {
		return 0, fmt.Errorf("sqlmeta: release dead extents: %w", err)
	}
	var all []s3.Extent
	for _, r := range taken {
		if _, err := w.c.exec(qDeadDelete, r.id); err != nil {
			return 0, fmt.Errorf("sqlmeta: release dead extents: delete row %d: %w", r.id, err)
		}
		all = append(all, r.extents...)
	}
	for _, c := range countByBlob(all) {
		n, err := w.c.execCount(qBlobUnref, c.id[:], c.n)
		if err != nil {
			return 0, fmt.Errorf("sqlmeta: release dead extents: blob %s: %w", c.id, err)
		}
		if n == 0 {
			// The counts are wrong somewhere. Stopping would wedge the
			// queue for good, and a count left too high only keeps data.
			w.log.Error("dead extents name a blob with fewer references", "blob", c.id, "extents", c.n)
		}
	}
	return total, nil
}

// ForgetBlobs implements meta.Tx.
func (w *writer) ForgetBlobs(ids []s3.BlobID) error {
	if err := w.check(); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := w.c.exec(qBlobForget, id[:]); err != nil {
			return fmt.Errorf("sqlmeta: forget blob %s: %w", id, err)
		}
	}
	return nil
}

// blobCount is how many of a list's extents lie in one blob.
type blobCount struct {
	id s3.BlobID
	n  int64
}

// countByBlob groups extents by blob, in id order.
func countByBlob(extents []s3.Extent) []blobCount {
	if len(extents) == 0 {
		return nil
	}
	byID := make(map[s3.BlobID]int64)
	for _, e := range extents {
		byID[e.Blob]++
	}
	counts := make([]blobCount, 0, len(byID))
	for id, n := range byID {
		counts = append(counts, blobCount{id: id, n: n})
	}
	slices.SortFunc(counts, func(a, b blobCount) int { return bytes.Compare(a.id[:], b.id[:]) })
	return counts
}

func blobID(raw []byte) (s3.BlobID, error) {
	var id s3.BlobID
	if len(raw) != len(id) {
		return id, fmt.Errorf("blob id of %d bytes", len(raw))
	}
	copy(id[:], raw)
	return id, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
