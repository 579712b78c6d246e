-- Extra checksums of parts and completions: checksums kept besides the
-- main one (such as the CRC-64/XZ that COS, BOS and KS3 clients verify), as
-- a JSON object of algorithm to base64 value, NULL when there are none.
-- SQLite dialect: see 0001_init.sql.

-- ALTER TABLE ADD COLUMN would put the new column after the extents, and a
-- listing without extents would then walk a long list's overflow pages to
-- reach it. The table is rebuilt instead, with the extents still last; it
-- holds only the parts of uploads in progress.
CREATE TABLE parts_v3 (
	upload_id       TEXT NOT NULL,
	part_number     INTEGER NOT NULL,
	size            BIGINT NOT NULL,
	etag            TEXT NOT NULL,
	last_modified   BIGINT NOT NULL,
	checksum        TEXT NOT NULL,
	extra_checksums TEXT,
	extents         BLOB,
	PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;
INSERT INTO parts_v3 (upload_id, part_number, size, etag, last_modified, checksum, extents)
	SELECT upload_id, part_number, size, etag, last_modified, checksum, extents FROM parts;
DROP TABLE parts;
ALTER TABLE parts_v3 RENAME TO parts;

ALTER TABLE completions ADD COLUMN extra_checksums TEXT;
