package s3api

import (
	"bytes"
	"crypto/md5"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/s3"
)

// readLimited reads a request body that must be small (an XML document),
// refusing more than limit bytes, and checks Content-MD5 when present.
func (req *request) readLimited(limit int64) ([]byte, error) {
	md5Want, err := contentMD5(req.r.Header)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(req.body(), limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, s3.ErrMalformedXML
		}
		if _, ok := s3.AsError(err); ok {
			return nil, err
		}
		return nil, s3.ErrIncompleteBody
	}
	if int64(len(body)) > limit {
		return nil, s3.Errorf(s3.ErrMalformedXML, "The XML you provided was larger than the maximum %d bytes allowed.", limit)
	}
	if md5Want != nil {
		if got := md5.Sum(body); !bytes.Equal(got[:], md5Want) {
			return nil, s3.ErrBadDigest
		}
	}
	return body, nil
}

// readSmallBody is readLimited for bodies whose x-amz-checksum-* header or
// trailer, when present, is the checksum of the body itself (every small
// body but Complete's). requireDigest makes a digest mandatory, as S3 does
// for DeleteObjects and lifecycle configurations.
func (req *request) readSmallBody(limit int64, requireDigest bool) ([]byte, error) {
	ci, err := req.checksumInput()
	if err != nil {
		return nil, err
	}
	if requireDigest && req.r.Header.Get("Content-MD5") == "" && ci.Value == "" && ci.Trailer == nil {
		return nil, s3.Errorf(s3.ErrInvalidRequest, "Missing required header for this request: Content-MD5")
	}
	body, err := req.readLimited(limit)
	if err != nil {
		return nil, err
	}
	if ci.Algorithm == "" {
		return body, nil
	}
	want := ci.Value
	if want == "" && ci.Trailer != nil {
		want = ci.Trailer()
	}
	if want == "" {
		return body, nil
	}
	raw, err := checksum.Decode(ci.Algorithm, want)
	if err != nil {
		return nil, err
	}
	h, _ := checksum.New(ci.Algorithm)
	h.Write(body)
	if !bytes.Equal(h.Sum(nil), raw) {
		return nil, s3.Errorf(s3.ErrBadDigest, "The %s you specified did not match the calculated checksum.", strings.ToLower(string(ci.Algorithm)))
	}
	return body, nil
}

// decodeXML reads a small XML body into v; a body that does not parse is
// MalformedXML.
func (req *request) decodeXML(limit int64, requireDigest bool, v any) error {
	body, err := req.readSmallBody(limit, requireDigest)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return s3.ErrMalformedXML
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return s3.ErrMalformedXML
	}
	return nil
}
