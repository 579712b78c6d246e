// Package sqlmeta is the meta.Store on SQL: embedded SQLite (modernc.org/sqlite,
// the default) and PostgreSQL or wire-compatible engines (pgx). One set of
// queries with $N placeholders serves both; only the DDL differs, in the
// embedded migrations schema/<dialect>/NNNN_name.sql, which OpenSQLite and
// OpenPostgres apply in one transaction, recording them in schema_version.
//
// # Writes
//
// SQLite has one writer connection. Update hands its function to a single
// goroutine that runs every function queued meanwhile in one transaction,
// each inside its own SAVEPOINT, and commits them with one fsync (group
// commit; see groupCommit). PostgreSQL runs each Update in its own
// SERIALIZABLE transaction, retried on serialization failures; see
// OpenPostgres for why serializable rather than row locks. In both, a
// function's error or panic rolls back only that function's writes and is
// returned to its caller only; a panic becomes an error and is logged with
// its stack.
//
// # Records
//
// Records read back as written, with these normalisations:
//
//   - empty maps and slices (UserMetadata, Tags, ExtraChecksums, Parts,
//     Extents, Inline) read back as nil;
//   - times read back in UTC with nanosecond precision; the zero time
//     round-trips, times outside the years 1678–2262 do not;
//   - ListObjects records carry every field but Extents, Inline and Parts.
//
// Every string a record stores must be valid UTF-8, and the columns that
// PostgreSQL keeps as TEXT (bucket, key, ETag, storage class, owner) must
// not contain NUL: PutObject rejects other records on both dialects alike,
// and lookups of such keys find nothing. Keys compare as bytes (SQLite's
// BINARY collation, PostgreSQL's "C"), which is S3's order.
//
// Object attributes that no query filters on (headers, user metadata, tags,
// checksum, extra checksums, upload ID) are one JSON text column; extent
// and part lists are a compact versioned binary encoding (see codec.go).
//
// # Multipart uploads
//
// An upload is a row like an object's, with its attributes (storage class
// and checksum choice too) in the same JSON form; each part is a row of
// its own, keyed by (upload, number), with its extents in the binary
// encoding and its extra checksums as a JSON text column (NULL for none),
// as completion records keep theirs. A part holds references like an
// object. Completing an upload moves the used parts' references to the
// object without counting them again, so that a 10,000-part Complete is a
// handful of statements: one delete of every part, one write of the object,
// one dead-extent row for the unused parts. Completion records and bucket
// configuration documents are plain rows.
package sqlmeta
