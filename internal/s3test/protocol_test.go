package s3test_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

// requestIDPattern is S3's x-amz-request-id: 16 upper-case hex digits.
var requestIDPattern = regexp.MustCompile(`^[0-9A-F]{16}$`)

// wantRequestIDs checks both request id headers.
func wantRequestIDs(t *testing.T, what string, h http.Header) {
	t.Helper()
	if id := h.Get("x-amz-request-id"); !requestIDPattern.MatchString(id) {
		t.Errorf("%s: x-amz-request-id %q", what, id)
	}
	id2 := h.Get("x-amz-id-2")
	if _, err := base64.StdEncoding.DecodeString(id2); id2 == "" || err != nil {
		t.Errorf("%s: x-amz-id-2 %q", what, id2)
	}
}

func TestRequestIDs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	put := f.put(t, b, "obj", []byte("ids"))
	etag := aws.ToString(put.ETag)

	cases := []struct {
		name   string
		rr     rawRequest
		status int
	}{
		{"ListBuckets", rawRequest{method: http.MethodGet, path: "/"}, 200},
		{"GetObject", rawRequest{method: http.MethodGet, path: objectPath(b, "obj")}, 200},
		{"HeadObject", rawRequest{method: http.MethodHead, path: objectPath(b, "obj")}, 200},
		{"PutObject", rawRequest{method: http.MethodPut, path: objectPath(b, "other"), body: []byte("x")}, 200},
		{"Range", rawRequest{method: http.MethodGet, path: objectPath(b, "obj"), header: hdr("Range", "bytes=0-0")}, 206},
		{"DeleteObject", rawRequest{method: http.MethodDelete, path: objectPath(b, "other")}, 204},
		{"NotModified", rawRequest{method: http.MethodGet, path: objectPath(b, "obj"), header: hdr("If-None-Match", etag)}, 304},
		{"NoSuchKey", rawRequest{method: http.MethodGet, path: objectPath(b, "absent")}, 404},
		{"HeadNoSuchKey", rawRequest{method: http.MethodHead, path: objectPath(b, "absent")}, 404},
		{"Anonymous", rawRequest{method: http.MethodGet, path: "/", anonymous: true}, 403},
		{"Skewed", rawRequest{method: http.MethodGet, path: "/", signTime: time.Now().Add(time.Hour)}, 403},
		{"MethodNotAllowed", rawRequest{method: "PATCH", path: objectPath(b, "obj")}, 405},
		{"NotImplemented", rawRequest{method: http.MethodGet, path: "/" + b, query: "acl"}, 501},
		{"PreconditionFailed", rawRequest{method: http.MethodGet, path: objectPath(b, "obj"), header: hdr("If-Match", `"x"`)}, 412},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		resp := f.raw.do(t, c.rr)
		if resp.status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, resp.status, c.status, resp.body)
		}
		wantRequestIDs(t, c.name, resp.header)
		id := resp.header.Get("x-amz-request-id")
		if seen[id] {
			t.Errorf("%s: request id %s repeated", c.name, id)
		}
		seen[id] = true
		if c.status >= 400 && c.rr.method != http.MethodHead {
			resp.errorDoc(t)
		}
	}
	// The SDKs see them too.
	out, err := f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("obj")})
	mustOK(t, err, "GetObject")
	out.Body.Close()
	_, err = f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("absent")})
	wantAWSError(t, err, "NoSuchKey", http.StatusNotFound)
	_, err = f.minio.StatObject(bg, b, "absent", minio.StatObjectOptions{})
	wantMinioError(t, err, "NoSuchKey", http.StatusNotFound)
}

