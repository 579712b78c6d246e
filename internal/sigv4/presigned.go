package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// The query parameters of a presigned URL.
const (
	paramAlgorithm     = "X-Amz-Algorithm"
	paramCredential    = "X-Amz-Credential"
	paramDate          = "X-Amz-Date"
	paramExpires       = "X-Amz-Expires"
	paramSignedHeaders = "X-Amz-SignedHeaders"
	paramSignature     = "X-Amz-Signature"
	paramContentSHA256 = "X-Amz-Content-Sha256"
	// maxPresignedExpires is a week, the longest a presigned URL may live.
	maxPresignedExpires = 7 * 24 * 60 * 60
)

// presignedParams are the decoded authentication parameters of a presigned
// URL; the first occurrence of each counts.
type presignedParams struct {
	algorithm     string
	credential    string
	date          string
	expires       string
	signedHeaders string
	signature     string
	contentSHA256 string
	// present records which of the seven, in the order above, the URL has.
	present [7]bool
}

func parsePresignedParams(rawQuery string) presignedParams {
	var p presignedParams
	for rest := rawQuery; rest != ""; {
		var param string
		param, rest, _ = strings.Cut(rest, "&")
		rawKey, rawValue, _ := strings.Cut(param, "=")
		key := queryUnescape(rawKey)
		var slot int
		var dst *string
		switch key {
		case paramAlgorithm:
			slot, dst = 0, &p.algorithm
		case paramCredential:
			slot, dst = 1, &p.credential
		case paramDate:
			slot, dst = 2, &p.date
		case paramExpires:
			slot, dst = 3, &p.expires
		case paramSignedHeaders:
			slot, dst = 4, &p.signedHeaders
		case paramSignature:
			slot, dst = 5, &p.signature
		case paramContentSHA256:
			slot, dst = 6, &p.contentSHA256
		default:
			continue
		}
		if !p.present[slot] {
			p.present[slot] = true
			*dst = queryUnescape(rawValue)
		}
	}
	return p
}

// queryUnescape decodes a query component; a malformed escape is kept
// literally, as the canonical query also keeps it.
func queryUnescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// rawQueryHas reports whether the raw query has a parameter named key,
// without decoding anything.
func rawQueryHas(rawQuery, key string) bool {
	for rest := rawQuery; rest != ""; {
		var param string
		param, rest, _ = strings.Cut(rest, "&")
		if k, _, _ := strings.Cut(param, "="); k == key {
			return true
		}
	}
	return false
}

func queryParamsError(format string, args ...any) *s3.Error {
	return s3.Errorf(s3.ErrAuthorizationQueryParametersError, format, args...)
}

// verifyPresigned verifies a request authenticated by query parameters.
func (v *Verifier) verifyPresigned(r *http.Request) (*Result, error) {
	p := parsePresignedParams(r.URL.RawQuery)
	for _, ok := range p.present[:6] {
		if !ok {
			return nil, errMissingQueryParams()
		}
	}
	if p.algorithm != algorithmHMAC {
		return nil, queryParamsError(`X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`)
	}
	cred, err := parseCredential(p.credential, queryScopeErrors())
	if err != nil {
		return nil, err
	}
	signedAt, err := time.Parse(amzDateLayout, p.date)
	if err != nil || len(p.date) != len(amzDateLayout) {
		return nil, queryParamsError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
	}
	if p.date[:8] != cred.date {
		return nil, queryParamsError(`Invalid credential date %q. This date is not the same as X-Amz-Date: %q.`, cred.date, p.date[:8])
	}
	expires, err := strconv.ParseInt(p.expires, 10, 64)
	switch {
	case err != nil:
		return nil, queryParamsError("X-Amz-Expires should be a number")
	case expires < 0:
		return nil, queryParamsError("X-Amz-Expires must be non-negative")
	case expires == 0:
		return nil, queryParamsError("X-Amz-Expires must be greater than 0")
	case expires > maxPresignedExpires:
		return nil, queryParamsError("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	now := v.now()
	if signedAt.Sub(now) > v.maxSkew() {
		return nil, s3.Errorf(s3.ErrAccessDenied, "Request is not valid yet")
	}
	if expiry := signedAt.Add(time.Duration(expires) * time.Second); now.After(expiry) {
		return nil, s3.Errorf(s3.ErrAccessDenied, "Request has expired").With(
			"X-Amz-Expires", p.expires,
			"Expires", expiry.UTC().Format(serverTimeLayout),
			"ServerTime", now.UTC().Format(serverTimeLayout),
		)
	}
	if problem := validSignedHeaders(p.signedHeaders); problem != "" {
		return nil, queryParamsError("X-Amz-SignedHeaders is malformed; %s.", problem)
	}
	payload, err := parsePayloadHash(presignedPayloadHash(r, p))
	if err != nil {
		return nil, err
	}
	secret, err := v.lookupSecret(r.Context(), cred.accessKey)
	if err != nil {
		return nil, err
	}
	// AWS applies the all-x-amz-headers-signed rule to presigned URLs too;
	// without it the holder of a URL could add tags, an ACL or a copy source.
	// An unsigned x-amz-content-sha256 is harmless here: it is not used.
	if err := checkAmzHeadersSigned(r.Header, p.signedHeaders, "x-amz-content-sha256"); err != nil {
		return nil, err
	}
	key, seed, err := v.checkSignature(r, cred, secret, p.date, p.signedHeaders, payload.value, p.signature, true)
	if err != nil {
		return nil, err
	}
	res := &Result{AccessKey: cred.accessKey, Region: cred.region, Presigned: true}
	if err := attachBody(res, r, payload, newChunkSigner(payload, key, seed, p.date, cred)); err != nil {
		return nil, err
	}
	return res, nil
}

// presignedPayloadHash is the payload hash a presigned request was signed
// with: the X-Amz-Content-Sha256 parameter, else a signed
// x-amz-content-sha256 header (minio-go presigns that way), else
// UNSIGNED-PAYLOAD.
func presignedPayloadHash(r *http.Request, p presignedParams) string {
	if p.present[6] {
		return p.contentSHA256
	}
	if h := headerGet(r.Header, headerContentSHA256); h != "" && signedHeadersContain(p.signedHeaders, "x-amz-content-sha256") {
		return h
	}
	return unsignedPayload
}
