package cosauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// Credentials resolves access keys (COS calls them SecretIds) to their secrets.
type Credentials interface {
	// SecretKey returns the secret key of accessKey. It MUST return an error
	// wrapping ErrUnknownAccessKey for a key it does not know; any other
	// error is reported to the caller as an internal failure, not a client one.
	SecretKey(ctx context.Context, accessKey string) (string, error)
}

// ErrUnknownAccessKey is what Credentials.SecretKey wraps for an access key
// that does not exist.
var ErrUnknownAccessKey = errors.New("cosauth: unknown access key")

// DefaultMaxSkew is how far in the future a signature's validity may start,
// to allow for a client clock running ahead of the server's.
const DefaultMaxSkew = 15 * time.Minute

// Verifier checks COS signatures. Its zero value is not usable: Credentials
// must be set. A Verifier is safe for concurrent use.
//
// Signing keys are not cached: the SDK derives each key from a q-key-time
// that starts at the signing second, so nearly every request has a new one,
// and the derivation is a single HMAC-SHA1.
type Verifier struct {
	// Credentials resolves access keys; required.
	Credentials Credentials
	// Now is the server clock; nil means time.Now.
	Now func() time.Time
	// MaxSkew is how far the start of a signature's validity may lie ahead
	// of Now; 0 means DefaultMaxSkew.
	MaxSkew time.Duration
}

// Verify authenticates r, signed in its Authorization header or as a
// presigned URL, and returns the access key it was signed with. It reads no
// body bytes: the scheme does not sign the payload. r.Context() bounds the
// credential lookup. Errors caused by the client are *s3.Error values; a
// failing Credentials lookup is returned wrapped, for the caller to answer
// as an internal error.
//
// Beyond the signature itself, Verify requires that the signature cover the
// host, every x-cos-* header and every query parameter of the request: the
// bucket is only in the Host, and an unsigned parameter or x-cos-* header
// could change what the request does (a version, an upload, a copy source).
func (v *Verifier) Verify(r *http.Request) (accessKey string, err error) {
	authz := headerGet(r.Header, "Authorization")
	form := queryForm(r.URL.RawQuery)
	switch {
	case authz != "" && form != formNone:
		return "", s3.Errorf(s3.ErrInvalidArgument, "Only one auth mechanism allowed; only the q-sign-algorithm query parameters, the sign query parameter or the Authorization header should be specified").
			With("ArgumentName", "Authorization", "ArgumentValue", authz)
	case authz != "":
		if !strings.HasPrefix(authz, authorizationPrefix) {
			return "", s3.Errorf(s3.ErrInvalidArgument, "Unsupported Authorization Type").
				With("ArgumentName", "Authorization", "ArgumentValue", authz)
		}
		a, err := parseAuthorization(authz, headerFlavour())
		if err != nil {
			return "", err
		}
		return v.verify(r, a, r.URL.Query(), false)
	case form == formQuery:
		q := r.URL.Query()
		a, err := parseQueryFields(q)
		if err != nil {
			return "", err
		}
		for _, name := range fieldNames() {
			delete(q, name)
		}
		return v.verify(r, a, q, true)
	case form == formMerged:
		q := r.URL.Query()
		signs := q[paramMerged]
		if len(signs) != 1 {
			return "", queryFlavour().errorf("the %s parameter must appear exactly once.", paramMerged)
		}
		a, err := parseAuthorization(signs[0], queryFlavour())
		if err != nil {
			return "", err
		}
		delete(q, paramMerged)
		return v.verify(r, a, q, true)
	}
	return "", s3.Errorf(s3.ErrAccessDenied, "COS authentication requires a q-sign-algorithm Authorization header or query parameters")
}

// Is reports whether r carries a COS signature: an Authorization header
// starting with "q-sign-algorithm=", a q-sign-algorithm query parameter, or
// a sign query parameter holding a merged COS signature. It decodes nothing
// and allocates nothing.
func Is(r *http.Request) bool {
	if strings.HasPrefix(headerGet(r.Header, "Authorization"), authorizationPrefix) {
		return true
	}
	return r.URL != nil && queryForm(r.URL.RawQuery) != formNone
}

// verify checks a parsed signature against the request; q is the decoded
// query without the authentication parameters.
func (v *Verifier) verify(r *http.Request, a authorization, q url.Values, presigned bool) (string, error) {
	if err := checkValidity(a, v.now(), v.maxSkew(), presigned); err != nil {
		return "", err
	}
	secret, err := v.lookupSecret(r.Context(), a.accessKey)
	if err != nil {
		return "", err
	}
	headerNames := listNames(a.headerList)
	if err := checkCOSHeadersSigned(r.Header, headerNames); err != nil {
		return "", err
	}
	params, err := formatParameters(q, listNames(a.paramList))
	if err != nil {
		return "", err
	}
	fs := formatString(r.Method, r.URL.Path, params, formatHeaders(r, headerNames))
	key := signKey(secret, a.keyTime)
	sts := stringToSign(a.signTime, fs)
	if signatureMatches(a.signature, signature(key, sts)) {
		return a.accessKey, nil
	}
	// Tencent's documentation puts q-sign-time into the string to sign, the
	// SDK q-key-time; they differ only when a caller gives the SDK an
	// AuthTime with distinct periods. Accepting both is safe because
	// checkValidity enforces both periods, so neither can widen the other.
	if a.keyTime != a.signTime && signatureMatches(a.signature, signature(key, stringToSign(a.keyTime, fs))) {
		return a.accessKey, nil
	}
	return "", signatureMismatch(a.accessKey, sts, a.signature, fs)
}

// lookupSecret resolves accessKey, mapping an unknown key to InvalidAccessKeyId.
func (v *Verifier) lookupSecret(ctx context.Context, accessKey string) (string, error) {
	if v.Credentials == nil {
		return "", errors.New("cosauth: Verifier.Credentials is nil")
	}
	secret, err := v.Credentials.SecretKey(ctx, accessKey)
	if errors.Is(err, ErrUnknownAccessKey) {
		return "", s3.ErrInvalidAccessKeyID.With("AWSAccessKeyId", accessKey)
	}
	if err != nil {
		return "", fmt.Errorf("cosauth: look up access key %q: %w", accessKey, err)
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

// headerGet is h.Get for a name already in canonical form, skipping the
// re-canonicalisation.
func headerGet(h http.Header, canonicalName string) string {
	if v := h[canonicalName]; len(v) > 0 {
		return v[0]
	}
	return ""
}
