package s3

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrorCode is an S3 error code such as "NoSuchKey". An ErrorCode is itself
// an error, so a layer can return s3.ErrNoSuchKey directly; use Errorf or
// (*Error).With to add a message or extra XML fields.
type ErrorCode string

// The error codes Cairn answers with. The status and default message of each
// are in the table in errorInfo.
const (
	ErrAccessDenied                      ErrorCode = "AccessDenied"
	ErrAuthorizationHeaderMalformed      ErrorCode = "AuthorizationHeaderMalformed"
	ErrAuthorizationQueryParametersError ErrorCode = "AuthorizationQueryParametersError"
	ErrBadDigest                         ErrorCode = "BadDigest"
	ErrBucketAlreadyExists               ErrorCode = "BucketAlreadyExists"
	ErrBucketAlreadyOwnedByYou           ErrorCode = "BucketAlreadyOwnedByYou"
	ErrBucketNotEmpty                    ErrorCode = "BucketNotEmpty"
	ErrConditionalRequestConflict        ErrorCode = "ConditionalRequestConflict"
	ErrEntityTooLarge                    ErrorCode = "EntityTooLarge"
	ErrEntityTooSmall                    ErrorCode = "EntityTooSmall"
	ErrExpiredToken                      ErrorCode = "ExpiredToken"
	ErrIncompleteBody                    ErrorCode = "IncompleteBody"
	ErrInternalError                     ErrorCode = "InternalError"
	ErrInvalidAccessKeyID                ErrorCode = "InvalidAccessKeyId"
	ErrInvalidArgument                   ErrorCode = "InvalidArgument"
	ErrInvalidBucketName                 ErrorCode = "InvalidBucketName"
	ErrInvalidBucketState                ErrorCode = "InvalidBucketState"
	ErrInvalidDigest                     ErrorCode = "InvalidDigest"
	ErrInvalidLocationConstraint         ErrorCode = "InvalidLocationConstraint"
	ErrInvalidPart                       ErrorCode = "InvalidPart"
	ErrInvalidPartNumber                 ErrorCode = "InvalidPartNumber"
	ErrInvalidPartOrder                  ErrorCode = "InvalidPartOrder"
	ErrInvalidRange                      ErrorCode = "InvalidRange"
	ErrInvalidRequest                    ErrorCode = "InvalidRequest"
	ErrInvalidStorageClass               ErrorCode = "InvalidStorageClass"
	ErrInvalidTag                        ErrorCode = "InvalidTag"
	ErrInvalidURI                        ErrorCode = "InvalidURI"
	ErrKeyTooLong                        ErrorCode = "KeyTooLongError"
	ErrMalformedXML                      ErrorCode = "MalformedXML"
	ErrMalformedTrailer                  ErrorCode = "MalformedTrailerError"
	ErrMetadataTooLarge                  ErrorCode = "MetadataTooLarge"
	ErrMethodNotAllowed                  ErrorCode = "MethodNotAllowed"
	ErrMissingContentLength              ErrorCode = "MissingContentLength"
	ErrMissingRequestBody                ErrorCode = "MissingRequestBodyError"
	ErrMissingSecurityHeader             ErrorCode = "MissingSecurityHeader"
	ErrNoSuchBucket                      ErrorCode = "NoSuchBucket"
	ErrNoSuchKey                         ErrorCode = "NoSuchKey"
	ErrNoSuchLifecycleConfiguration      ErrorCode = "NoSuchLifecycleConfiguration"
	ErrNoSuchUpload                      ErrorCode = "NoSuchUpload"
	ErrNotImplemented                    ErrorCode = "NotImplemented"
	ErrNotModified                       ErrorCode = "NotModified"
	ErrPreconditionFailed                ErrorCode = "PreconditionFailed"
	ErrRequestTimeTooSkewed              ErrorCode = "RequestTimeTooSkewed"
	ErrRequestTimeout                    ErrorCode = "RequestTimeout"
	ErrServiceUnavailable                ErrorCode = "ServiceUnavailable"
	ErrSignatureDoesNotMatch             ErrorCode = "SignatureDoesNotMatch"
	ErrSlowDown                          ErrorCode = "SlowDown"
	ErrTooManyBuckets                    ErrorCode = "TooManyBuckets"
	ErrUnexpectedContent                 ErrorCode = "UnexpectedContent"
	ErrXAmzContentSHA256Mismatch         ErrorCode = "XAmzContentSHA256Mismatch"
)

type errorInfo struct {
	status  int
	message string
}

