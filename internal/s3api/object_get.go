package s3api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3"
)

// responseOverrides are the query parameters that override response
// headers of a GET, and the headers they set.
var responseOverrides = [][2]string{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

// getObject serves GetObject and HeadObject.
func (h *Handler) getObject(req *request) error {
	q := req.r.URL.Query()
	in := object.GetInput{
		Bucket:     req.addr.bucket,
		Key:        req.addr.key,
		Conditions: readConditions(req.r.Header, ""),
	}
	if v := req.r.Header.Get("Range"); v != "" {
		in.Range = parseRange(v)
	}
	if v, ok := q["partNumber"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 {
			return s3.Errorf(s3.ErrInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive").
				With("ArgumentName", "partNumber", "ArgumentValue", v[0])
		}
		in.PartNumber = n
	}
	if vid := q.Get("versionId"); vid != "" && vid != "null" {
		return s3.Errorf(s3.ErrInvalidArgument, "Invalid version id specified").With("ArgumentName", "versionId", "ArgumentValue", vid)
	}
	rd, err := h.svc.GetObject(req.ctx, in)
	if err != nil {
		return err
	}
	o := rd.Info
	req.extra = o.ExtraChecksums
	hdr := req.w.Header()
	hdr.Set("Last-Modified", httpTime(o.LastModified))
	hdr.Set("ETag", `"`+o.ETag+`"`)
	hdr.Set("Accept-Ranges", "bytes")
	hdr.Set("Content-Length", strconv.FormatInt(rd.Length, 10))
	// Always a Content-Type: without one net/http sniffs the first bytes,
	// which also costs the sendfile path.
	if ct := o.Headers.ContentType; ct != "" {
		hdr.Set("Content-Type", ct)
	} else {
		hdr.Set("Content-Type", defaultContentType)
	}
	setIf(hdr, "Content-Encoding", o.Headers.ContentEncoding)
	setIf(hdr, "Content-Disposition", o.Headers.ContentDisposition)
	setIf(hdr, "Content-Language", o.Headers.ContentLanguage)
	setIf(hdr, "Cache-Control", o.Headers.CacheControl)
	setIf(hdr, "Expires", o.Headers.Expires)
	for k, v := range o.UserMetadata {
		// Sent lower-case on purpose, as S3 does: botocore keeps a metadata
		// name as received, so "X-Amz-Meta-Color" would reach boto3 and the
		// AWS CLI as "Color" instead of "color".
		hdr["x-amz-meta-"+k] = []string{v}
	}
	if n := len(o.Tags); n > 0 {
		hdr.Set("x-amz-tagging-count", strconv.Itoa(n))
	}
	if o.StorageClass != "" && o.StorageClass != "STANDARD" {
		hdr.Set("x-amz-storage-class", o.StorageClass)
	}
	if rd.PartsCount > 0 {
		hdr.Set("x-amz-mp-parts-count", strconv.Itoa(rd.PartsCount))
	}
	if req.r.Header.Get("X-Amz-Checksum-Mode") == "ENABLED" {
		switch {
		case rd.Part != nil && rd.PartsCount > 0 && rd.Part.Checksum != "":
			setChecksumHeaders(hdr, s3.Checksum{Algorithm: o.Checksum.Algorithm, Value: rd.Part.Checksum})
		case !rd.Partial || (rd.Part != nil && rd.PartsCount == 0):
			setChecksumHeaders(hdr, o.Checksum)
		}
	}
	for _, ov := range responseOverrides {
		if v := q.Get(ov[0]); v != "" {
			hdr.Set(ov[1], v)
		}
	}
	status := http.StatusOK
	if rd.Partial {
		status = http.StatusPartialContent
		hdr.Set("Content-Range", contentRange(rd.Offset, rd.Length, o.Size))
	}
	req.w.WriteHeader(status)
	if req.r.Method == http.MethodHead || rd.Length == 0 {
		return nil
	}
	n, err := rd.WriteTo(req.w)
	if err == nil && n != rd.Length {
		err = fmt.Errorf("short read: %d of %d bytes", n, rd.Length)
	}
	return err
}

func contentRange(off, n, size int64) string {
	if n == 0 {
		return "bytes */" + strconv.FormatInt(size, 10)
	}
	return "bytes " + strconv.FormatInt(off, 10) + "-" + strconv.FormatInt(off+n-1, 10) + "/" + strconv.FormatInt(size, 10)
}

func setIf(h http.Header, name, value string) {
	if value != "" {
		h.Set(name, value)
	}
}

// urlPathUnescape decodes a percent-encoded path; "+" stays "+".
func urlPathUnescape(s string) (string, error) { return url.PathUnescape(s) }
