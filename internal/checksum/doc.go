// Package checksum computes, encodes, combines and compares the checksums S3
// speaks: the additional checksums of x-amz-checksum-* (CRC32, CRC32C,
// CRC64NVME, SHA1, SHA256), their multipart forms (COMPOSITE and
// FULL_OBJECT), the multipart MD5 ETag, and CRC-64/XZ, which Tencent COS and
// Kingsoft KS3 call crc64ecma.
//
// Everything here is a pure function of its arguments: no I/O, no clocks.
// Values cross the package boundary in two forms, raw big-endian bytes (what
// a hash.Hash's Sum returns and what Combine works on) and the standard
// base64 text S3 puts in headers and XML (Encode and Decode).
//
// Full-object CRCs of multipart uploads are computed by combining the parts'
// CRCs with their lengths (CombineCRC, FullObject), so Complete never re-reads
// data; that is why the combine is hand-written here rather than taken from a
// library.
package checksum
