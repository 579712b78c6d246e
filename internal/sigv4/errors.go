package sigv4

import (
	"strings"

	"github.com/cairn-s3/cairn/internal/s3"
)

// signatureMismatch is SignatureDoesNotMatch with the diagnostics AWS adds,
// so that a client can see which canonical request the server built.
func signatureMismatch(accessKey, stringToSign, provided, canonical string) *s3.Error {
	return s3.ErrSignatureDoesNotMatch.With(
		"AWSAccessKeyId", accessKey,
		"StringToSign", stringToSign,
		"SignatureProvided", provided,
		"StringToSignBytes", spacedHex(stringToSign),
		"CanonicalRequest", canonical,
		"CanonicalRequestBytes", spacedHex(canonical),
	)
}

// chainMismatch is SignatureDoesNotMatch for a chunk or trailer signature,
// which has a string to sign but no canonical request.
func chainMismatch(accessKey, stringToSign, provided string) *s3.Error {
	return s3.ErrSignatureDoesNotMatch.With(
		"AWSAccessKeyId", accessKey,
		"StringToSign", stringToSign,
		"SignatureProvided", provided,
		"StringToSignBytes", spacedHex(stringToSign),
	)
}

// spacedHex renders bytes as AWS does in error documents: "41 57 53 34".
func spacedHex(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(3 * len(s))
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte("0123456789abcdef"[s[i]>>4])
		b.WriteByte("0123456789abcdef"[s[i]&0xF])
	}
	return b.String()
}

func errMissingQueryParams() *s3.Error {
	return s3.Errorf(s3.ErrAuthorizationQueryParametersError, "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
}
