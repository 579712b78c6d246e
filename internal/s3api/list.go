package s3api

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3"
)

// listQuery is what ListObjects v1 and v2 have in common, parsed and
// validated from the query string.
type listQuery struct {
	prefix, delimiter string
	maxKeys           int
	encodeURL         bool
}

// parseListQuery reads prefix, delimiter, max-keys and encoding-type.
func parseListQuery(q url.Values) (listQuery, error) {
	lq := listQuery{prefix: q.Get("prefix"), delimiter: q.Get("delimiter"), maxKeys: s3.MaxListKeys}
	if v, ok := q["max-keys"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil {
			return lq, s3.Errorf(s3.ErrInvalidArgument, "Provided max-keys not an integer or within integer range").With("ArgumentName", "max-keys", "ArgumentValue", v[0])
		}
		if n < 0 {
			return lq, s3.Errorf(s3.ErrInvalidArgument, "Argument max-keys must be an integer between 0 and 2147483647").With("ArgumentName", "max-keys", "ArgumentValue", v[0])
		}
		lq.maxKeys = min(n, s3.MaxListKeys)
	}
	switch et := q.Get("encoding-type"); et {
	case "":
	case "url":
		lq.encodeURL = true
	default:
		return lq, s3.Errorf(s3.ErrInvalidArgument, "Invalid Encoding Method specified in Request").With("ArgumentName", "encoding-type", "ArgumentValue", et)
	}
	// Keys are UTF-8 without NUL, and the metadata store refuses anything
	// else as a bound: such a value is the client's error, not a 500.
	for _, name := range []string{"prefix", "delimiter", "marker", "start-after"} {
		if v := q.Get(name); !listText(v) {
			return lq, s3.Errorf(s3.ErrInvalidArgument, "The %s must be valid UTF-8 without NUL characters", name).With("ArgumentName", name)
		}
	}
	return lq, nil
}

// listText reports whether s can be compared with keys: UTF-8 without NUL.
func listText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// encoder returns the function that renders keys: identity, or S3's url
// encoding (query escaping with "/" kept, so a space is "+" and "+" is %2B).
func (lq listQuery) encoder() func(string) string {
	if !lq.encodeURL {
		return func(s string) string { return s }
	}
	return func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/") }
}

func (lq listQuery) encodingType() string {
	if lq.encodeURL {
		return "url"
	}
	return ""
}

func (h *Handler) listObjectsV1(req *request) error {
	q := req.r.URL.Query()
	lq, err := parseListQuery(q)
	if err != nil {
		return err
	}
	marker := q.Get("marker")
	res, err := h.svc.ListObjects(req.ctx, object.ListInput{
		Bucket: req.addr.bucket, Prefix: lq.prefix, Delimiter: lq.delimiter, Marker: marker, MaxKeys: lq.maxKeys,
	})
	if err != nil {
		return err
	}
	enc := lq.encoder()
	out := listBucketResult{
		Xmlns: s3Namespace, Name: req.addr.bucket, Prefix: enc(lq.prefix), Marker: ptr(enc(marker)),
		MaxKeys: lq.maxKeys, Delimiter: enc(lq.delimiter), EncodingType: lq.encodingType(), IsTruncated: res.IsTruncated,
	}
	if res.IsTruncated && lq.delimiter != "" {
		out.NextMarker = enc(res.NextMarker)
	}
	fillListing(req, &out, res, enc, true)
	return req.reply(http.StatusOK, out)
}

func (h *Handler) listObjectsV2(req *request) error {
	q := req.r.URL.Query()
	if q.Get("list-type") != "2" {
		return s3.Errorf(s3.ErrInvalidArgument, "Invalid List Type specified in Request").With("ArgumentName", "list-type", "ArgumentValue", q.Get("list-type"))
	}
	lq, err := parseListQuery(q)
	if err != nil {
		return err
	}
	startAfter := q.Get("start-after")
	marker := startAfter
	_, hasToken := q["continuation-token"]
	token := q.Get("continuation-token")
	if hasToken {
		if marker, err = decodeToken(token); err != nil {
			return err
		}
	}
	res, err := h.svc.ListObjects(req.ctx, object.ListInput{
		Bucket: req.addr.bucket, Prefix: lq.prefix, Delimiter: lq.delimiter, Marker: marker, MaxKeys: lq.maxKeys,
	})
	if err != nil {
		return err
	}
	enc := lq.encoder()
	keyCount := len(res.Objects) + len(res.CommonPrefixes)
	out := listBucketResult{
		Xmlns: s3Namespace, Name: req.addr.bucket, Prefix: enc(lq.prefix), KeyCount: &keyCount,
		MaxKeys: lq.maxKeys, Delimiter: enc(lq.delimiter), EncodingType: lq.encodingType(), IsTruncated: res.IsTruncated,
	}
	if hasToken {
		out.ContToken = &token
	}
	if startAfter != "" {
		out.StartAfter = ptr(enc(startAfter))
	}
	if res.IsTruncated {
		out.NextContToken = encodeToken(res.NextMarker)
	}
	fillListing(req, &out, res, enc, q.Get("fetch-owner") == "true")
	return req.reply(http.StatusOK, out)
}

// fillListing renders objects and common prefixes. Every object of a bucket
// belongs to the bucket's owner, who is the caller.
func fillListing(req *request, out *listBucketResult, res object.ListResult, enc func(string) string, withOwner bool) {
	var o *owner
	if withOwner {
		p, _ := s3.PrincipalFrom(req.ctx)
		o = &owner{ID: p.UserID, DisplayName: p.DisplayName}
	}
	out.Contents = make([]objectResult, 0, len(res.Objects))
	for _, obj := range res.Objects {
		out.Contents = append(out.Contents, objectResult{
			Key:          enc(obj.Key),
			LastModified: isoTime(obj.LastModified),
			ETag:         `"` + obj.ETag + `"`,
			Size:         obj.Size,
			Owner:        o,
			StorageClass: obj.StorageClass,
		})
	}
	for _, p := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, prefixResult{Prefix: enc(p)})
	}
}

// Continuation tokens are opaque to clients; Cairn's is the key to resume
// after, base64url-encoded.
func encodeToken(after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(after))
}

func decodeToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !listText(string(b)) {
		return "", s3.Errorf(s3.ErrInvalidArgument, "The continuation token provided is incorrect").With("ArgumentName", "continuation-token")
	}
	return string(b), nil
}

func hasPrefix(s, prefix string) bool { return strings.HasPrefix(s, prefix) }

func ptr[T any](v T) *T { return &v }
