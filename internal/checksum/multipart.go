package checksum

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/internal/s3"
)

// Composite returns the COMPOSITE checksum of a multipart upload as S3 shows
// it: base64(H(raw1‖raw2‖…‖rawN)) + "-N", where H is alg's hash and raw_i the
// raw checksum of part i. It fails with the *s3.Error of CheckTypeAllowed for
// an algorithm that has no COMPOSITE form (CRC64NVME), ErrBadLength for a part
// checksum of the wrong size, and an error for zero parts.
func Composite(alg s3.ChecksumAlgorithm, partSums [][]byte) (string, error) {
	if err := CheckTypeAllowed(alg, s3.ChecksumTypeComposite); err != nil {
		return "", fmt.Errorf("composite checksum: %w", err)
	}
	if len(partSums) == 0 {
		return "", fmt.Errorf("composite checksum %s: no parts", alg)
	}
	h, _ := New(alg) // CheckTypeAllowed accepted alg, so New knows it
	for i, sum := range partSums {
		if len(sum) != Size(alg) {
			return "", fmt.Errorf("composite checksum %s: part %d has %d bytes, want %d: %w", alg, i+1, len(sum), Size(alg), ErrBadLength)
		}
		h.Write(sum)
	}
	return Encode(h.Sum(nil)) + "-" + strconv.Itoa(len(partSums)), nil
}

// MultipartETag returns the ETag of a completed multipart upload, without
// quotes: hex(MD5(md5_1‖…‖md5_N)) + "-N" from the parts' binary MD5s.
func MultipartETag(partMD5s [][]byte) string {
	h := md5.New()
	for _, sum := range partMD5s {
		h.Write(sum)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(partMD5s))
}

// DefaultType is the checksum type a multipart upload gets when
// CreateMultipartUpload names alg without x-amz-checksum-type: FULL_OBJECT for
// CRC64NVME (and CRC64ECMA), which have no composite form, COMPOSITE for the
// others, and "" for an unknown algorithm.
func DefaultType(alg s3.ChecksumAlgorithm) s3.ChecksumType {
	switch alg {
	case s3.ChecksumCRC64NVME, CRC64ECMA:
		return s3.ChecksumTypeFullObject
	case s3.ChecksumCRC32, s3.ChecksumCRC32C, s3.ChecksumSHA1, s3.ChecksumSHA256,
		s3.ChecksumSHA512, s3.ChecksumMD5, s3.ChecksumXXHASH64, s3.ChecksumXXHASH3, s3.ChecksumXXHASH128:
		return s3.ChecksumTypeComposite
	}
	return ""
}

// CheckTypeAllowed reports whether a multipart upload may use alg with typ:
// CRC32 and CRC32C allow COMPOSITE and FULL_OBJECT, CRC64NVME (and CRC64ECMA)
// only FULL_OBJECT, SHA1 and SHA256 only COMPOSITE. An empty typ stands for
// DefaultType(alg) and is allowed for every known algorithm.
//
// Errors are *s3.Error with code InvalidRequest and AWS's wording, such as
// "The FULL_OBJECT checksum type cannot be used with the sha1 checksum
// algorithm.".
func CheckTypeAllowed(alg s3.ChecksumAlgorithm, typ s3.ChecksumType) error {
	def := DefaultType(alg)
	if def == "" {
		return unsupportedAlgorithm()
	}
	switch typ {
	case "", def:
		return nil
	case s3.ChecksumTypeComposite, s3.ChecksumTypeFullObject:
		if alg == s3.ChecksumCRC32 || alg == s3.ChecksumCRC32C {
			return nil
		}
		return s3.Errorf(s3.ErrInvalidRequest, "The %s checksum type cannot be used with the %s checksum algorithm.",
			typ, strings.ToLower(string(alg)))
	}
	return s3.Errorf(s3.ErrInvalidRequest, "Value for x-amz-checksum-type header is invalid.")
}

// UnsupportedAlgorithm is AWS's answer to an unknown checksum algorithm,
// listing the algorithms Cairn supports.
func UnsupportedAlgorithm() *s3.Error { return unsupportedAlgorithm() }

func unsupportedAlgorithm() *s3.Error {
	names := make([]string, 0, len(s3.ChecksumAlgorithms()))
	for _, a := range s3.ChecksumAlgorithms() {
		names = append(names, string(a))
	}
	return s3.Errorf(s3.ErrInvalidRequest,
		"Checksum algorithm provided is unsupported. Please try again with any of the valid types: [%s]",
		strings.Join(names, ", "))
}
