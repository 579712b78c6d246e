package cosauth

import (
	"github.com/cairn-s3/cairn/internal/s3"
)

// flavour is how a malformed signature is reported: the header and the
// query forms differ in code and message prefix only.
type flavour struct {
	code   s3.ErrorCode
	prefix string
}

func headerFlavour() flavour {
	return flavour{s3.ErrAuthorizationHeaderMalformed, "The authorization header is malformed; "}
}

func queryFlavour() flavour {
	return flavour{s3.ErrAuthorizationQueryParametersError, "The authorization query parameters are malformed; "}
}

func (f flavour) errorf(format string, args ...any) *s3.Error {
	return s3.Errorf(f.code, f.prefix+format, args...)
}

// signatureMismatch is SignatureDoesNotMatch with the strings the server
// built, so that a client can compare them with its own.
func signatureMismatch(accessKey, stringToSign, provided, formatString string) *s3.Error {
	return s3.ErrSignatureDoesNotMatch.With(
		"AWSAccessKeyId", accessKey,
		"StringToSign", stringToSign,
		"SignatureProvided", provided,
		"FormatString", formatString,
	)
}