// errorTable maps each code to its HTTP status and AWS's default message. It
// is read-only after construction.
func errorTable(c ErrorCode) (errorInfo, bool) {
	switch c {
	case ErrAccessDenied:
		return errorInfo{http.StatusForbidden, "Access Denied"}, true
	case ErrAuthorizationHeaderMalformed:
		return errorInfo{http.StatusBadRequest, "The authorization header is malformed."}, true
	case ErrAuthorizationQueryParametersError:
		return errorInfo{http.StatusBadRequest, "Error parsing the X-Amz-Credential parameter."}, true
	case ErrBadDigest:
		return errorInfo{http.StatusBadRequest, "The Content-MD5 you specified did not match what we received."}, true
	case ErrBucketAlreadyExists:
		return errorInfo{http.StatusConflict, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."}, true
	case ErrBucketAlreadyOwnedByYou:
		return errorInfo{http.StatusConflict, "Your previous request to create the named bucket succeeded and you already own it."}, true
	case ErrBucketNotEmpty:
		return errorInfo{http.StatusConflict, "The bucket you tried to delete is not empty"}, true
	case ErrConditionalRequestConflict:
		return errorInfo{http.StatusConflict, "The conditional request cannot succeed due to a conflicting operation against this resource."}, true
	case ErrEntityTooLarge:
		return errorInfo{http.StatusBadRequest, "Your proposed upload exceeds the maximum allowed size"}, true
	case ErrEntityTooSmall:
		return errorInfo{http.StatusBadRequest, "Your proposed upload is smaller than the minimum allowed object size."}, true
	case ErrExpiredToken:
		return errorInfo{http.StatusBadRequest, "The provided token has expired."}, true
	case ErrIncompleteBody:
		return errorInfo{http.StatusBadRequest, "You did not provide the number of bytes specified by the Content-Length HTTP header"}, true
	case ErrInternalError:
		return errorInfo{http.StatusInternalServerError, "We encountered an internal error. Please try again."}, true
	case ErrInvalidAccessKeyID:
		return errorInfo{http.StatusForbidden, "The AWS Access Key Id you provided does not exist in our records."}, true
	case ErrInvalidArgument:
		return errorInfo{http.StatusBadRequest, "Invalid Argument"}, true
	case ErrInvalidBucketName:
		return errorInfo{http.StatusBadRequest, "The specified bucket is not valid."}, true
	case ErrInvalidBucketState:
		return errorInfo{http.StatusConflict, "The request is not valid with the current state of the bucket."}, true
	case ErrInvalidDigest:
		return errorInfo{http.StatusBadRequest, "The Content-MD5 you specified is not valid."}, true
	case ErrInvalidLocationConstraint:
		return errorInfo{http.StatusBadRequest, "The specified location-constraint is not valid"}, true
	case ErrInvalidPart:
		return errorInfo{http.StatusBadRequest, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."}, true
	case ErrInvalidPartNumber:
		return errorInfo{http.StatusRequestedRangeNotSatisfiable, "The requested partnumber is not satisfiable"}, true
	case ErrInvalidPartOrder:
		return errorInfo{http.StatusBadRequest, "The list of parts was not in ascending order. Parts must be ordered by part number."}, true
	case ErrInvalidRange:
		return errorInfo{http.StatusRequestedRangeNotSatisfiable, "The requested range is not satisfiable"}, true
	case ErrInvalidRequest:
		return errorInfo{http.StatusBadRequest, "Invalid Request"}, true
	case ErrInvalidStorageClass:
		return errorInfo{http.StatusBadRequest, "The storage class you specified is not valid"}, true
	case ErrInvalidTag:
		return errorInfo{http.StatusBadRequest, "The tag provided was not a valid tag."}, true
	case ErrInvalidURI:
		return errorInfo{http.StatusBadRequest, "Couldn't parse the specified URI."}, true
	case ErrKeyTooLong:
		return errorInfo{http.StatusBadRequest, "Your key is too long"}, true
	case ErrMalformedXML:
		return errorInfo{http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema"}, true
	case ErrMalformedTrailer:
		return errorInfo{http.StatusBadRequest, "The request contained trailing data that was not well-formed or did not conform to our published schema."}, true
	case ErrMetadataTooLarge:
		return errorInfo{http.StatusBadRequest, "Your metadata headers exceed the maximum allowed metadata size"}, true
	case ErrMethodNotAllowed:
		return errorInfo{http.StatusMethodNotAllowed, "The specified method is not allowed against this resource."}, true
	case ErrMissingContentLength:
		return errorInfo{http.StatusLengthRequired, "You must provide the Content-Length HTTP header."}, true
	case ErrMissingRequestBody:
		return errorInfo{http.StatusBadRequest, "Request Body is empty"}, true
	case ErrMissingSecurityHeader:
		return errorInfo{http.StatusBadRequest, "Your request is missing a required header"}, true
	case ErrNoSuchBucket:
		return errorInfo{http.StatusNotFound, "The specified bucket does not exist"}, true
	case ErrNoSuchKey:
		return errorInfo{http.StatusNotFound, "The specified key does not exist."}, true
	case ErrNoSuchLifecycleConfiguration:
		return errorInfo{http.StatusNotFound, "The lifecycle configuration does not exist"}, true
	case ErrNoSuchUpload:
		return errorInfo{http.StatusNotFound, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."}, true
	case ErrNotImplemented:
		return errorInfo{http.StatusNotImplemented, "A header you provided implies functionality that is not implemented"}, true
	case ErrNotModified:
		return errorInfo{http.StatusNotModified, "Not Modified"}, true
	case ErrPreconditionFailed:
		return errorInfo{http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold"}, true
	case ErrRequestTimeTooSkewed:
		return errorInfo{http.StatusForbidden, "The difference between the request time and the current time is too large."}, true
	case ErrRequestTimeout:
		return errorInfo{http.StatusBadRequest, "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."}, true
	case ErrServiceUnavailable:
		return errorInfo{http.StatusServiceUnavailable, "Please reduce your request rate."}, true
	case ErrSignatureDoesNotMatch:
		return errorInfo{http.StatusForbidden, "The request signature we calculated does not match the signature you provided. Check your key and signing method."}, true
	case ErrSlowDown:
		return errorInfo{http.StatusServiceUnavailable, "Please reduce your request rate."}, true
	case ErrTooManyBuckets:
		return errorInfo{http.StatusBadRequest, "You have attempted to create more buckets than allowed"}, true
	case ErrUnexpectedContent:
		return errorInfo{http.StatusBadRequest, "This request does not support content"}, true
	case ErrXAmzContentSHA256Mismatch:
		return errorInfo{http.StatusBadRequest, "The provided 'x-amz-content-sha256' header does not match what was computed."}, true
	}
	return errorInfo{}, false
}

// Error implements error.
func (c ErrorCode) Error() string { return string(c) }

// Status is the HTTP status S3 answers with for this code; 500 for a code
// Cairn does not know, which is a bug.
func (c ErrorCode) Status() int {
	if info, ok := errorTable(c); ok {
		return info.status
	}
	return http.StatusInternalServerError
}

// Message is AWS's default message for this code.
func (c ErrorCode) Message() string {
	if info, ok := errorTable(c); ok {
		return info.message
	}
	return string(c)
}

// Known reports whether c is a code in Cairn's table.
func (c ErrorCode) Known() bool {
	_, ok := errorTable(c)
	return ok
}

// Field is an extra element in an error document, such as <ProposedSize> in
// EntityTooSmall or <UploadId> in InvalidPart. Fields are rendered in order.
type Field struct {
	Name  string
	Value string
}

// Error is a client-facing S3 error: a code, a message and extra fields for
// the XML error document. The zero Message means the code's default.
type Error struct {
	Code    ErrorCode
	Message string
	Fields  []Field
	// Header holds response headers that go with the error, such as
	// x-amz-mp-parts-count or Last-Modified on a 304.
	Header map[string]string
}

// Errorf returns an *Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// With returns an *Error for code carrying the given extra fields, given as
// name, value pairs.
func (c ErrorCode) With(nameValues ...string) *Error {
	e := &Error{Code: c}
	return e.With(nameValues...)
}

// With returns a copy of e with the extra fields appended, given as name,
// value pairs.
func (e *Error) With(nameValues ...string) *Error {
	cp := *e
	cp.Fields = append([]Field(nil), e.Fields...)
	for i := 0; i+1 < len(nameValues); i += 2 {
		cp.Fields = append(cp.Fields, Field{Name: nameValues[i], Value: nameValues[i+1]})
	}
	return &cp
}

// Error implements error.
func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return string(e.Code) + ": " + e.Message
}

// Is lets errors.Is(err, s3.ErrNoSuchKey) match an *Error of that code.
func (e *Error) Is(target error) bool {
	c, ok := target.(ErrorCode)
	return ok && c == e.Code
}

// Status is the HTTP status of the error's code.
func (e *Error) Status() int { return e.Code.Status() }

// Text is the message to send: the explicit one or the code's default.
func (e *Error) Text() string {
	if e.Message != "" {
		return e.Message
	}
	return e.Code.Message()
}

// AsError finds the S3 error in err's chain. It reports false when err carries
// no S3 error, which the HTTP layer answers as InternalError.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	var c ErrorCode
	if errors.As(err, &c) {
		return &Error{Code: c}, true
	}
	return nil, false
}