func TestNotImplemented(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	f.put(t, b, "obj", []byte("x"))
	cases := []rawRequest{
		{method: http.MethodGet, path: "/" + b, query: "acl"},
		{method: http.MethodPut, path: "/" + b, query: "acl", body: []byte("<AccessControlPolicy/>")},
		{method: http.MethodGet, path: "/" + b, query: "policy"},
		{method: http.MethodPut, path: "/" + b, query: "policy", body: []byte("{}")},
		{method: http.MethodDelete, path: "/" + b, query: "policy"},
		{method: http.MethodGet, path: "/" + b, query: "website"},
		{method: http.MethodGet, path: "/" + b, query: "cors"},
		{method: http.MethodGet, path: "/" + b, query: "encryption"},
		{method: http.MethodGet, path: "/" + b, query: "notification"},
		{method: http.MethodGet, path: "/" + b, query: "object-lock"},
		{method: http.MethodPut, path: "/" + b, query: "versioning", body: []byte("<VersioningConfiguration/>")},
		{method: http.MethodGet, path: objectPath(b, "obj"), query: "acl"},
		{method: http.MethodGet, path: objectPath(b, "obj"), query: "retention"},
		{method: http.MethodGet, path: objectPath(b, "obj"), query: "legal-hold"},
		{method: http.MethodGet, path: objectPath(b, "obj"), query: "torrent"},
		{method: http.MethodPost, path: objectPath(b, "obj"), query: "restore", body: []byte("<RestoreRequest/>")},
		{method: http.MethodPost, path: objectPath(b, "obj"), query: "select&select-type=2", body: []byte("<x/>")},
	}
	for _, rr := range cases {
		d := f.raw.do(t, rr).wantError(t, "NotImplemented", http.StatusNotImplemented)
		if t.Failed() {
			t.Fatalf("%s %s?%s: %+v", rr.method, rr.path, rr.query, d)
		}
	}
	// The SDKs get the code.
	_, err := f.aws.GetBucketAcl(bg, &s3.GetBucketAclInput{Bucket: aws.String(b)})
	wantAWSError(t, err, "NotImplemented", http.StatusNotImplemented)
	_, err = f.aws.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String(b)})
	wantAWSError(t, err, "NotImplemented", http.StatusNotImplemented)
	_, err = f.minio.GetBucketPolicy(bg, b)
	wantMinioError(t, err, "NotImplemented", http.StatusNotImplemented)
	// Nothing happened to the bucket.
	if !f.exists(t, b, "obj") {
		t.Error("object gone")
	}
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	for _, c := range []struct {
		method, path, resourceType string
	}{
		{"PATCH", objectPath(b, "obj"), "OBJECT"},
		{"PATCH", "/" + b, "BUCKET"},
		{"TRACE", "/", "SERVICE"},
		{"PROPFIND", objectPath(b, "obj"), "OBJECT"},
	} {
		d := f.raw.do(t, rawRequest{method: c.method, path: c.path}).wantError(t, "MethodNotAllowed", http.StatusMethodNotAllowed)
		if d.Method != c.method || d.ResourceType != c.resourceType {
			t.Errorf("%s %s: Method %q ResourceType %q", c.method, c.path, d.Method, d.ResourceType)
		}
	}
}

// TestGetPartNumber reads "part 1" of a plain object, which GetObject and
// HeadObject allow: a plain object is one part.
func TestGetPartNumber(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	data := []byte("a single part")
	f.put(t, b, "one", data)
	out, err := f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("one"), PartNumber: aws.Int32(1)})
	mustOK(t, err, "GetObject partNumber=1")
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, data) {
		t.Errorf("part 1: %q", got)
	}
	head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("one"), PartNumber: aws.Int32(1)})
	mustOK(t, err, "HeadObject partNumber=1")
	if aws.ToInt64(head.ContentLength) != int64(len(data)) {
		t.Errorf("part 1 length %d", aws.ToInt64(head.ContentLength))
	}
	_, err = f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("one"), PartNumber: aws.Int32(2)})
	wantAWSError(t, err, "InvalidPartNumber", http.StatusRequestedRangeNotSatisfiable)
	for _, q := range []string{"partNumber=0", "partNumber=-1", "partNumber=abc", "partNumber=10001", "partNumber=99999999999999999999"} {
		f.raw.do(t, rawRequest{method: http.MethodGet, path: objectPath(b, "one"), query: q}).wantError(t, "InvalidArgument", http.StatusBadRequest)
	}
	f.raw.do(t, rawRequest{method: http.MethodGet, path: objectPath(b, "one"), query: "partNumber=1", header: hdr("Range", "bytes=0-1")}).
		wantError(t, "InvalidRequest", http.StatusBadRequest)
}
