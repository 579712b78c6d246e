// Package bceauth verifies Baidu BOS requests signed with BCE authentication
// version 1 ("bce-auth-v1"), on the server side: the Authorization header
// that the bce-sdk-go signer (auth.BceV1Signer) writes, and the presigned
// form that carries the same string in an "authorization" query parameter
// (bos.Client.GeneratePresignedUrl).
//
// The auth string is
//
//	bce-auth-v1/{accessKeyId}/{timestamp}/{expirationPeriodInSeconds}/{signedHeaders}/{signature}
//
// and the signature is hex(HMAC-SHA256(signingKey, canonicalRequest)), where
// signingKey is the hex HMAC-SHA256 of the first four fields under the
// secret key, and the canonical request is
//
//	METHOD \n /UriEncode(decoded path) \n sorted UriEncode(k)=UriEncode(v) \n sorted UriEncode(name):UriEncode(trimmed value)
//
// with no trailing newline. An empty signedHeaders list selects BCE's
// documented default set (host, content-length, content-type, content-md5 and
// every x-bce-* header); a non-empty one must include host. The path is the
// decoded r.URL.Path re-encoded, so the HTTP layer must route BOS requests
// on r.URL.Path too. The payload is not signed: the HTTP layer streams the
// body as is.
//
// Validity: from timestamp-MaxSkew to timestamp+expirationPeriodInSeconds.
// An expiration of -1 ("never expires" in bce-sdk-go's GeneratePresignedUrl)
// is accepted only for presigned URLs and only with AllowNeverExpiring. Any
// x-bce-* header with a value that a non-empty signedHeaders list leaves out
// (x-bce-request-id excepted) is refused, as sigv4 refuses unsigned x-amz-*.
//
// Errors: every client-caused failure is an *s3.Error with the S3 code that
// describes it, plus a field named FieldBceCode holding the code a BOS client
// expects in the "code" member of the JSON error body, which the BOS dialect
// renders instead:
//
//	S3 code                                         FieldBceCode
//	SignatureDoesNotMatch                           SignatureDoesNotMatch
//	InvalidAccessKeyId                              InvalidAccessKeyId
//	AccessDenied "Request has expired"              RequestExpired
//	AccessDenied "Request is not valid yet" (query) RequestExpired
//	RequestTimeTooSkewed (header, timestamp ahead)  RequestExpired
//	AuthorizationHeaderMalformed                    InvalidHTTPAuthHeader
//	AuthorizationQueryParametersError               InvalidHTTPAuthHeader
//	InvalidArgument (header and query both signed)  InvalidHTTPAuthHeader
//	AccessDenied (unsigned x-bce-*, no auth, -1)    AccessDenied
//
// A failing credential store is returned as a wrapped ordinary error.
//
// The package imports only the standard library and internal/s3.
package bceauth
