package s3test_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

// TestRanges covers single byte ranges: 206 with Content-Range, 416 with
// InvalidRange, and the forms S3 ignores (serving the whole object).
func TestRanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	small := []byte("0123456789abcdefghij") // 20 bytes, inline
	large := payload(200 << 10)             // in a blob
	f.put(t, b, "small", small)
	f.put(t, b, "large", large)

	cases := []struct {
		rng        string
		status     int
		start, end int // inclusive, for 206
	}{
		{"bytes=0-0", 206, 0, 0},
		{"bytes=5-9", 206, 5, 9},
		{"bytes=5-", 206, 5, 19},
		{"bytes=-3", 206, 17, 19},
		{"bytes=-100", 206, 0, 19}, // a suffix longer than the object: all of it (versity/versitygw#1258)
		{"bytes=10-1000", 206, 10, 19},
		{"bytes=19-19", 206, 19, 19},
		{"bytes=20-", 416, 0, 0},
		{"bytes=20-25", 416, 0, 0},
		{"bytes=-0", 416, 0, 0},
		// Not one well-formed range: S3 ignores the header and answers 200
		// with the whole object (observed on AWS in awslabs/aws-c-s3#257).
		{"bytes=0-1,3-4", 200, 0, 19},
		{"bytes=abc", 200, 0, 19},
		{"bytes=9-5", 200, 0, 19},
		{"items=0-1", 200, 0, 19},
		{"bytes=--1", 200, 0, 19},
	}
	for _, c := range cases {
		resp := f.raw.do(t, rawRequest{method: http.MethodGet, path: objectPath(b, "small"), header: hdr("Range", c.rng)})
		switch c.status {
		case 416:
			d := resp.wantError(t, "InvalidRange", http.StatusRequestedRangeNotSatisfiable)
			if d.ActualObjectSize != "20" || d.RangeRequested == "" {
				t.Errorf("%s: InvalidRange fields %+v", c.rng, d)
			}
		case 206:
			resp.wantStatus(t, http.StatusPartialContent)
			want := small[c.start : c.end+1]
			if !bytes.Equal(resp.body, want) {
				t.Errorf("%s: body %q want %q", c.rng, resp.body, want)
			}
			cr := "bytes " + itoa(c.start) + "-" + itoa(c.end) + "/20"
			if resp.header.Get("Content-Range") != cr || resp.header.Get("Content-Length") != itoa(len(want)) {
				t.Errorf("%s: Content-Range %q Content-Length %q, want %q", c.rng, resp.header.Get("Content-Range"), resp.header.Get("Content-Length"), cr)
			}
		default:
			resp.wantStatus(t, http.StatusOK)
			if !bytes.Equal(resp.body, small) || resp.header.Get("Content-Range") != "" {
				t.Errorf("%s: ignored range served %q, Content-Range %q", c.rng, resp.body, resp.header.Get("Content-Range"))
			}
		}
	}

	// HEAD with a range answers the partial headers without a body.
	resp := f.raw.do(t, rawRequest{method: http.MethodHead, path: objectPath(b, "small"), header: hdr("Range", "bytes=2-4")})
	if resp.status != http.StatusPartialContent || resp.header.Get("Content-Length") != "3" || resp.header.Get("Content-Range") != "bytes 2-4/20" {
		t.Errorf("HEAD range: %d %v", resp.status, resp.header)
	}

	// Across blob-backed data, through both SDKs.
	out, err := f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("large"), Range: aws.String("bytes=100000-150000")})
	mustOK(t, err, "GetObject range")
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, large[100000:150001]) || aws.ToString(out.ContentRange) != "bytes 100000-150000/204800" {
		t.Errorf("AWS range: %d bytes, Content-Range %s", len(got), aws.ToString(out.ContentRange))
	}
	_, err = f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("large"), Range: aws.String("bytes=204800-")})
	wantAWSError(t, err, "InvalidRange", http.StatusRequestedRangeNotSatisfiable)

	opts := minio.GetObjectOptions{}
	mustOK(t, opts.SetRange(0, -5000), "SetRange") // the last 5000 bytes
	obj, err := f.minio.GetObject(bg, b, "large", opts)
	mustOK(t, err, "minio GetObject")
	got, err = io.ReadAll(obj)
	obj.Close()
	if err != nil || !bytes.Equal(got, large[len(large)-5000:]) {
		t.Errorf("minio suffix range: %d bytes, %v", len(got), err)
	}
	opts = minio.GetObjectOptions{}
	mustOK(t, opts.SetRange(1, 1), "SetRange")
	obj, err = f.minio.GetObject(bg, b, "large", opts)
	mustOK(t, err, "minio GetObject")
	got, err = io.ReadAll(obj)
	obj.Close()
	if err != nil || !bytes.Equal(got, large[1:2]) {
		t.Errorf("minio one-byte range: %q, %v", got, err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestConditionalReads covers If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since on GET and HEAD, alone and combined as S3 evaluates
// them (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
func TestConditionalReads(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	data := []byte("conditional body")
	put := f.put(t, b, "obj", data)
	etag := aws.ToString(put.ETag)
	head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("obj")})
	mustOK(t, err, "HeadObject")
	lm := aws.ToTime(head.LastModified)
	before := lm.Add(-time.Hour).Format(http.TimeFormat)
	after := lm.Add(time.Hour).Format(http.TimeFormat)
	at := lm.Format(http.TimeFormat)

	cases := []struct {
		name   string
		header http.Header
		status int
	}{
		{"IfMatchTrue", hdr("If-Match", etag), 200},
		{"IfMatchUnquoted", hdr("If-Match", etag[1:len(etag)-1]), 200},
		{"IfMatchStar", hdr("If-Match", "*"), 200},
		{"IfMatchList", hdr("If-Match", `"nope", `+etag), 200},
		{"IfMatchFalse", hdr("If-Match", `"0123"`), 412},
		{"IfNoneMatchTrue", hdr("If-None-Match", `"0123"`), 200},
		{"IfNoneMatchFalse", hdr("If-None-Match", etag), 304},
		{"IfNoneMatchStar", hdr("If-None-Match", "*"), 304},
		{"IfModifiedSinceTrue", hdr("If-Modified-Since", before), 200},
		{"IfModifiedSinceFalse", hdr("If-Modified-Since", after), 304},
		{"IfModifiedSinceEqual", hdr("If-Modified-Since", at), 304},
		{"IfUnmodifiedSinceTrue", hdr("If-Unmodified-Since", after), 200},
		{"IfUnmodifiedSinceEqual", hdr("If-Unmodified-Since", at), 200},
		{"IfUnmodifiedSinceFalse", hdr("If-Unmodified-Since", before), 412},
		{"UnparsableDateIgnored", hdr("If-Modified-Since", "yesterday"), 200},
		// If-Match true and If-Unmodified-Since false: 200.
		{"MatchOverridesUnmodified", hdr("If-Match", etag, "If-Unmodified-Since", before), 200},
		// If-None-Match false and If-Modified-Since true: 304.
		{"NoneMatchOverridesModified", hdr("If-None-Match", etag, "If-Modified-Since", before), 304},
		// If-None-Match true and If-Modified-Since false: If-None-Match decides.
		{"NoneMatchTrueModifiedFalse", hdr("If-None-Match", `"x"`, "If-Modified-Since", after), 200},
		// A failed If-Match wins over everything: 412.
		{"MatchFalseNoneMatchFalse", hdr("If-Match", `"x"`, "If-None-Match", etag), 412},
	}
	for _, c := range cases {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			resp := f.raw.do(t, rawRequest{method: method, path: objectPath(b, "obj"), header: c.header})
			if resp.status != c.status {
				t.Errorf("%s %s: status %d, want %d", method, c.name, resp.status, c.status)
				continue
			}
			if resp.header.Get("x-amz-request-id") == "" {
				t.Errorf("%s %s: no request id", method, c.name)
			}
			switch {
			case c.status == 304:
				if len(resp.body) != 0 || resp.header.Get("ETag") != etag || resp.header.Get("Last-Modified") != at {
					t.Errorf("%s %s: 304 body %q ETag %q Last-Modified %q", method, c.name, resp.body, resp.header.Get("ETag"), resp.header.Get("Last-Modified"))
				}
			case c.status == 412 && method == http.MethodGet:
				resp.wantError(t, "PreconditionFailed", http.StatusPreconditionFailed)
			case c.status == 200 && method == http.MethodGet:
				if !bytes.Equal(resp.body, data) {
					t.Errorf("%s: body %q", c.name, resp.body)
				}
			}
		}
	}

	// The same through the SDKs.
	_, err = f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("obj"), IfMatch: aws.String(`"bad"`)})
	wantAWSError(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	_, err = f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("obj"), IfNoneMatch: aws.String(etag)})
	if statusOf(err) != http.StatusNotModified {
		t.Errorf("AWS If-None-Match: %v", err)
	}
	_, err = f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("obj"), IfUnmodifiedSince: aws.Time(lm.Add(-time.Hour))})
	wantAWSError(t, err, "", http.StatusPreconditionFailed)
	out, err := f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("obj"), IfModifiedSince: aws.Time(lm.Add(-time.Hour))})
	mustOK(t, err, "GetObject If-Modified-Since earlier")
	out.Body.Close()

	mopts := minio.StatObjectOptions{}
	mustOK(t, mopts.SetMatchETag("bad"), "SetMatchETag")
	_, err = f.minio.StatObject(bg, b, "obj", mopts)
	wantMinioError(t, err, "", http.StatusPreconditionFailed)
	gopts := minio.GetObjectOptions{}
	mustOK(t, gopts.SetMatchETagExcept(etag[1:len(etag)-1]), "SetMatchETagExcept")
	_, err = f.minio.StatObject(bg, b, "obj", gopts)
	if er := minio.ToErrorResponse(err); er.StatusCode != http.StatusNotModified {
		t.Errorf("minio If-None-Match: %v", err)
	}
	gopts = minio.GetObjectOptions{}
	mustOK(t, gopts.SetModified(lm.Add(-time.Hour)), "SetModified")
	obj, err := f.minio.GetObject(bg, b, "obj", gopts)
	mustOK(t, err, "minio GetObject modified since")
	got, err := io.ReadAll(obj)
	obj.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("minio conditional GET: %q %v", got, err)
	}
}

