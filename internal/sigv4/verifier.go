package sigv4

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// Credentials resolves access keys to their secrets.
type Credentials interface {
	// SecretKey returns the secret access key of accessKey. It MUST return an
	// error wrapping ErrUnknownAccessKey for a key it does not know; any other
	// error is reported to the caller as an internal failure, not a client one.
	SecretKey(ctx context.Context, accessKey string) (string, error)
}

// ErrUnknownAccessKey is what Credentials.SecretKey wraps for an access key
// that does not exist.
var ErrUnknownAccessKey = errors.New("sigv4: unknown access key")

// DefaultMaxSkew is how far a request's date may be from the server clock,
// as AWS allows.
const DefaultMaxSkew = 15 * time.Minute

// Verifier checks SigV4 signatures of S3 requests. Its zero value is not
// usable: Credentials must be set. A Verifier is safe for concurrent use and
// must not be copied after first use.
type Verifier struct {
	// Credentials resolves access keys; required.
	Credentials Credentials
	// Now is the server clock; nil means time.Now.
	Now func() time.Time
	// MaxSkew is the largest allowed distance between the request date and
	// Now; 0 means DefaultMaxSkew.
	MaxSkew time.Duration

	keys    signingKeyCache
	scratch sync.Pool // *scratch: per-request buffers, reused to keep the hot path allocation-free
}

// Result is an authenticated request.
type Result struct {
	// Anonymous is set when the request carries no Authorization header and
	// no X-Amz-Algorithm query parameter; the other identity fields are empty.
	Anonymous bool
	// AccessKey is the access key the request was signed with.
	AccessKey string
	// Region is the region of the credential scope; any region is accepted.
	Region string
	// Presigned is set for query-string (presigned URL) authentication.
	Presigned bool
	// Body replaces r.Body: the payload as the operation must read it
	// (aws-chunked decoded), verified while it is read. A failed check
	// surfaces as a Read error wrapping an *s3.Error (XAmzContentSHA256Mismatch,
	// SignatureDoesNotMatch, IncompleteBody, MalformedTrailerError), never as
	// io.EOF, at the latest from the Read that would otherwise return io.EOF.
	Body io.ReadCloser
	// ContentLength is the decoded payload length: x-amz-decoded-content-length
	// for aws-chunked bodies, else r.ContentLength (-1 when unknown).
	ContentLength int64
	// Trailer returns the verified trailing headers of an aws-chunked body,
	// by lower-case name (e.g. "x-amz-checksum-crc32"), once Body has returned
	// io.EOF; before that, and for other bodies, it returns nil.
	Trailer func() map[string]string
	// TrailerNames lists the lower-case names announced in x-amz-trailer, so
	// that a consumer knows up front which checksum it must compute.
	TrailerNames []string
}

// Verify authenticates r and returns the verified request. It reads no body
// bytes itself; r.Context() bounds the credential lookup. Errors caused by the
// client are *s3.Error values; a failing Credentials lookup is returned
// wrapped, for the caller to answer as an internal error.
func (v *Verifier) Verify(r *http.Request) (*Result, error) {
	authz := headerGet(r.Header, "Authorization")
	presigned := rawQueryHas(r.URL.RawQuery, paramAlgorithm)
	switch {
	case authz != "" && presigned:
		return nil, s3.Errorf(s3.ErrInvalidArgument, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified").
			With("ArgumentName", "Authorization", "ArgumentValue", authz)
	case authz != "":
		return v.verifyHeaderAuth(r, authz)
	case presigned:
		return v.verifyPresigned(r)
	case rawQueryHas(r.URL.RawQuery, paramCredential) || rawQueryHas(r.URL.RawQuery, paramSignature):
		// Half a presigned URL is a broken signature, not an anonymous request.
		return nil, errMissingQueryParams()
	}
	return v.anonymous(r)
}

// anonymous answers a request without credentials. Its payload is still
// framed and checked as x-amz-content-sha256 says, so that an anonymous
// aws-chunked upload is decoded rather than stored raw.
func (v *Verifier) anonymous(r *http.Request) (*Result, error) {
	res := &Result{Anonymous: true}
	hash := headerGet(r.Header, headerContentSHA256)
	if hash == "" {
		res.Body, res.ContentLength, res.Trailer = requestBody(r), r.ContentLength, noTrailer
		return res, nil
	}
	p, err := parsePayloadHash(hash)
	if err != nil {
		return nil, err
	}
	if p.mode == payloadSignedChunks || p.mode == payloadSignedChunksTrailer {
		return nil, s3.Errorf(s3.ErrAccessDenied, "Anonymous requests cannot use a signed streaming payload")
	}
	if err := attachBody(res, r, p, nil); err != nil {
		return nil, err
	}
	return res, nil
}

// lookupSecret resolves accessKey, mapping an unknown key to InvalidAccessKeyId.
func (v *Verifier) lookupSecret(ctx context.Context, accessKey string) (string, error) {
	if v.Credentials == nil {
		return "", errors.New("sigv4: Verifier.Credentials is nil")
	}
	secret, err := v.Credentials.SecretKey(ctx, accessKey)
	if errors.Is(err, ErrUnknownAccessKey) {
		return "", s3.ErrInvalidAccessKeyID.With("AWSAccessKeyId", accessKey)
	}
	if err != nil {
		return "", fmt.Errorf("sigv4: look up access key %q: %w", accessKey, err)
	}
	return secret, nil
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return DefaultMaxSkew
}

// requestBody is r.Body, or an empty body for a request built without one.
func requestBody(r *http.Request) io.ReadCloser {
	if r.Body == nil {
		return http.NoBody
	}
	return r.Body
}

// noTrailer is Result.Trailer for bodies that cannot carry trailers.
func noTrailer() map[string]string { return nil }

// headerGet is r.Header.Get for a name already in canonical form: it skips
// re-canonicalising the name, which costs more than the lookup.
func headerGet(h http.Header, canonicalName string) string {
	if v := h[canonicalName]; len(v) > 0 {
		return v[0]
	}
	return ""
}
