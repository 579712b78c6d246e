-- Extra checksums of parts and completions: checksums kept besides the
-- main one (such as the CRC-64/XZ that COS, BOS and KS3 clients verify), as
-- a JSON object of algorithm to base64 value, NULL when there are none.
-- PostgreSQL dialect: see 0001_init.sql.

-- Adding a nullable column without a default rewrites no rows. Its place
-- after the extents costs a listing nothing: a long extent list is out of
-- line (TOAST), and the row only points to it.
ALTER TABLE parts ADD COLUMN extra_checksums TEXT;
ALTER TABLE completions ADD COLUMN extra_checksums TEXT;
