// Package s3 is Cairn's shared vocabulary: error codes, names and their
// validation, limits, checksum and extent types, and the authenticated
// principal. It imports nothing of Cairn's and only the standard library, so
// that every layer can speak it without depending on another.
package s3
