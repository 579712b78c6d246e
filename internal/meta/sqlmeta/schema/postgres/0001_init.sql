-- Cairn metadata, PostgreSQL dialect. Names and keys use COLLATE "C" so that
-- they compare by bytes, which is S3's key order. Times are Unix nanoseconds.

CREATE TABLE users (
	id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	name         TEXT COLLATE "C" NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	created      BIGINT NOT NULL
);

CREATE TABLE access_keys (
	access_key TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	secret_key TEXT NOT NULL,
	user_id    TEXT COLLATE "C" NOT NULL,
	created    BIGINT NOT NULL
);
CREATE INDEX access_keys_by_user ON access_keys (user_id, access_key);

CREATE TABLE buckets (
	name     TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	owner_id TEXT COLLATE "C" NOT NULL,
	region   TEXT NOT NULL,
	created  BIGINT NOT NULL
);
CREATE INDEX buckets_by_owner ON buckets (owner_id, name);

-- The listing columns come first and the large ones last; PostgreSQL moves
-- large values out of line (TOAST), so a listing does not read them.
CREATE TABLE objects (
	bucket        TEXT COLLATE "C" NOT NULL,
	key           TEXT COLLATE "C" NOT NULL,
	size          BIGINT NOT NULL,
	etag          TEXT NOT NULL,
	last_modified BIGINT NOT NULL,
	storage_class TEXT NOT NULL,
	owner_id      TEXT NOT NULL,
	attrs         TEXT NOT NULL,
	parts         BYTEA,
	extents       BYTEA,
	inline_data   BYTEA,
	PRIMARY KEY (bucket, key)
);

CREATE TABLE blobs (
	id   BYTEA NOT NULL PRIMARY KEY,
	size BIGINT NOT NULL,
	refs BIGINT NOT NULL
);
CREATE INDEX blobs_garbage ON blobs (id) WHERE refs = 0;

CREATE TABLE dead_extents (
	id      BIGSERIAL PRIMARY KEY,
	n       BIGINT NOT NULL,
	extents BYTEA NOT NULL
);
