-- Cairn metadata, SQLite dialect. Text compares with the default BINARY
-- collation, i.e. by bytes, which is S3's key order. Times are Unix
-- nanoseconds. WITHOUT ROWID keeps each row in its primary-key b-tree, so a
-- range scan reads no second index.

CREATE TABLE users (
	id           TEXT NOT NULL PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	created      BIGINT NOT NULL
) WITHOUT ROWID;

CREATE TABLE access_keys (
	access_key TEXT NOT NULL PRIMARY KEY,
	secret_key TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	created    BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX access_keys_by_user ON access_keys (user_id, access_key);

CREATE TABLE buckets (
	name     TEXT NOT NULL PRIMARY KEY,
	owner_id TEXT NOT NULL,
	region   TEXT NOT NULL,
	created  BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX buckets_by_owner ON buckets (owner_id, name);

-- The listing columns come first and the large ones last, so that a listing
-- reads each row's leading bytes and never its overflow pages.
CREATE TABLE objects (
	bucket        TEXT NOT NULL,
	key           TEXT NOT NULL,
	size          BIGINT NOT NULL,
	etag          TEXT NOT NULL,
	last_modified BIGINT NOT NULL,
	storage_class TEXT NOT NULL,
	owner_id      TEXT NOT NULL,
	attrs         TEXT NOT NULL,
	parts         BLOB,
	extents       BLOB,
	inline_data   BLOB,
	PRIMARY KEY (bucket, key)
);

CREATE TABLE blobs (
	id   BLOB NOT NULL PRIMARY KEY,
	size BIGINT NOT NULL,
	refs BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX blobs_garbage ON blobs (id) WHERE refs = 0;

CREATE TABLE dead_extents (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	n       BIGINT NOT NULL,
	extents BLOB NOT NULL
);
