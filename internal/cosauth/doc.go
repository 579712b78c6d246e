// Package cosauth verifies Tencent COS request signatures
// (q-sign-algorithm=sha1) on the server side, in both forms the COS Go SDK
// (github.com/tencentyun/cos-go-sdk-v5) produces: the Authorization header
// and presigned URLs, whose query carries the same fields as separate
// q-* parameters or merged into one sign parameter.
//
// The scheme signs the method, the decoded path, the query parameters and
// the headers the client lists, with an HMAC-SHA1 key derived from the
// secret and the key's validity period; it does not sign the payload, so
// the HTTP layer reads the body as sent. Every client-caused failure is an
// *s3.Error carrying the S3 code the HTTP layer renders.
//
// The package imports only the standard library and internal/s3; secrets
// come in through the one-method Credentials interface.
package cosauth
