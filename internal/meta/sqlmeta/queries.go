package sqlmeta

import (
	"context"
	"database/sql"
	"fmt"
)

// query names one statement of the shared set. Both dialects run the same
// text: $N placeholders, ON CONFLICT and RETURNING work in SQLite and
// PostgreSQL alike.
type query int

const (
	qUserInsert query = iota
	qUserGet
	qUserGetByName
	qUserList
	qUserDelete
	qUserKeysDelete
	qKeyInsert
	qKeyGet
	qKeyListByUser
	qKeyDelete

	qBucketInsert
	qBucketGet
	qBucketList
	qBucketListByOwner
	qBucketDelete
	qBucketHasObject

	qObjectGet
	qObjectUpsert
	qObjectDelete
	qObjectGetAttrs
	qObjectSetAttrs
	qObjectListFrom       // key >= lower
	qObjectListAfter      // key > lower
	qObjectListFromBefore // key >= lower AND key < upper
	qObjectListAfterBefore

	qBlobInsert
	qBlobRef
	qBlobUnref
	qBlobGarbage
	qBlobForget
	qDeadInsert
	qDeadHead
	qDeadDelete

	qUploadInsert
	qUploadGet
	qUploadTouch
	qUploadDelete
	qUploadIDsByBucket
	qUploadDeleteByBucket
	qUploadListFrom       // key >= lower
	qUploadListAfterKey   // key > lower
	qUploadListAfterID    // (key, initiated, id) > marker
	qUploadListFromBefore // the same, and key < upper
	qUploadListAfterKeyBefore
	qUploadListAfterIDBefore

	qPartGet
	qPartInsert
	qPartUpdate
	qPartList
	qPartListExtents
	qPartExtents
	qPartDeleteAll

	qCompletionUpsert
	qCompletionGet
	qCompletionDeleteOld

	qConfigGet
	qConfigList
	qConfigUpsert
	qConfigDelete
	qConfigDeleteBucket

	qSavepoint
	qSavepointRelease
	qSavepointRollback

	numQueries
)

const (
	userCols   = `id, name, display_name, created`
	keyCols    = `access_key, secret_key, user_id, created`
	bucketCols = `name, owner_id, region, created`
	// objectListCols are the columns a listing reads: never the lists or
	// the inline data.
	objectListCols = `key, size, etag, last_modified, storage_class, owner_id, attrs`
	objectDataCols = `size, etag, last_modified, storage_class, owner_id, attrs, parts, extents, inline_data`
	objectList     = `SELECT ` + objectListCols + ` FROM objects WHERE bucket = $1 AND key `

	uploadCols = `id, bucket, key, initiated, last_activity, owner_id, attrs`
	uploadList = `SELECT ` + uploadCols + ` FROM uploads WHERE bucket = $1 AND `
	uploadKey  = `key >= $2 `
	uploadMark = `(key, initiated, id) > ($2, $3, $4) `
	// uploadOrder is the order of the uploads_by_key index.
	uploadOrder = `ORDER BY key, initiated, id LIMIT `
	// partListCols leave out the extents, which a listing never reads. The
	// extra checksums are small and stored before the extents, so a
	// listing reads them at no cost.
	partListCols    = `part_number, size, etag, last_modified, checksum, extra_checksums`
	partDataCols    = partListCols + `, extents`
	completionCols  = `upload_id, bucket, key, etag, size, checksum_algorithm, checksum_type, checksum, parts_digest, completed, extra_checksums`
	partListOrdered = ` FROM parts WHERE upload_id = $1 AND part_number > $2 ORDER BY part_number LIMIT $3`
)

