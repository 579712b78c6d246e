package bceauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
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
var ErrUnknownAccessKey = errors.New("bceauth: unknown access key")

// DefaultMaxSkew is how far in the future a request's timestamp may be.
const DefaultMaxSkew = 15 * time.Minute

// Verifier checks bce-auth-v1 signatures of BOS requests. Its zero value is
// not usable: Credentials must be set. A Verifier is safe for concurrent use.
type Verifier struct {
	// Credentials resolves access keys; required.
	Credentials Credentials
	// Now is the server clock; nil means time.Now.
	Now func() time.Time
	// MaxSkew is how far the auth string's timestamp may be ahead of Now (a
	// client clock running fast); 0 means DefaultMaxSkew. The other bound is
	// timestamp + expirationPeriodInSeconds, without slack.
	MaxSkew time.Duration
	// AllowNeverExpiring accepts presigned URLs whose
	// expirationPeriodInSeconds is -1, which bce-sdk-go documents as "never
	// expires". Off by default: such a URL stays a bearer credential until its
	// access key is deleted. The header form never accepts -1.
	AllowNeverExpiring bool
}

// Is reports whether r carries a bce-auth-v1 signature: an Authorization
// header starting with "bce-auth-v1/", or an authorization query parameter
// (any case) whose value does. It allocates nothing, for dialect detection.
func Is(r *http.Request) bool {
	if v := r.Header["Authorization"]; len(v) > 0 && strings.HasPrefix(v[0], authPrefix) {
		return true
	}
	if r.URL == nil {
		return false
	}
	for rest := r.URL.RawQuery; rest != ""; {
		var param string
		param, rest, _ = strings.Cut(rest, "&")
		key, value, _ := strings.Cut(param, "=")
		if !strings.EqualFold(key, "authorization") {
			continue
		}
		if v, ok := strings.CutPrefix(value, authVersion); ok &&
			(strings.HasPrefix(v, "/") || strings.HasPrefix(v, "%2F") || strings.HasPrefix(v, "%2f")) {
			return true
		}
	}
	return false
}

// Verify authenticates r, signed in its Authorization header or by a
// presigned authorization query parameter, and returns the access key. It
// reads no body bytes (the payload is not signed); r.Context() bounds the
// credential lookup. Client-caused failures are *s3.Error values carrying a
// FieldBceCode field; a failing Credentials lookup is returned wrapped, for
// the caller to answer as an internal error.
func (v *Verifier) Verify(r *http.Request) (accessKey string, err error) {
	headers := r.Header["Authorization"]
	var queryValues []string
	if r.URL != nil {
		queryValues = authorizationParams(r.URL.RawQuery)
	}
	var raw string
	var f form
	switch {
	case len(headers) > 0 && len(queryValues) > 0:
		return "", withCode(s3.Errorf(s3.ErrInvalidArgument, "Only one auth mechanism allowed; only the authorization query parameter or the Authorization header should be specified").
			With("ArgumentName", "Authorization"), CodeInvalidHTTPAuthHeader)
	case len(headers) > 1:
		return "", headerForm.malformed("the request has %d Authorization headers.", len(headers))
	case len(queryValues) > 1:
		return "", queryForm.malformed("the request has %d authorization parameters.", len(queryValues))
	case len(headers) == 1:
		raw, f = headers[0], headerForm
	case len(queryValues) == 1:
		raw, f = queryValues[0], queryForm
	default:
		return "", accessDenied("The request carries no bce-auth-v1 authorization")
	}
	a, err := parseAuthString(raw, f)
	if err != nil {
		return "", err
	}
	if err := v.checkTime(a, f); err != nil {
		return "", err
	}
	secret, err := v.lookupSecret(r.Context(), a.accessKey)
	if err != nil {
		return "", err
	}
	if missing := unsignedBceHeaders(r.Header, a.signedHeaders); len(missing) > 0 {
		return "", accessDenied("There were headers present in the request which were not signed").
			With("HeadersNotSigned", strings.Join(missing, ", "))
	}
	canonical := canonicalRequest(r, a.signedHeaders)
	if !hmac.Equal(a.signature[:], sign(secret, a.prefix, canonical)) {
		return "", signatureMismatch(a, canonical)
	}
	return a.accessKey, nil
}

// checkTime enforces the validity window [timestamp - MaxSkew,
// timestamp + expiration].
func (v *Verifier) checkTime(a *authString, f form) error {
	now := v.now()
	if a.expiration == neverExpires {
		if f == headerForm || !v.AllowNeverExpiring {
			return accessDenied("Signatures that never expire (expirationPeriodInSeconds -1) are not accepted").
				With("ExpirationPeriodInSeconds", a.rawExpiration)
		}
	} else if now.After(a.expiry()) {
		return expired(a, now)
	}
	if maxSkew := v.maxSkew(); a.timestamp.Sub(now) > maxSkew {
		return f.notYetValid(a, now, maxSkew)
	}
	return nil
}

// sign computes the signature: HMAC-SHA256 of the canonical request, keyed
// with the hex signing key HMAC-SHA256(secret, auth string prefix). The key
// changes with every timestamp, so it is not worth caching.
func sign(secret, prefix, canonical string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(prefix))
	signingKey := hex.AppendEncode(nil, mac.Sum(nil))
	mac = hmac.New(sha256.New, signingKey)
	mac.Write([]byte(canonical))
	return mac.Sum(nil)
}

// authorizationParams returns the decoded values of the query's
// authorization parameters (any case).
func authorizationParams(rawQuery string) []string {
	var values []string
	for rest := rawQuery; rest != ""; {
		var param string
		param, rest, _ = strings.Cut(rest, "&")
		key, value, _ := strings.Cut(param, "=")
		if isAuthorizationParam(queryUnescape(key)) {
			values = append(values, queryUnescape(value))
		}
	}
	return values
}

// lookupSecret resolves accessKey, mapping an unknown key to InvalidAccessKeyId.
func (v *Verifier) lookupSecret(ctx context.Context, accessKey string) (string, error) {
	if v.Credentials == nil {
		return "", errors.New("bceauth: Verifier.Credentials is nil")
	}
	secret, err := v.Credentials.SecretKey(ctx, accessKey)
	if errors.Is(err, ErrUnknownAccessKey) {
		return "", unknownAccessKey(accessKey)
	}
	if err != nil {
		return "", fmt.Errorf("bceauth: look up access key %q: %w", accessKey, err)
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
