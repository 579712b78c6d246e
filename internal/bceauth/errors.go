package bceauth

import (
	"fmt"
	"strconv"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// FieldBceCode names the *s3.Error field that every error of this package
// carries: the code a BOS client expects in the "code" member of the JSON
// error body. The BOS dialect renders it in place of the S3 code (which stays
// the portable description of the failure, for logs and other dialects).
const FieldBceCode = "BceCode"

// The BCE codes this package puts in FieldBceCode, from BCE's common error
// table. Time failures share RequestExpired, which the bce-sdk-go retry
// policy also recognises.
const (
	CodeAccessDenied          = "AccessDenied"
	CodeInvalidAccessKeyID    = "InvalidAccessKeyId"
	CodeInvalidHTTPAuthHeader = "InvalidHTTPAuthHeader"
	CodeRequestExpired        = "RequestExpired"
	CodeSignatureDoesNotMatch = "SignatureDoesNotMatch"
)

// timeLayout is the ISO 8601 form of the auth string's timestamp, which is
// also how times are rendered in error fields.
const timeLayout = "2006-01-02T15:04:05Z"

// withCode returns e carrying the BCE code.
func withCode(e *s3.Error, bceCode string) *s3.Error {
	return e.With(FieldBceCode, bceCode)
}

// form says where the auth string came from; the two forms differ in the S3
// code and message prefix of a malformed auth string and of a time failure.
type form int

const (
	headerForm form = iota
	queryForm
)

// malformed is the error for an auth string that does not parse.
func (f form) malformed(format string, args ...any) *s3.Error {
	if f == queryForm {
		return withCode(s3.Errorf(s3.ErrAuthorizationQueryParametersError,
			"Error parsing the authorization query parameter; "+format, args...), CodeInvalidHTTPAuthHeader)
	}
	return withCode(s3.Errorf(s3.ErrAuthorizationHeaderMalformed,
		"The authorization header is malformed; "+format, args...), CodeInvalidHTTPAuthHeader)
}

// notYetValid is the error for a timestamp too far in the future: S3 answers
// a header-signed request with RequestTimeTooSkewed and a presigned one with
// AccessDenied.
func (f form) notYetValid(a *authString, now time.Time, maxSkew time.Duration) *s3.Error {
	var e *s3.Error
	if f == queryForm {
		e = s3.Errorf(s3.ErrAccessDenied, "Request is not valid yet")
	} else {
		e = s3.ErrRequestTimeTooSkewed.With("RequestTime", a.rawTimestamp)
	}
	return withCode(e.With(
		"ServerTime", now.UTC().Format(timeLayout),
		"MaxAllowedSkewMilliseconds", strconv.FormatInt(maxSkew.Milliseconds(), 10),
	), CodeRequestExpired)
}

// expired is the error for a request past timestamp+expiration.
func expired(a *authString, now time.Time) *s3.Error {
	return withCode(s3.Errorf(s3.ErrAccessDenied, "Request has expired").With(
		"Timestamp", a.rawTimestamp,
		"ExpirationPeriodInSeconds", a.rawExpiration,
		"Expires", a.expiry().Format(timeLayout),
		"ServerTime", now.UTC().Format(timeLayout),
	), CodeRequestExpired)
}

// signatureMismatch is SignatureDoesNotMatch with what the server signed, so
// that a client can compare it with its own canonical request.
func signatureMismatch(a *authString, canonical string) *s3.Error {
	return withCode(s3.ErrSignatureDoesNotMatch.With(
		"AccessKeyId", a.accessKey,
		"SignatureProvided", a.rawSignature,
		"AuthStringPrefix", a.prefix,
		"CanonicalRequest", canonical,
	), CodeSignatureDoesNotMatch)
}

func unknownAccessKey(accessKey string) *s3.Error {
	return withCode(s3.ErrInvalidAccessKeyID.With("AccessKeyId", accessKey), CodeInvalidAccessKeyID)
}

func accessDenied(format string, args ...any) *s3.Error {
	return withCode(s3.Errorf(s3.ErrAccessDenied, format, args...), CodeAccessDenied)
}

// quoted renders a value for an error message.
func quoted(s string) string {
	const maxShown = 64
	if len(s) > maxShown {
		s = s[:maxShown] + "..."
	}
	return fmt.Sprintf("%q", s)
}
