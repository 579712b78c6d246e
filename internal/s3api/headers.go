package s3api

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3"
)

const metaPrefix = "X-Amz-Meta-"

// defaultContentType is what S3 stores for an object written without one.
const defaultContentType = "binary/octet-stream"

// objectHeaders reads the standard headers stored with an object.
func objectHeaders(h http.Header) meta.ObjectHeaders {
	oh := meta.ObjectHeaders{
		ContentType:        h.Get("Content-Type"),
		ContentEncoding:    stripAWSChunked(h.Get("Content-Encoding")),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
	}
	if oh.ContentType == "" {
		oh.ContentType = defaultContentType
	}
	return oh
}

// stripAWSChunked removes the aws-chunked coding, which describes the
// request's framing and is not part of the object.
func stripAWSChunked(v string) string {
	if v == "" {
		return ""
	}
	var keep []string
	for _, c := range strings.Split(v, ",") {
		c = strings.TrimSpace(c)
		if c != "" && !strings.EqualFold(c, "aws-chunked") {
			keep = append(keep, c)
		}
	}
	return strings.Join(keep, ", ")
}

// userMetadata collects x-amz-meta-* headers: names lower-case without the
// prefix, several values of one name joined by commas.
func userMetadata(h http.Header) map[string]string {
	var m map[string]string
	for name, values := range h {
		if len(name) <= len(metaPrefix) || !strings.EqualFold(name[:len(metaPrefix)], metaPrefix) {
			continue
		}
		if m == nil {
			m = make(map[string]string)
		}
		m[strings.ToLower(name[len(metaPrefix):])] = strings.Join(values, ",")
	}
	return m
}

// contentMD5 decodes the Content-MD5 header; nil when absent.
func contentMD5(h http.Header) ([]byte, error) {
	v := h.Get("Content-MD5")
	if v == "" {
		if _, present := h["Content-Md5"]; present {
			return nil, s3.ErrInvalidDigest.With("Content-MD5", "")
		}
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != 16 {
		return nil, s3.ErrInvalidDigest.With("Content-MD5", v)
	}
	return b, nil
}

// checksumInput reads the additional checksum a request carries: one
// x-amz-checksum-<alg> header, or a trailer announced in x-amz-trailer, or
// just the algorithm in x-amz-sdk-checksum-algorithm.
func (req *request) checksumInput() (object.ChecksumInput, error) {
	h := req.r.Header
	var ci object.ChecksumInput
	for _, alg := range s3.ChecksumAlgorithms() {
		v := h.Get(alg.HeaderName())
		if v == "" {
			continue
		}
		if ci.Algorithm != "" {
			return ci, s3.Errorf(s3.ErrInvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		ci.Algorithm, ci.Value = alg, v
	}
	if req.cred != nil {
		for _, name := range req.cred.trailerNames {
			alg, ok := checksumHeaderAlgorithm(name)
			if !ok {
				continue
			}
			if ci.Algorithm != "" && ci.Algorithm != alg {
				return ci, s3.Errorf(s3.ErrInvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
			}
			ci.Algorithm = alg
			trailer := req.cred.trailer
			ci.Trailer = func() string { return trailer()[name] }
		}
	}
	if v := h.Get("X-Amz-Sdk-Checksum-Algorithm"); v != "" {
		alg, ok := s3.ParseChecksumAlgorithm(v)
		if !ok {
			return ci, s3.Errorf(s3.ErrInvalidRequest, "Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
		if ci.Algorithm == "" {
			ci.Algorithm = alg
		} else if ci.Algorithm != alg {
			return ci, s3.Errorf(s3.ErrInvalidRequest, "Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
	}
	return ci, nil
}

// checksumHeaderAlgorithm maps "x-amz-checksum-crc32" to CRC32.
func checksumHeaderAlgorithm(name string) (s3.ChecksumAlgorithm, bool) {
	rest, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-checksum-")
	if !ok {
		return "", false
	}
	return s3.ParseChecksumAlgorithm(rest)
}

// tagsHeader parses x-amz-tagging: URL-query encoded key=value pairs.
func tagsHeader(v string) ([]s3.Tag, error) {
	if v == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(v)
	if err != nil {
		return nil, s3.Errorf(s3.ErrInvalidArgument, "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.").
			With("ArgumentName", "x-amz-tagging", "ArgumentValue", v)
	}
	tags := make([]s3.Tag, 0, len(q))
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, s3.Errorf(s3.ErrInvalidArgument, "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.").
				With("ArgumentName", "x-amz-tagging", "ArgumentValue", v)
		}
		tags = append(tags, s3.Tag{Key: k, Value: vs[0]})
	}
	return tags, nil
}

// readConditions reads GET/HEAD preconditions, or with prefix
// "X-Amz-Copy-Source-" the copy-source ones. Unparseable dates are ignored,
// as HTTP says.
func readConditions(h http.Header, prefix string) object.Conditions {
	c := object.Conditions{
		IfMatch:     h.Get(prefix + "If-Match"),
		IfNoneMatch: h.Get(prefix + "If-None-Match"),
	}
	if t, err := http.ParseTime(h.Get(prefix + "If-Modified-Since")); err == nil {
		c.IfModifiedSince = &t
	}
	if t, err := http.ParseTime(h.Get(prefix + "If-Unmodified-Since")); err == nil {
		c.IfUnmodifiedSince = &t
	}
	return c
}

// writeConditions reads the preconditions of a conditional write.
func writeConditions(h http.Header) object.WriteConditions {
	return object.WriteConditions{IfMatch: h.Get("If-Match"), IfNoneMatch: h.Get("If-None-Match")}
}

// parseRange reads a Range header. Like S3, it ignores a header that is not
// one well-formed byte range (serving the whole object) rather than failing.
func parseRange(v string) *object.Range {
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil
	}
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 || !allDigits(last) {
			return nil
		}
		return &object.Range{Suffix: true, SuffixLength: n}
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 || !allDigits(first) {
		return nil
	}
	if last == "" {
		return &object.Range{Start: start, End: -1}
	}
	end, err := strconv.ParseInt(last, 10, 64)
	if err != nil || end < start || !allDigits(last) {
		return nil
	}
	return &object.Range{Start: start, End: end}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// httpTime formats a time as an HTTP date.
func httpTime(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// isoTime formats a time as S3's XML timestamps: milliseconds, Z.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
