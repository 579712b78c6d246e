package s3test_test

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// copySource is the x-amz-copy-source value of bucket/key, URL-encoded as
// the SDKs do.
func copySource(bucket, key string) string { return bucket + "/" + url.PathEscape(key) }

type copyResult struct {
	ETag         string `xml:"ETag"`
	LastModified string `xml:"LastModified"`
}

func TestCopyObject(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	other := f.bucket(t)
	srcKey := "src dir/a b+c%d é"
	data := payload(150 << 10)
	_, err := f.aws.PutObject(bg, &s3.PutObjectInput{
		Bucket: aws.String(b), Key: aws.String(srcKey), Body: bytes.NewReader(data),
		ContentType: aws.String("text/x-src"), CacheControl: aws.String("max-age=1"),
		Metadata: map[string]string{"origin": "source"}, Tagging: aws.String("t=1"),
	})
	mustOK(t, err, "PutObject source")
	srcETag := `"` + md5Hex(data) + `"`

	t.Run("DirectiveCopy", func(t *testing.T) {
		t.Parallel()
		out, err := f.aws.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String(other), Key: aws.String("copy/default"), CopySource: aws.String(copySource(b, srcKey))})
		mustOK(t, err, "CopyObject")
		if aws.ToString(out.CopyObjectResult.ETag) != srcETag || out.CopyObjectResult.LastModified == nil {
			t.Errorf("CopyObjectResult %+v", out.CopyObjectResult)
		}
		head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(other), Key: aws.String("copy/default")})
		mustOK(t, err, "HeadObject")
		if aws.ToString(head.ContentType) != "text/x-src" || aws.ToString(head.CacheControl) != "max-age=1" || head.Metadata["origin"] != "source" || aws.ToString(head.ETag) != srcETag {
			t.Errorf("copied headers %+v", head)
		}
		if aws.ToInt32(head.TagCount) != 1 {
			t.Errorf("tags not copied: count %d", aws.ToInt32(head.TagCount))
		}
		if got := f.get(t, other, "copy/default"); !bytes.Equal(got, data) {
			t.Fatal("copied bytes differ")
		}
		// Explicit COPY behaves the same and ignores the request's headers.
		_, err = f.aws.CopyObject(bg, &s3.CopyObjectInput{
			Bucket: aws.String(b), Key: aws.String("copy/explicit"), CopySource: aws.String(copySource(b, srcKey)),
			MetadataDirective: types.MetadataDirectiveCopy, ContentType: aws.String("ignored/type"), Metadata: map[string]string{"ignored": "1"},
		})
		mustOK(t, err, "CopyObject COPY")
		head, err = f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("copy/explicit")})
		mustOK(t, err, "HeadObject")
		if aws.ToString(head.ContentType) != "text/x-src" || head.Metadata["ignored"] != "" || head.Metadata["origin"] != "source" {
			t.Errorf("COPY took request headers: %+v", head)
		}
	})

	t.Run("DirectiveReplace", func(t *testing.T) {
		t.Parallel()
		_, err := f.aws.CopyObject(bg, &s3.CopyObjectInput{
			Bucket: aws.String(b), Key: aws.String("copy/replaced"), CopySource: aws.String(copySource(b, srcKey)),
			MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("application/x-new"),
			Metadata: map[string]string{"fresh": "yes"}, TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("a=1&b=2"),
		})
		mustOK(t, err, "CopyObject REPLACE")
		head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("copy/replaced")})
		mustOK(t, err, "HeadObject")
		if aws.ToString(head.ContentType) != "application/x-new" || head.Metadata["fresh"] != "yes" || head.Metadata["origin"] != "" || aws.ToString(head.CacheControl) != "" {
			t.Errorf("replaced headers %+v", head)
		}
		if aws.ToInt32(head.TagCount) != 2 || aws.ToString(head.ETag) != srcETag {
			t.Errorf("tag count %d ETag %s", aws.ToInt32(head.TagCount), aws.ToString(head.ETag))
		}
		src, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(srcKey)})
		mustOK(t, err, "HeadObject source")
		if src.Metadata["origin"] != "source" || aws.ToString(src.ContentType) != "text/x-src" {
			t.Errorf("source changed: %+v", src)
		}
		// minio-go's REPLACE.
		_, err = f.minio.CopyObject(bg,
			minio.CopyDestOptions{Bucket: b, Object: "copy/minio-replaced", ReplaceMetadata: true, UserMetadata: map[string]string{"Via": "minio"}},
			minio.CopySrcOptions{Bucket: b, Object: srcKey})
		mustOK(t, err, "minio CopyObject")
		st, err := f.minio.StatObject(bg, b, "copy/minio-replaced", minio.StatObjectOptions{})
		mustOK(t, err, "StatObject")
		if st.UserMetadata["Via"] != "minio" || st.UserMetadata["Origin"] != "" || st.ETag != md5Hex(data) {
			t.Errorf("minio replaced: %+v", st.UserMetadata)
		}
	})

	t.Run("BadDirectives", func(t *testing.T) {
		t.Parallel()
		for _, h := range []http.Header{
			hdr("X-Amz-Metadata-Directive", "MERGE"),
			hdr("X-Amz-Tagging-Directive", "append"),
		} {
			h.Set("X-Amz-Copy-Source", copySource(b, srcKey))
			f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "copy/bad"), header: h}).wantError(t, "InvalidArgument", http.StatusBadRequest)
		}
		for _, src := range []string{"no-slash", "/" + b + "/", "/" + "/key", b + "/" + "k?versionId=123"} {
			f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "copy/bad"), header: hdr("X-Amz-Copy-Source", src)}).
				wantError(t, "InvalidArgument", http.StatusBadRequest)
		}
	})

	t.Run("ToItself", func(t *testing.T) {
		t.Parallel()
		key := "self/obj"
		f.put(t, b, key, []byte("self"))
		_, err := f.aws.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String(key), CopySource: aws.String(copySource(b, key))})
		wantAWSError(t, err, "InvalidRequest", http.StatusBadRequest)
		_, err = f.minio.CopyObject(bg, minio.CopyDestOptions{Bucket: b, Object: key}, minio.CopySrcOptions{Bucket: b, Object: key})
		wantMinioError(t, err, "InvalidRequest", http.StatusBadRequest)
		// Changing the metadata, the storage class or the checksum makes it legal.
		_, err = f.aws.CopyObject(bg, &s3.CopyObjectInput{
			Bucket: aws.String(b), Key: aws.String(key), CopySource: aws.String(copySource(b, key)),
			MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"v": "2"},
		})
		mustOK(t, err, "copy to itself with REPLACE")
		_, err = f.aws.CopyObject(bg, &s3.CopyObjectInput{
			Bucket: aws.String(b), Key: aws.String(key), CopySource: aws.String(copySource(b, key)), StorageClass: types.StorageClassStandardIa,
		})
		mustOK(t, err, "copy to itself with a new storage class")
		out, err := f.aws.CopyObject(bg, &s3.CopyObjectInput{
			Bucket: aws.String(b), Key: aws.String(key), CopySource: aws.String(copySource(b, key)), ChecksumAlgorithm: types.ChecksumAlgorithmSha1,
		})
		mustOK(t, err, "copy to itself with a new checksum")
		if aws.ToString(out.CopyObjectResult.ChecksumSHA1) != checksumOf("SHA1", []byte("self")) {
			t.Errorf("recomputed sha1 %q", aws.ToString(out.CopyObjectResult.ChecksumSHA1))
		}
		head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
		mustOK(t, err, "HeadObject")
		if head.Metadata["v"] != "2" || head.StorageClass != types.StorageClassStandardIa {
			t.Errorf("after self copies: %+v", head)
		}
	})

	t.Run("SourceConditions", func(t *testing.T) {
		t.Parallel()
		headSrc, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(srcKey)})
		mustOK(t, err, "HeadObject source")
		lm := aws.ToTime(headSrc.LastModified)
		past, future := lm.Add(-time.Hour), lm.Add(time.Hour)
		cases := []struct {
			name string
			in   s3.CopyObjectInput
			ok   bool
		}{
			{"IfMatchTrue", s3.CopyObjectInput{CopySourceIfMatch: aws.String(srcETag)}, true},
			{"IfMatchFalse", s3.CopyObjectInput{CopySourceIfMatch: aws.String(`"abc"`)}, false},
			{"IfNoneMatchTrue", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(`"abc"`)}, true},
			{"IfNoneMatchFalse", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(srcETag)}, false},
			{"IfModifiedSinceTrue", s3.CopyObjectInput{CopySourceIfModifiedSince: aws.Time(past)}, true},
			{"IfModifiedSinceFalse", s3.CopyObjectInput{CopySourceIfModifiedSince: aws.Time(future)}, false},
			{"IfUnmodifiedSinceTrue", s3.CopyObjectInput{CopySourceIfUnmodifiedSince: aws.Time(future)}, true},
			{"IfUnmodifiedSinceFalse", s3.CopyObjectInput{CopySourceIfUnmodifiedSince: aws.Time(past)}, false},
			// The two combinations the CopyObject reference spells out
			// (AWS SDK reference, CopySourceIfNoneMatch and
			// CopySourceIfUnmodifiedSince): match true + unmodified false
			// copies, none-match false + modified true is 412.
			{"MatchTrueUnmodifiedFalse", s3.CopyObjectInput{CopySourceIfMatch: aws.String(srcETag), CopySourceIfUnmodifiedSince: aws.Time(past)}, true},
			{"NoneMatchFalseModifiedTrue", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(srcETag), CopySourceIfModifiedSince: aws.Time(past)}, false},
			// Unspecified there; If-None-Match decides, as RFC 7232 says.
			{"NoneMatchTrueModifiedFalse", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(`"abc"`), CopySourceIfModifiedSince: aws.Time(future)}, true},
		}
		for _, c := range cases {
			in := c.in
			in.Bucket, in.Key, in.CopySource = aws.String(b), aws.String("cond/"+c.name), aws.String(copySource(b, srcKey))
			_, err := f.aws.CopyObject(bg, &in)
			if c.ok {
				mustOK(t, err, c.name)
				continue
			}
			wantAWSError(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
			_, err = f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("cond/" + c.name)})
			wantAWSError(t, err, "", http.StatusNotFound)
		}
		_, err = f.minio.CopyObject(bg, minio.CopyDestOptions{Bucket: b, Object: "cond/minio"}, minio.CopySrcOptions{Bucket: b, Object: srcKey, MatchETag: "nope"})
		wantMinioError(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
		_, err = f.minio.CopyObject(bg, minio.CopyDestOptions{Bucket: b, Object: "cond/minio"}, minio.CopySrcOptions{Bucket: b, Object: srcKey, MatchETag: md5Hex(data)})
		mustOK(t, err, "minio copy with matching ETag")
	})

	t.Run("MissingSource", func(t *testing.T) {
		t.Parallel()
		_, err := f.aws.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("x"), CopySource: aws.String(copySource(b, "absent"))})
		wantAWSError(t, err, "NoSuchKey", http.StatusNotFound)
		_, err = f.aws.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("x"), CopySource: aws.String(copySource("no-such-bucket-"+randomHex(3), "k"))})
		wantAWSError(t, err, "NoSuchBucket", http.StatusNotFound)
		_, err = f.aws.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String("no-such-dest-" + randomHex(3)), Key: aws.String("x"), CopySource: aws.String(copySource(b, srcKey))})
		wantAWSError(t, err, "NoSuchBucket", http.StatusNotFound)
	})

	t.Run("RawResult", func(t *testing.T) {
		t.Parallel()
		resp := f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "copy/raw"), header: hdr("X-Amz-Copy-Source", "/"+copySource(b, srcKey))})
		resp.wantStatus(t, http.StatusOK)
		var r copyResult
		resp.xmlBody(t, &r)
		if r.ETag != srcETag || !strings.HasSuffix(r.LastModified, "Z") {
			t.Errorf("CopyObjectResult %+v", r)
		}
	})
}