// TestResponseOverrides covers the response-* query parameters of GET.
func TestResponseOverrides(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	_, err := f.aws.PutObject(bg, &s3.PutObjectInput{
		Bucket: aws.String(b), Key: aws.String("doc"), Body: bytes.NewReader([]byte("{}")),
		ContentType: aws.String("application/json"), CacheControl: aws.String("no-store"),
	})
	mustOK(t, err, "PutObject")
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	out, err := f.aws.GetObject(bg, &s3.GetObjectInput{
		Bucket: aws.String(b), Key: aws.String("doc"),
		ResponseContentType:        aws.String("text/plain"),
		ResponseContentDisposition: aws.String(`attachment; filename="x.json"`),
		ResponseContentEncoding:    aws.String("identity"),
		ResponseContentLanguage:    aws.String("fr"),
		ResponseCacheControl:       aws.String("max-age=5"),
		ResponseExpires:            aws.Time(exp),
	})
	mustOK(t, err, "GetObject with overrides")
	out.Body.Close()
	if aws.ToString(out.ContentType) != "text/plain" || aws.ToString(out.ContentDisposition) != `attachment; filename="x.json"` ||
		aws.ToString(out.ContentEncoding) != "identity" || aws.ToString(out.ContentLanguage) != "fr" || aws.ToString(out.CacheControl) != "max-age=5" {
		t.Errorf("overridden headers: %+v", out)
	}
	if out.Expires == nil || !out.Expires.Equal(exp) {
		t.Errorf("Expires %v", out.Expires)
	}

	// minio-go passes them as request parameters.
	opts := minio.GetObjectOptions{}
	opts.SetReqParam("response-content-type", "image/gif")
	obj, err := f.minio.GetObject(bg, b, "doc", opts)
	mustOK(t, err, "minio GetObject")
	st, err := obj.Stat()
	mustOK(t, err, "minio Stat")
	obj.Close()
	if st.ContentType != "image/gif" {
		t.Errorf("minio override Content-Type %q", st.ContentType)
	}

	// The stored headers are unchanged.
	q := url.Values{"response-content-type": {"a/b"}}
	resp := f.raw.do(t, rawRequest{method: http.MethodGet, path: objectPath(b, "doc"), query: q.Encode()})
	resp.wantStatus(t, http.StatusOK)
	if resp.header.Get("Content-Type") != "a/b" || resp.header.Get("Cache-Control") != "no-store" {
		t.Errorf("raw override: %v", resp.header)
	}
	head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("doc")})
	mustOK(t, err, "HeadObject")
	if aws.ToString(head.ContentType) != "application/json" {
		t.Errorf("stored Content-Type changed: %q", aws.ToString(head.ContentType))
	}
}
