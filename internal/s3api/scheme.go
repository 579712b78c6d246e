package s3api

import (
	"errors"
	"io"
	"net/http"

	"github.com/cairn-s3/cairn/internal/sigv4"
)

// credential is what authentication established: who signed the request,
// and the body to read, decoded and verified as the scheme requires.
type credential struct {
	anonymous     bool
	accessKey     string
	body          io.ReadCloser
	contentLength int64 // of the decoded body; -1 when unknown
	trailerNames  []string
	trailer       func() map[string]string
}

// scheme is one signature scheme: SigV4, COS's q-sign, BOS's bce-auth-v1,
// or SigV2 (which KS3's SDK sends).
type scheme interface {
	// matches reports whether the request carries this scheme's signature,
	// from the Authorization prefix or the presigned query parameters.
	matches(r *http.Request) bool
	// verify authenticates the request. Errors are S3 errors.
	verify(r *http.Request) (*credential, error)
	// implied is the dialect the scheme belongs to, or nil when the
	// request's headers decide (SigV4 and SigV2 are shared).
	implied() dialect
}

// sigv4Scheme is SigV4, and the scheme of unsigned requests: it is
// checked last and matches everything else.
type sigv4Scheme struct{ v *sigv4.Verifier }

func (sigv4Scheme) matches(*http.Request) bool { return true }
func (sigv4Scheme) implied() dialect           { return nil }

func (s sigv4Scheme) verify(r *http.Request) (*credential, error) {
	res, err := s.v.Verify(r)
	if err != nil {
		return nil, err
	}
	return &credential{
		anonymous:     res.Anonymous,
		accessKey:     res.AccessKey,
		body:          res.Body,
		contentLength: res.ContentLength,
		trailerNames:  res.TrailerNames,
		trailer:       res.Trailer,
	}, nil
}

// unsignedPayload is the credential of a scheme that does not sign the
// payload: the body is read as sent.
func unsignedPayload(r *http.Request, accessKey string) *credential {
	return &credential{accessKey: accessKey, body: r.Body, contentLength: r.ContentLength}
}

// noScheme matches no request: the placeholder of a vendor's signature
// scheme until it is implemented.
type noScheme struct{}

func (noScheme) matches(*http.Request) bool                { return false }
func (noScheme) verify(*http.Request) (*credential, error) { return nil, errNoScheme }
func (noScheme) implied() dialect                          { return nil }

var errNoScheme = errors.New("s3api: signature scheme not implemented")
