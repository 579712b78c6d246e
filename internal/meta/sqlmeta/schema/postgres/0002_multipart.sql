-- Multipart uploads, their parts and completion records, and bucket
-- configuration documents. PostgreSQL dialect: see 0001_init.sql.

-- attrs holds what no query filters on (headers, user metadata, tags,
-- storage class, checksum algorithm and type) as JSON, like objects.attrs.
CREATE TABLE uploads (
	id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	bucket        TEXT COLLATE "C" NOT NULL,
	key           TEXT COLLATE "C" NOT NULL,
	initiated     BIGINT NOT NULL,
	last_activity BIGINT NOT NULL,
	owner_id      TEXT NOT NULL,
	attrs         TEXT NOT NULL
);
-- ListUploads reads in this order.
CREATE INDEX uploads_by_key ON uploads (bucket, key, initiated, id);
-- The sweepers: lifecycle rules by bucket and age, the server-wide idle
-- expiry by last activity.
CREATE INDEX uploads_by_initiated ON uploads (bucket, initiated);
CREATE INDEX uploads_by_activity ON uploads (last_activity);

-- One row per part; listing and completing an upload are range scans of
-- the primary key. Long extent lists move out of line (TOAST), so a
-- listing without them does not read them.
CREATE TABLE parts (
	upload_id     TEXT COLLATE "C" NOT NULL,
	part_number   INTEGER NOT NULL,
	size          BIGINT NOT NULL,
	etag          TEXT NOT NULL,
	last_modified BIGINT NOT NULL,
	checksum      TEXT NOT NULL,
	extents       BYTEA,
	PRIMARY KEY (upload_id, part_number)
);

-- What a retried Complete of a finished upload answers.
CREATE TABLE completions (
	upload_id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	bucket             TEXT COLLATE "C" NOT NULL,
	key                TEXT COLLATE "C" NOT NULL,
	etag               TEXT NOT NULL,
	size               BIGINT NOT NULL,
	checksum_algorithm TEXT NOT NULL,
	checksum_type      TEXT NOT NULL,
	checksum           TEXT NOT NULL,
	parts_digest       BYTEA,
	completed          BIGINT NOT NULL
);
CREATE INDEX completions_by_time ON completions (completed);

CREATE TABLE bucket_configs (
	bucket TEXT COLLATE "C" NOT NULL,
	name   TEXT COLLATE "C" NOT NULL,
	data   BYTEA,
	PRIMARY KEY (bucket, name)
);
-- ListBucketConfigs reads one name across buckets.
CREATE INDEX bucket_configs_by_name ON bucket_configs (name, bucket);
