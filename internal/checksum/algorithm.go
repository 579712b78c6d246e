package checksum

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"hash"
	"hash/crc32"
	"hash/crc64"

	"github.com/cespare/xxhash/v2"
	"github.com/minio/crc64nvme"
	"github.com/zeebo/xxh3"

	"github.com/cairn-s3/cairn/internal/s3"
)

// CRC64ECMA is CRC-64/XZ, the CRC that Tencent COS (x-cos-hash-crc64ecma),
// Baidu BOS (x-bce-content-crc64ecma) and Kingsoft KS3
// (x-amz-checksum-crc64ecma) report. It is a vendor extension: it is not in
// s3.ChecksumAlgorithms and AWS clients never send it, but New, Size, Decode
// and the CRC functions of this package accept it.
const CRC64ECMA s3.ChecksumAlgorithm = "CRC64ECMA"

// Errors for misuse of this package's functions (as opposed to client input,
// which gets *s3.Error values).
var (
	// ErrUnsupportedAlgorithm is returned when an algorithm is unknown or
	// cannot do what was asked, such as combining SHA256 values.
	ErrUnsupportedAlgorithm = errors.New("checksum: unsupported algorithm")
	// ErrBadLength is returned when a raw checksum value does not have the
	// size of its algorithm.
	ErrBadLength = errors.New("checksum: value has the wrong length")
)

// New returns a fresh hash for alg: CRC32 is IEEE, CRC32C is Castagnoli,
// CRC64NVME comes from minio/crc64nvme, CRC64ECMA is CRC-64/XZ, the SHAs and
// MD5 are crypto's, the xxHashes are XXH64, XXH3-64 and XXH3-128 with seed 0.
// ok is false for an unknown algorithm. The Sum of a CRC or an xxHash is its
// big-endian (canonical) bytes, which is what S3 base64-encodes.
func New(alg s3.ChecksumAlgorithm) (h hash.Hash, ok bool) {
	switch alg {
	case s3.ChecksumCRC32:
		return crc32.NewIEEE(), true
	case s3.ChecksumCRC32C:
		return crc32.New(crc32.MakeTable(crc32.Castagnoli)), true
	case s3.ChecksumCRC64NVME:
		return crc64nvme.New(), true
	case CRC64ECMA:
		return NewCRC64XZ(), true
	case s3.ChecksumSHA1:
		return sha1.New(), true
	case s3.ChecksumSHA256:
		return sha256.New(), true
	case s3.ChecksumSHA512:
		return sha512.New(), true
	case s3.ChecksumMD5:
		return md5.New(), true
	case s3.ChecksumXXHASH64:
		return xxhash.New(), true
	case s3.ChecksumXXHASH3:
		return xxh3.New(), true
	case s3.ChecksumXXHASH128:
		return xxh128{xxh3.New()}, true
	}
	return nil, false
}

// xxh128 is XXH3-128 as a hash.Hash: the library's hasher sums 64 bits
// unless asked for 128.
type xxh128 struct{ *xxh3.Hasher }

func (h xxh128) Size() int { return 16 }

func (h xxh128) Sum(b []byte) []byte {
	v := h.Sum128().Bytes()
	return append(b, v[:]...)
}

// Size is the raw length in bytes of a checksum of alg (4 for CRC32, 32 for
// SHA256, 16 for XXHASH128, ...), and 0 for an unknown algorithm.
func Size(alg s3.ChecksumAlgorithm) int {
	switch alg {
	case s3.ChecksumCRC32, s3.ChecksumCRC32C:
		return crc32.Size
	case s3.ChecksumCRC64NVME, CRC64ECMA:
		return crc64.Size
	case s3.ChecksumSHA1:
		return sha1.Size
	case s3.ChecksumSHA256:
		return sha256.Size
	case s3.ChecksumSHA512:
		return sha512.Size
	case s3.ChecksumMD5:
		return md5.Size
	case s3.ChecksumXXHASH64, s3.ChecksumXXHASH3:
		return 8
	case s3.ChecksumXXHASH128:
		return 16
	}
	return 0
}

// NewCRC64XZ returns a hash of CRC-64/XZ (what COS and KS3 call crc64ecma):
// reflected polynomial 0xC96C5795D7870F42, initial value and final XOR all
// ones, check value 0x995dc9bbdf1939fa. The standard library's ECMA table
// computes exactly this; the constructor exists so that callers don't have
// to know that.
func NewCRC64XZ() hash.Hash64 {
	return crc64.New(crc64.MakeTable(crc64.ECMA))
}