// queryText returns the SQL of q.
func queryText(q query) string {
	switch q {
	case qUserInsert:
		return `INSERT INTO users (` + userCols + `) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`
	case qUserGet:
		return `SELECT ` + userCols + ` FROM users WHERE id = $1`
	case qUserGetByName:
		return `SELECT ` + userCols + ` FROM users WHERE name = $1`
	case qUserList:
		return `SELECT ` + userCols + ` FROM users ORDER BY name`
	case qUserDelete:
		return `DELETE FROM users WHERE id = $1`
	case qUserKeysDelete:
		return `DELETE FROM access_keys WHERE user_id = $1`
	case qKeyInsert:
		return `INSERT INTO access_keys (` + keyCols + `) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`
	case qKeyGet:
		return `SELECT ` + keyCols + ` FROM access_keys WHERE access_key = $1`
	case qKeyListByUser:
		return `SELECT ` + keyCols + ` FROM access_keys WHERE user_id = $1 ORDER BY access_key`
	case qKeyDelete:
		return `DELETE FROM access_keys WHERE access_key = $1`

	case qBucketInsert:
		return `INSERT INTO buckets (` + bucketCols + `) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`
	case qBucketGet:
		return `SELECT ` + bucketCols + ` FROM buckets WHERE name = $1`
	case qBucketList:
		return `SELECT ` + bucketCols + ` FROM buckets ORDER BY name`
	case qBucketListByOwner:
		return `SELECT ` + bucketCols + ` FROM buckets WHERE owner_id = $1 ORDER BY name`
	case qBucketDelete:
		return `DELETE FROM buckets WHERE name = $1`
	case qBucketHasObject:
		return `SELECT 1 FROM objects WHERE bucket = $1 LIMIT 1`

	case qObjectGet:
		return `SELECT ` + objectDataCols + ` FROM objects WHERE bucket = $1 AND key = $2`
	case qObjectUpsert:
		return `INSERT INTO objects (bucket, key, ` + objectDataCols + `)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (bucket, key) DO UPDATE SET
				size = excluded.size, etag = excluded.etag, last_modified = excluded.last_modified,
				storage_class = excluded.storage_class, owner_id = excluded.owner_id,
				attrs = excluded.attrs, parts = excluded.parts, extents = excluded.extents,
				inline_data = excluded.inline_data`
	case qObjectDelete:
		return `DELETE FROM objects WHERE bucket = $1 AND key = $2 RETURNING ` + objectDataCols
	case qObjectGetAttrs:
		return `SELECT attrs FROM objects WHERE bucket = $1 AND key = $2`
	case qObjectSetAttrs:
		return `UPDATE objects SET attrs = $3 WHERE bucket = $1 AND key = $2`
	case qObjectListFrom:
		return objectList + `>= $2 ORDER BY key LIMIT $3`
	case qObjectListAfter:
		return objectList + `> $2 ORDER BY key LIMIT $3`
	case qObjectListFromBefore:
		return objectList + `>= $2 AND key < $3 ORDER BY key LIMIT $4`
	case qObjectListAfterBefore:
		return objectList + `> $2 AND key < $3 ORDER BY key LIMIT $4`

	case qBlobInsert:
		return `INSERT INTO blobs (id, size, refs) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`
	case qBlobRef:
		// A blob at zero references is garbage and stays garbage, unless it
		// was added by this very Update call ($3 = 1).
		return `UPDATE blobs SET refs = refs + $2 WHERE id = $1 AND (refs > 0 OR $3 = 1)`
	case qBlobUnref:
		return `UPDATE blobs SET refs = refs - $2 WHERE id = $1 AND refs >= $2`
	case qBlobGarbage:
		return `SELECT id FROM blobs WHERE refs = 0 ORDER BY id LIMIT $1`
	case qBlobForget:
		return `DELETE FROM blobs WHERE id = $1 AND refs = 0`
	case qDeadInsert:
		return `INSERT INTO dead_extents (n, extents) VALUES ($1, $2)`
	case qDeadHead:
		return `SELECT id, n, extents FROM dead_extents ORDER BY id LIMIT $1`
	case qDeadDelete:
		return `DELETE FROM dead_extents WHERE id = $1`

	case qUploadInsert:
		return `INSERT INTO uploads (` + uploadCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`
	case qUploadGet:
		return `SELECT ` + uploadCols + ` FROM uploads WHERE id = $1`
	case qUploadTouch:
		return `UPDATE uploads SET last_activity = $2 WHERE id = $1`
	case qUploadDelete:
		return `DELETE FROM uploads WHERE id = $1`
	case qUploadIDsByBucket:
		return `SELECT id FROM uploads WHERE bucket = $1`
	case qUploadDeleteByBucket:
		return `DELETE FROM uploads WHERE bucket = $1`
	case qUploadListFrom:
		return uploadList + uploadKey + uploadOrder + `$3`
	case qUploadListAfterKey:
		return uploadList + `key > $2 ` + uploadOrder + `$3`
	case qUploadListAfterID:
		return uploadList + uploadMark + uploadOrder + `$5`
	case qUploadListFromBefore:
		return uploadList + uploadKey + `AND key < $3 ` + uploadOrder + `$4`
	case qUploadListAfterKeyBefore:
		return uploadList + `key > $2 AND key < $3 ` + uploadOrder + `$4`
	case qUploadListAfterIDBefore:
		return uploadList + uploadMark + `AND key < $5 ` + uploadOrder + `$6`

	case qPartGet:
		return `SELECT ` + partDataCols + ` FROM parts WHERE upload_id = $1 AND part_number = $2`
	case qPartInsert:
		return `INSERT INTO parts (upload_id, ` + partDataCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT DO NOTHING`
	case qPartUpdate:
		return `UPDATE parts SET size = $3, etag = $4, last_modified = $5, checksum = $6, extra_checksums = $7,
			extents = $8 WHERE upload_id = $1 AND part_number = $2`
	case qPartList:
		return `SELECT ` + partListCols + partListOrdered
	case qPartListExtents:
		return `SELECT ` + partDataCols + partListOrdered
	case qPartExtents:
		return `SELECT extents FROM parts WHERE upload_id = $1 AND extents IS NOT NULL ORDER BY part_number`
	case qPartDeleteAll:
		return `DELETE FROM parts WHERE upload_id = $1`

	case qCompletionUpsert:
		return `INSERT INTO completions (` + completionCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (upload_id) DO UPDATE SET
				bucket = excluded.bucket, key = excluded.key, etag = excluded.etag, size = excluded.size,
				checksum_algorithm = excluded.checksum_algorithm, checksum_type = excluded.checksum_type,
				checksum = excluded.checksum, parts_digest = excluded.parts_digest, completed = excluded.completed,
				extra_checksums = excluded.extra_checksums`
	case qCompletionGet:
		return `SELECT ` + completionCols + ` FROM completions WHERE upload_id = $1`
	case qCompletionDeleteOld:
		// The oldest first, through the completions_by_time index.
		return `DELETE FROM completions WHERE upload_id IN
			(SELECT upload_id FROM completions WHERE completed < $1 ORDER BY completed LIMIT $2)`

	case qConfigGet:
		return `SELECT data FROM bucket_configs WHERE bucket = $1 AND name = $2`
	case qConfigList:
		return `SELECT bucket, data FROM bucket_configs WHERE name = $1 ORDER BY bucket`
	case qConfigUpsert:
		return `INSERT INTO bucket_configs (bucket, name, data) VALUES ($1, $2, $3)
			ON CONFLICT (bucket, name) DO UPDATE SET data = excluded.data`
	case qConfigDelete:
		return `DELETE FROM bucket_configs WHERE bucket = $1 AND name = $2`
	case qConfigDeleteBucket:
		return `DELETE FROM bucket_configs WHERE bucket = $1`

	case qSavepoint:
		return `SAVEPOINT fn`
	case qSavepointRelease:
		return `RELEASE SAVEPOINT fn`
	case qSavepointRollback:
		return `ROLLBACK TO SAVEPOINT fn`
	}
	panic(fmt.Sprintf("sqlmeta: unknown query %d", q))
}

// statements are the shared queries prepared once on a database handle, so
// the hot path does not parse SQL on every call. database/sql prepares a
// statement again on each pool connection the first time it runs there and
// keeps it for the connection's life.
type statements [numQueries]*sql.Stmt

func prepareStatements(ctx context.Context, db *sql.DB, skip func(query) bool) (*statements, error) {
	var s statements
	for q := range numQueries {
		if skip != nil && skip(q) {
			continue
		}
		st, err := db.PrepareContext(ctx, queryText(q))
		if err != nil {
			s.close()
			return nil, fmt.Errorf("sqlmeta: prepare %q: %w", queryText(q), err)
		}
		s[q] = st
	}
	return &s, nil
}

func (s *statements) close() {
	for _, st := range s {
		if st != nil {
			st.Close()
		}
	}
}
