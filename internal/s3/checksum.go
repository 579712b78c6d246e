package s3

import "strings"

// ChecksumAlgorithm is an additional checksum algorithm as S3 names it in
// x-amz-checksum-algorithm and in the x-amz-checksum-<alg> header names.
type ChecksumAlgorithm string

// The algorithms Cairn computes.
const (
	ChecksumCRC32     ChecksumAlgorithm = "CRC32"
	ChecksumCRC32C    ChecksumAlgorithm = "CRC32C"
	ChecksumCRC64NVME ChecksumAlgorithm = "CRC64NVME"
	ChecksumSHA1      ChecksumAlgorithm = "SHA1"
	ChecksumSHA256    ChecksumAlgorithm = "SHA256"
	// The algorithms AWS added in 2026: composite-only for multipart.
	ChecksumSHA512    ChecksumAlgorithm = "SHA512"
	ChecksumMD5       ChecksumAlgorithm = "MD5"
	ChecksumXXHASH64  ChecksumAlgorithm = "XXHASH64"
	ChecksumXXHASH3   ChecksumAlgorithm = "XXHASH3"
	ChecksumXXHASH128 ChecksumAlgorithm = "XXHASH128"
)

// ChecksumAlgorithms lists every supported algorithm in header order.
func ChecksumAlgorithms() []ChecksumAlgorithm {
	return []ChecksumAlgorithm{
		ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME, ChecksumSHA1, ChecksumSHA256,
		ChecksumSHA512, ChecksumMD5, ChecksumXXHASH64, ChecksumXXHASH3, ChecksumXXHASH128,
	}
}

// ParseChecksumAlgorithm accepts an algorithm name in any case; ok is false
// for an unknown one.
func ParseChecksumAlgorithm(s string) (ChecksumAlgorithm, bool) {
	a := ChecksumAlgorithm(strings.ToUpper(s))
	for _, known := range ChecksumAlgorithms() {
		if a == known {
			return a, true
		}
	}
	return "", false
}

// HeaderName is the x-amz-checksum-<alg> header carrying this algorithm.
func (a ChecksumAlgorithm) HeaderName() string {
	return "x-amz-checksum-" + strings.ToLower(string(a))
}

// IsCRC reports whether the algorithm is a CRC, whose values combine across
// parts into a full-object checksum.
func (a ChecksumAlgorithm) IsCRC() bool {
	return a == ChecksumCRC32 || a == ChecksumCRC32C || a == ChecksumCRC64NVME
}

// ChecksumType says whether a multipart object's checksum covers the whole
// byte stream or is a checksum of the part checksums.
type ChecksumType string

// The checksum types of x-amz-checksum-type.
const (
	ChecksumTypeComposite  ChecksumType = "COMPOSITE"
	ChecksumTypeFullObject ChecksumType = "FULL_OBJECT"
)

// Checksum is a stored or expected checksum: the algorithm, the type and the
// value as S3 sends it (base64, with a "-N" suffix for a composite of N parts).
type Checksum struct {
	Algorithm ChecksumAlgorithm
	Type      ChecksumType
	Value     string
}

// IsZero reports whether no checksum is set.
func (c Checksum) IsZero() bool { return c.Algorithm == "" }