// countBlobFiles counts the committed blobs of the server's file store
// (<data>/blobs/<shard>/<id>).
func countBlobFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			n++
		}
		return nil
	})
	mustOK(t, err, "walk blob directory")
	return n
}

// TestCopySharesData checks that a copy references the source's blob
// rather than writing another, and that the shared data outlives the
// source's deletion and a garbage collection.
func TestCopySharesData(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	data := payload(1<<20 + 7)
	put := f.put(t, b, "source", data)
	before := countBlobFiles(t, f.srv.DataDir)
	if before != 1 {
		t.Fatalf("%d blob files after one 1 MiB PUT, want 1", before)
	}
	for i, key := range []string{"copy-1", "copy-2"} {
		out, err := f.aws.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String(key), CopySource: aws.String(copySource(b, "source"))})
		mustOK(t, err, "CopyObject")
		if aws.ToString(out.CopyObjectResult.ETag) != aws.ToString(put.ETag) {
			t.Errorf("copy %d ETag %s", i, aws.ToString(out.CopyObjectResult.ETag))
		}
	}
	if after := countBlobFiles(t, f.srv.DataDir); after != before {
		t.Errorf("copies wrote data: %d blob files before, %d after", before, after)
	}
	_, err := f.aws.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("source")})
	mustOK(t, err, "DeleteObject source")
	if _, err := f.srv.Server().Service().CollectGarbage(bg); err != nil {
		t.Fatalf("CollectGarbage: %v", err)
	}
	for _, key := range []string{"copy-1", "copy-2"} {
		head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
		mustOK(t, err, "HeadObject "+key)
		if aws.ToString(head.ETag) != aws.ToString(put.ETag) || aws.ToInt64(head.ContentLength) != int64(len(data)) {
			t.Errorf("%s: ETag %s length %d", key, aws.ToString(head.ETag), aws.ToInt64(head.ContentLength))
		}
		if got := f.get(t, b, key); !bytes.Equal(got, data) {
			t.Fatalf("%s unreadable after the source was deleted and collected", key)
		}
	}
	// Deleting every reference frees the blob.
	for _, key := range []string{"copy-1", "copy-2"} {
		_, err := f.aws.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
		mustOK(t, err, "DeleteObject "+key)
	}
	if _, err := f.srv.Server().Service().CollectGarbage(bg); err != nil {
		t.Fatalf("CollectGarbage: %v", err)
	}
	if after := countBlobFiles(t, f.srv.DataDir); after != before-1 {
		t.Errorf("blob files after deleting every copy: %d, want %d", after, before-1)
	}
}
