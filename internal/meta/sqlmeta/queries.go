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
