package checksum

import (
	"encoding/base64"
	"strings"

	"github.com/cairn-s3/cairn/internal/s3"
)

// Encode returns raw in standard, padded base64, the form of every
// x-amz-checksum-* header and Checksum* XML element.
func Encode(raw []byte) string {
	return base64.StdEncoding.EncodeToString(raw)
}

// Decode parses a base64 checksum value of alg and checks its length. Only
// the canonical encoding is accepted: standard alphabet, padding present,
// zero padding bits and no embedded line breaks (which encoding/base64
// would otherwise skip), so that a value that decodes also compares equal,
// as text, to the checksum Cairn computes.
//
// Every failure is an *s3.Error with code InvalidRequest and AWS's message
// "Value for x-amz-checksum-<alg> header is invalid.".
func Decode(alg s3.ChecksumAlgorithm, value string) ([]byte, error) {
	size := Size(alg)
	if size == 0 || len(value) != base64.StdEncoding.EncodedLen(size) {
		return nil, invalidValue(alg)
	}
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(raw) != size || Encode(raw) != value {
		return nil, invalidValue(alg)
	}
	return raw, nil
}

// invalidValue is AWS's answer to a malformed x-amz-checksum-<alg> value.
func invalidValue(alg s3.ChecksumAlgorithm) *s3.Error {
	return s3.Errorf(s3.ErrInvalidRequest, "Value for x-amz-checksum-%s header is invalid.", strings.ToLower(string(alg)))
}
