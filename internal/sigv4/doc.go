// Package sigv4 verifies AWS Signature Version 4 as Amazon S3 speaks it, on
// the server side: the Authorization header, presigned query strings, the
// x-amz-content-sha256 payload hash, and aws-chunked bodies with per-chunk
// signatures, unsigned chunks and (signed or unsigned) trailing headers.
//
// Verify authenticates the request head and returns a Result whose Body is
// the payload the operation must read: decoded from aws-chunked where needed
// and checked while it streams, so that a consumer which commits only after
// io.EOF never commits unverified bytes. Every client-caused failure is an
// *s3.Error carrying AWS's code, message and extra fields.
//
// The package imports only the standard library and internal/s3; secrets come
// in through the one-method Credentials interface.
package sigv4
