-- Multipart uploads, their parts and completion records, and bucket
-- configuration documents. SQLite dialect: see 0001_init.sql.

-- attrs holds what no query filters on (headers, user metadata, tags,
-- storage class, checksum algorithm and type) as JSON, like objects.attrs.
CREATE TABLE uploads (
	id            TEXT NOT NULL PRIMARY KEY,
	bucket        TEXT NOT NULL,
	key           TEXT NOT NULL,
	initiated     BIGINT NOT NULL,
	last_activity BIGINT NOT NULL,
	owner_id      TEXT NOT NULL,
	attrs         TEXT NOT NULL
) WITHOUT ROWID;
-- ListUploads reads in this order.
CREATE INDEX uploads_by_key ON uploads (bucket, key, initiated, id);
-- The sweepers: lifecycle rules by bucket and age, the server-wide idle
-- expiry by last activity.
CREATE INDEX uploads_by_initiated ON uploads (bucket, initiated);
CREATE INDEX uploads_by_activity ON uploads (last_activity);

-- One row per part, clustered by upload so that listing and completing an
-- upload are range scans of the primary key. The extents come last: a
-- listing without them reads only each row's leading bytes, never the
-- overflow pages of a long list.
CREATE TABLE parts (
	upload_id     TEXT NOT NULL,
	part_number   INTEGER NOT NULL,
	size          BIGINT NOT NULL,
	etag          TEXT NOT NULL,
	last_modified BIGINT NOT NULL,
	checksum      TEXT NOT NULL,
	extents       BLOB,
	PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;

-- What a retried Complete of a finished upload answers.
CREATE TABLE completions (
	upload_id          TEXT NOT NULL PRIMARY KEY,
	bucket             TEXT NOT NULL,
	key                TEXT NOT NULL,
	etag               TEXT NOT NULL,
	size               BIGINT NOT NULL,
	checksum_algorithm TEXT NOT NULL,
	checksum_type      TEXT NOT NULL,
	checksum           TEXT NOT NULL,
	parts_digest       BLOB,
	completed          BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX completions_by_time ON completions (completed);

CREATE TABLE bucket_configs (
	bucket TEXT NOT NULL,
	name   TEXT NOT NULL,
	data   BLOB,
	PRIMARY KEY (bucket, name)
);
-- ListBucketConfigs reads one name across buckets.
CREATE INDEX bucket_configs_by_name ON bucket_configs (name, bucket);
