package s3

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

// ValidateBucketName checks S3's general-purpose bucket naming rules: 3 to 63
// characters of lower-case letters, digits, dots and hyphens; starting and
// ending with a letter or digit; no adjacent dots; not an IPv4 address; none
// of the reserved prefixes and suffixes.
func ValidateBucketName(name string) error {
	if len(name) < 3 || len(name) > 63 {
		return Errorf(ErrInvalidBucketName, "The specified bucket is not valid.")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '.' || c == '-':
			if i == 0 || i == len(name)-1 {
				return ErrInvalidBucketName
			}
			if c == '.' && (name[i-1] == '.' || name[i-1] == '-' || name[i+1] == '-') {
				return ErrInvalidBucketName
			}
		default:
			return ErrInvalidBucketName
		}
	}
	if addr, err := netip.ParseAddr(name); err == nil && addr.Is4() {
		return ErrInvalidBucketName
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return ErrInvalidBucketName
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return ErrInvalidBucketName
		}
	}
	return nil
}

// ValidateKey checks an object key: 1 to MaxKeyLength bytes of valid UTF-8
// with no NUL (PostgreSQL text cannot hold one).
func ValidateKey(key string) error {
	if len(key) > MaxKeyLength {
		return ErrKeyTooLong
	}
	if key == "" {
		return Errorf(ErrInvalidArgument, "Object key must not be empty")
	}
	if !utf8.ValidString(key) || strings.IndexByte(key, 0) >= 0 {
		return Errorf(ErrInvalidArgument, "Object key must be valid UTF-8 without NUL characters")
	}
	return nil
}
