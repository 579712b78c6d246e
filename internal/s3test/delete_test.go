package s3test_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// deleteResult is the DeleteObjects response body.
type deleteResult struct {
	Deleted []struct {
		Key string `xml:"Key"`
	} `xml:"Deleted"`
	Errors []struct {
		Key     string `xml:"Key"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
}

// deleteBody renders a Delete document for keys.
func deleteBody(quiet bool, keys ...string) []byte {
	var b strings.Builder
	b.WriteString("<Delete>")
	if quiet {
		b.WriteString("<Quiet>true</Quiet>")
	}
	for _, k := range keys {
		b.WriteString("<Object><Key>")
		_ = xml.EscapeText(&b, []byte(k))
		b.WriteString("</Key></Object>")
	}
	b.WriteString("</Delete>")
	return []byte(b.String())
}

// deleteObjects sends a raw DeleteObjects request with Content-MD5.
func (f *fixture) deleteObjects(t *testing.T, bucket string, body []byte) rawResponse {
	t.Helper()
	return f.raw.do(t, rawRequest{method: http.MethodPost, path: "/" + bucket, query: "delete", body: body, header: hdr("Content-MD5", md5Base64(body))})
}

func (f *fixture) exists(t *testing.T, bucket, key string) bool {
	t.Helper()
	_, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		return true
	}
	if statusOf(err) != http.StatusNotFound {
		t.Fatalf("HeadObject %q: %v", key, err)
	}
	return false
}

func TestDeleteObject(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)

	f.put(t, b, "doomed", []byte("x"))
	_, err := f.aws.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("doomed")})
	mustOK(t, err, "DeleteObject")
	if f.exists(t, b, "doomed") {
		t.Fatal("object survived DeleteObject")
	}
	// Deleting a missing key succeeds, as in S3.
	_, err = f.aws.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("doomed")})
	mustOK(t, err, "DeleteObject of a missing key")
	mustOK(t, f.minio.RemoveObject(bg, b, "never-was", minio.RemoveObjectOptions{}), "minio RemoveObject")
	f.raw.do(t, rawRequest{method: http.MethodDelete, path: objectPath(b, "never-was")}).wantStatus(t, http.StatusNoContent)

	f.put(t, b, "minio-doomed", []byte("y"))
	mustOK(t, f.minio.RemoveObject(bg, b, "minio-doomed", minio.RemoveObjectOptions{}), "minio RemoveObject")
	if f.exists(t, b, "minio-doomed") {
		t.Fatal("object survived RemoveObject")
	}
	_, err = f.aws.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String("absent-" + randomHex(3)), Key: aws.String("k")})
	wantAWSError(t, err, "NoSuchBucket", http.StatusNotFound)
	f.raw.do(t, rawRequest{method: http.MethodDelete, path: objectPath(b, "k"), query: "versionId=3HL4kqtJlcpXroDTDmJ"}).
		wantError(t, "InvalidArgument", http.StatusBadRequest)
}

func TestDeleteObjects(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	t.Run("AWS", func(t *testing.T) {
		t.Parallel()
		b := f.bucket(t)
		keys := []string{"a", "b/c", "sp ace", "amp&lt<>", "ünï"}
		for _, k := range keys {
			f.put(t, b, k, []byte(k))
		}
		var ids []types.ObjectIdentifier
		for _, k := range append(keys, "missing") {
			ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
		}
		out, err := f.aws.DeleteObjects(bg, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: ids}})
		mustOK(t, err, "DeleteObjects")
		var deleted []string
		for _, d := range out.Deleted {
			deleted = append(deleted, aws.ToString(d.Key))
		}
		want := append(slices.Clone(keys), "missing")
		slices.Sort(deleted)
		slices.Sort(want)
		if !slices.Equal(deleted, want) || len(out.Errors) != 0 {
			t.Errorf("Deleted %q Errors %+v, want %q", deleted, out.Errors, want)
		}
		for _, k := range keys {
			if f.exists(t, b, k) {
				t.Errorf("%q survived", k)
			}
		}
	})

	t.Run("Quiet", func(t *testing.T) {
		t.Parallel()
		b := f.bucket(t)
		f.put(t, b, "q1", []byte("1"))
		f.put(t, b, "q2", []byte("2"))
		out, err := f.aws.DeleteObjects(bg, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{
			Quiet: aws.Bool(true), Objects: []types.ObjectIdentifier{{Key: aws.String("q1")}, {Key: aws.String("q2")}},
		}})
		mustOK(t, err, "DeleteObjects quiet")
		if len(out.Deleted) != 0 || len(out.Errors) != 0 {
			t.Errorf("quiet mode reported %+v %+v", out.Deleted, out.Errors)
		}
		if f.exists(t, b, "q1") || f.exists(t, b, "q2") {
			t.Error("quiet delete left objects")
		}
		// Quiet still reports errors.
		resp := f.deleteObjects(t, b, deleteBody(true, "ok-key", strings.Repeat("k", 1025)))
		resp.wantStatus(t, http.StatusOK)
		var r deleteResult
		resp.xmlBody(t, &r)
		if len(r.Deleted) != 0 || len(r.Errors) != 1 || r.Errors[0].Code != "KeyTooLongError" {
			t.Errorf("quiet with an error: %+v", r)
		}
	})

	t.Run("PerKeyErrors", func(t *testing.T) {
		t.Parallel()
		b := f.bucket(t)
		f.put(t, b, "fine", []byte("x"))
		long := strings.Repeat("L", 1025)
		resp := f.deleteObjects(t, b, deleteBody(false, "fine", long, ""))
		resp.wantStatus(t, http.StatusOK)
		var r deleteResult
		resp.xmlBody(t, &r)
		if len(r.Deleted) != 1 || r.Deleted[0].Key != "fine" {
			t.Errorf("Deleted %+v", r.Deleted)
		}
		codes := map[string]string{}
		for _, e := range r.Errors {
			codes[e.Key] = e.Code
			if e.Message == "" {
				t.Errorf("error for %q has no message", e.Key)
			}
		}
		if codes[long] != "KeyTooLongError" || codes[""] != "InvalidArgument" || len(codes) != 2 {
			t.Errorf("per-key errors %v", codes)
		}
	})

	t.Run("Minio", func(t *testing.T) {
		t.Parallel()
		b := f.bucket(t)
		ch := make(chan minio.ObjectInfo, 30)
		for i := range 30 {
			k := fmt.Sprintf("m/%02d", i)
			f.put(t, b, k, []byte(k))
			ch <- minio.ObjectInfo{Key: k}
		}
		close(ch)
		for res := range f.minio.RemoveObjects(bg, b, ch, minio.RemoveObjectsOptions{}) {
			t.Errorf("RemoveObjects error for %q: %v", res.ObjectName, res.Err)
		}
		l, err := f.aws.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		mustOK(t, err, "ListObjectsV2")
		if len(l.Contents) != 0 {
			t.Errorf("%d objects left", len(l.Contents))
		}
		// Removing from a missing bucket reports it per object.
		ch = make(chan minio.ObjectInfo, 1)
		ch <- minio.ObjectInfo{Key: "x"}
		close(ch)
		n := 0
		for res := range f.minio.RemoveObjects(bg, "absent-"+randomHex(3), ch, minio.RemoveObjectsOptions{}) {
			n++
			if minio.ToErrorResponse(res.Err).Code != "NoSuchBucket" {
				t.Errorf("RemoveObjects on a missing bucket: %v", res.Err)
			}
		}
		if n == 0 {
			t.Error("RemoveObjects on a missing bucket reported nothing")
		}
	})

	t.Run("TooManyKeys", func(t *testing.T) {
		t.Parallel()
		b := f.bucket(t)
		keys := make([]string, 1001)
		for i := range keys {
			keys[i] = fmt.Sprintf("k%04d", i)
		}
		f.deleteObjects(t, b, deleteBody(false, keys...)).wantError(t, "MalformedXML", http.StatusBadRequest)
		ids := make([]types.ObjectIdentifier, len(keys))
		for i, k := range keys {
			ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		_, err := f.aws.DeleteObjects(bg, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: ids}})
		wantAWSError(t, err, "MalformedXML", http.StatusBadRequest)
		// Exactly 1000 is fine.
		resp := f.deleteObjects(t, b, deleteBody(true, keys[:1000]...))
		resp.wantStatus(t, http.StatusOK)
	})

	t.Run("BadRequests", func(t *testing.T) {
		t.Parallel()
		b := f.bucket(t)
		body := deleteBody(false, "a")
		// Content-MD5 or an additional checksum is required.
		f.raw.do(t, rawRequest{method: http.MethodPost, path: "/" + b, query: "delete", body: body}).
			wantError(t, "InvalidRequest", http.StatusBadRequest)
		f.raw.do(t, rawRequest{method: http.MethodPost, path: "/" + b, query: "delete", body: body, header: hdr("x-amz-checksum-crc32", checksumOf("CRC32", body))}).
			wantStatus(t, http.StatusOK)
		f.raw.do(t, rawRequest{method: http.MethodPost, path: "/" + b, query: "delete", body: body, header: hdr("Content-MD5", md5Base64([]byte("x")))}).
			wantError(t, "BadDigest", http.StatusBadRequest)
		for _, bad := range []string{"", "<Delete>", "<Delete></Delete>", "not xml at all", "<Delete><Object><Key>a</Key></Object>"} {
			f.deleteObjects(t, b, []byte(bad)).wantError(t, "MalformedXML", http.StatusBadRequest)
		}
		d := f.deleteObjects(t, "absent-"+randomHex(3), body).wantError(t, "NoSuchBucket", http.StatusNotFound)
		if d.BucketName == "" {
			t.Errorf("NoSuchBucket without BucketName: %+v", d)
		}
	})
}
