package s3test_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

func md5Base64(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func TestPutGetHead(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)

	t.Run("HeadersAndMetadataAWS", func(t *testing.T) {
		t.Parallel()
		data := []byte("hello, headers")
		expires := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
		put, err := f.aws.PutObject(bg, &s3.PutObjectInput{
			Bucket:             aws.String(b),
			Key:                aws.String("headers/aws"),
			Body:               bytes.NewReader(data),
			ContentType:        aws.String("text/plain; charset=utf-8"),
			ContentEncoding:    aws.String("identity"),
			ContentDisposition: aws.String(`attachment; filename="a b.txt"`),
			ContentLanguage:    aws.String("de-CH"),
			CacheControl:       aws.String("max-age=60, private"),
			Expires:            aws.Time(expires),
			Metadata:           map[string]string{"Color": "Blue", "multi-word": "a b  c", "empty": ""},
		})
		mustOK(t, err, "PutObject")
		if aws.ToString(put.ETag) != `"`+md5Hex(data)+`"` {
			t.Errorf("PutObject ETag %s", aws.ToString(put.ETag))
		}
		for _, method := range []string{"GET", "HEAD"} {
			var h struct {
				ct, ce, cd, cl, cc, etag string
				exp                      *time.Time
				meta                     map[string]string
				length                   int64
			}
			if method == "GET" {
				out, err := f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("headers/aws")})
				mustOK(t, err, "GetObject")
				got, _ := io.ReadAll(out.Body)
				out.Body.Close()
				if !bytes.Equal(got, data) {
					t.Fatalf("GET body %q", got)
				}
				h.ct, h.ce, h.cd, h.cl, h.cc = aws.ToString(out.ContentType), aws.ToString(out.ContentEncoding), aws.ToString(out.ContentDisposition), aws.ToString(out.ContentLanguage), aws.ToString(out.CacheControl)
				h.etag, h.exp, h.meta, h.length = aws.ToString(out.ETag), out.Expires, out.Metadata, aws.ToInt64(out.ContentLength)
			} else {
				out, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("headers/aws")})
				mustOK(t, err, "HeadObject")
				h.ct, h.ce, h.cd, h.cl, h.cc = aws.ToString(out.ContentType), aws.ToString(out.ContentEncoding), aws.ToString(out.ContentDisposition), aws.ToString(out.ContentLanguage), aws.ToString(out.CacheControl)
				h.etag, h.exp, h.meta, h.length = aws.ToString(out.ETag), out.Expires, out.Metadata, aws.ToInt64(out.ContentLength)
			}
			if h.ct != "text/plain; charset=utf-8" || h.ce != "identity" || h.cd != `attachment; filename="a b.txt"` || h.cl != "de-CH" || h.cc != "max-age=60, private" {
				t.Errorf("%s headers %+v", method, h)
			}
			if h.exp == nil || !h.exp.Equal(expires) {
				t.Errorf("%s Expires %v", method, h.exp)
			}
			if h.etag != `"`+md5Hex(data)+`"` || h.length != int64(len(data)) {
				t.Errorf("%s ETag %s length %d", method, h.etag, h.length)
			}
			if h.meta["color"] != "Blue" || h.meta["multi-word"] != "a b  c" || len(h.meta) != 3 {
				t.Errorf("%s metadata %v", method, h.meta)
			}
		}
	})

	t.Run("HeadersAndMetadataMinio", func(t *testing.T) {
		t.Parallel()
		data := payload(1000)
		_, err := f.minio.PutObject(bg, b, "headers/minio", bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{
			ContentType:        "image/png",
			ContentEncoding:    "gzip",
			ContentDisposition: "inline",
			CacheControl:       "no-cache",
			UserMetadata:       map[string]string{"Owner": "minio"},
		})
		mustOK(t, err, "minio PutObject")
		st, err := f.minio.StatObject(bg, b, "headers/minio", minio.StatObjectOptions{})
		mustOK(t, err, "StatObject")
		if st.ContentType != "image/png" || st.Size != int64(len(data)) || st.ETag != md5Hex(data) {
			t.Errorf("stat %+v", st)
		}
		if st.Metadata.Get("Content-Encoding") != "gzip" || st.Metadata.Get("Content-Disposition") != "inline" || st.Metadata.Get("Cache-Control") != "no-cache" {
			t.Errorf("stat headers %v", st.Metadata)
		}
		if st.UserMetadata["Owner"] != "minio" {
			t.Errorf("user metadata %v", st.UserMetadata)
		}
		obj, err := f.minio.GetObject(bg, b, "headers/minio", minio.GetObjectOptions{})
		mustOK(t, err, "minio GetObject")
		got, err := io.ReadAll(obj)
		obj.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("minio GetObject: %d bytes, %v", len(got), err)
		}
	})

	t.Run("DefaultContentType", func(t *testing.T) {
		t.Parallel()
		f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "no-type"), body: []byte("x")}).wantStatus(t, http.StatusOK)
		resp := f.raw.do(t, rawRequest{method: http.MethodHead, path: objectPath(b, "no-type")})
		resp.wantStatus(t, http.StatusOK)
		if ct := resp.header.Get("Content-Type"); ct != "binary/octet-stream" {
			t.Errorf("Content-Type %q", ct)
		}
		if resp.header.Get("Accept-Ranges") != "bytes" || resp.header.Get("Last-Modified") == "" || resp.header.Get("Content-Length") != "1" {
			t.Errorf("HEAD headers %v", resp.header)
		}
	})

	t.Run("MetadataTooLarge", func(t *testing.T) {
		t.Parallel()
		_, err := f.aws.PutObject(bg, &s3.PutObjectInput{
			Bucket: aws.String(b), Key: aws.String("big-meta"), Body: strings.NewReader("x"),
			Metadata: map[string]string{"a": strings.Repeat("v", 2100)},
		})
		wantAWSError(t, err, "MetadataTooLarge", http.StatusBadRequest)
		_, err = f.minio.PutObject(bg, b, "big-meta", strings.NewReader("x"), 1, minio.PutObjectOptions{
			UserMetadata: map[string]string{"a": strings.Repeat("v", 1100), "b": strings.Repeat("w", 1100)},
		})
		wantMinioError(t, err, "MetadataTooLarge", http.StatusBadRequest)
		_, err = f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("big-meta")})
		wantAWSError(t, err, "", http.StatusNotFound)
	})

	t.Run("ContentMD5", func(t *testing.T) {
		t.Parallel()
		data := []byte("digest me")
		_, err := f.aws.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("md5/ok"), Body: bytes.NewReader(data), ContentMD5: aws.String(md5Base64(data))})
		mustOK(t, err, "PutObject with correct Content-MD5")
		_, err = f.aws.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("md5/bad"), Body: bytes.NewReader(data), ContentMD5: aws.String(md5Base64([]byte("other")))})
		wantAWSError(t, err, "BadDigest", http.StatusBadRequest)
		_, err = f.minio.PutObject(bg, b, "md5/minio", bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{SendContentMd5: true})
		mustOK(t, err, "minio PutObject with Content-MD5")

		d := f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "md5/bad"), body: data, header: hdr("Content-MD5", md5Base64([]byte("other")))}).
			wantError(t, "BadDigest", http.StatusBadRequest)
		if d.ExpectedDigest != md5Base64([]byte("other")) || d.CalculatedDigest != md5Base64(data) {
			t.Errorf("BadDigest fields %+v", d)
		}
		for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short")), " "} {
			f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "md5/invalid"), body: data, header: hdr("Content-MD5", bad)}).
				wantError(t, "InvalidDigest", http.StatusBadRequest)
		}
		_, err = f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("md5/bad")})
		wantAWSError(t, err, "", http.StatusNotFound)
	})

	t.Run("ZeroByte", func(t *testing.T) {
		t.Parallel()
		emptyETag := `"d41d8cd98f00b204e9800998ecf8427e"`
		put, err := f.aws.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("empty/aws"), Body: bytes.NewReader(nil)})
		mustOK(t, err, "PutObject empty")
		if aws.ToString(put.ETag) != emptyETag {
			t.Errorf("ETag %s", aws.ToString(put.ETag))
		}
		_, err = f.minio.PutObject(bg, b, "empty/minio", bytes.NewReader(nil), 0, minio.PutObjectOptions{})
		mustOK(t, err, "minio PutObject empty")
		f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "empty/raw")}).wantStatus(t, http.StatusOK)
		for _, key := range []string{"empty/aws", "empty/minio", "empty/raw"} {
			if got := f.get(t, b, key); len(got) != 0 {
				t.Errorf("%s: %d bytes", key, len(got))
			}
			head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
			mustOK(t, err, "HeadObject "+key)
			if aws.ToInt64(head.ContentLength) != 0 || aws.ToString(head.ETag) != emptyETag {
				t.Errorf("%s: length %d ETag %s", key, aws.ToInt64(head.ContentLength), aws.ToString(head.ETag))
			}
		}
		// A range of an empty object selects nothing.
		f.raw.do(t, rawRequest{method: http.MethodGet, path: objectPath(b, "empty/raw"), header: hdr("Range", "bytes=0-0")}).
			wantError(t, "InvalidRange", http.StatusRequestedRangeNotSatisfiable)
	})

	t.Run("LargeStreamed", func(t *testing.T) {
		t.Parallel()
		// Sizes around the inline limit and a few MiB, through both SDKs:
		// the AWS SDK signs the whole payload's SHA-256, minio-go streams
		// signed aws-chunked bodies.
		for _, size := range []int{64<<10 - 1, 64 << 10, 64<<10 + 1, 3<<20 + 17} {
			data := payload(size)
			key := "large/aws-" + strconv.Itoa(size)
			put := f.put(t, b, key, data)
			if aws.ToString(put.ETag) != `"`+md5Hex(data)+`"` {
				t.Errorf("%s: ETag %s", key, aws.ToString(put.ETag))
			}
			if got := f.get(t, b, key); !bytes.Equal(got, data) {
				t.Fatalf("%s: read back %d bytes, differ", key, len(got))
			}
		}
		data := payload(6<<20 + 5)
		info, err := f.minio.PutObject(bg, b, "large/minio", bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{DisableMultipart: true})
		mustOK(t, err, "minio PutObject 6 MiB")
		if info.ETag != md5Hex(data) || info.Size != int64(len(data)) {
			t.Errorf("minio upload info %+v", info)
		}
		obj, err := f.minio.GetObject(bg, b, "large/minio", minio.GetObjectOptions{})
		mustOK(t, err, "minio GetObject")
		got, err := io.ReadAll(obj)
		obj.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("minio read back %d bytes: %v", len(got), err)
		}
	})

	t.Run("OddKeys", func(t *testing.T) {
		t.Parallel()
		keys := []string{"odd/a//b", "/odd-lead", "odd/trail/", "odd/./dot", "odd/../up", "odd/q?mark&x=y", "odd/hash#frag", "odd/%2F-literal", "odd/+plus", "odd/ sp ", "odd/日本語", "odd/tab\t"}
		for i, k := range keys {
			data := []byte("key " + k)
			if i%2 == 0 {
				f.put(t, b, k, data)
			} else {
				_, err := f.minio.PutObject(bg, b, k, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{})
				mustOK(t, err, "minio PutObject "+k)
			}
			if got := f.get(t, b, k); !bytes.Equal(got, data) {
				t.Errorf("%q read back %q", k, got)
			}
			obj, err := f.minio.GetObject(bg, b, k, minio.GetObjectOptions{})
			mustOK(t, err, "minio GetObject")
			got, err := io.ReadAll(obj)
			obj.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("minio %q read back %q, %v", k, got, err)
			}
		}
		var listed []string
		for _, p := range []string{"/", "odd"} {
			out, err := f.aws.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String(p)})
			mustOK(t, err, "ListObjectsV2")
			for _, o := range out.Contents {
				listed = append(listed, aws.ToString(o.Key))
			}
		}
		want := slices.Clone(keys)
		slices.Sort(want)
		if !slices.Equal(listed, want) {
			t.Errorf("listed %q, want %q", listed, want)
		}
	})

	t.Run("Overwrite", func(t *testing.T) {
		t.Parallel()
		f.put(t, b, "over", payload(100<<10))
		second := []byte("short now")
		f.put(t, b, "over", second)
		if got := f.get(t, b, "over"); !bytes.Equal(got, second) {
			t.Fatalf("after overwrite: %q", got)
		}
	})

	t.Run("NoSuchKey", func(t *testing.T) {
		t.Parallel()
		_, err := f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("absent/key")})
		wantAWSError(t, err, "NoSuchKey", http.StatusNotFound)
		_, err = f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("absent/key")})
		wantAWSError(t, err, "", http.StatusNotFound)
		_, err = f.minio.StatObject(bg, b, "absent/key", minio.StatObjectOptions{})
		wantMinioError(t, err, "NoSuchKey", http.StatusNotFound)
		d := f.raw.do(t, rawRequest{method: http.MethodGet, path: objectPath(b, "absent/key")}).wantError(t, "NoSuchKey", http.StatusNotFound)
		if d.Key != "absent/key" || d.Resource != "/"+b+"/absent/key" {
			t.Errorf("NoSuchKey Key %q Resource %q", d.Key, d.Resource)
		}
		resp := f.raw.do(t, rawRequest{method: http.MethodHead, path: objectPath(b, "absent/key")})
		if resp.status != http.StatusNotFound || len(resp.body) != 0 || resp.header.Get("x-amz-request-id") == "" {
			t.Errorf("HEAD absent: %d %q %v", resp.status, resp.body, resp.header)
		}
	})

	t.Run("ConditionalWrite", func(t *testing.T) {
		t.Parallel()
		_, err := f.aws.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("cond/new"), Body: strings.NewReader("1"), IfNoneMatch: aws.String("*")})
		mustOK(t, err, "PutObject If-None-Match * on a new key")
		_, err = f.aws.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("cond/new"), Body: strings.NewReader("2"), IfNoneMatch: aws.String("*")})
		wantAWSError(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
		_, err = f.aws.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("cond/new"), Body: strings.NewReader("3"), IfMatch: aws.String(`"` + md5Hex([]byte("1")) + `"`)})
		mustOK(t, err, "PutObject If-Match current ETag")
		_, err = f.aws.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("cond/new"), Body: strings.NewReader("4"), IfMatch: aws.String(`"` + md5Hex([]byte("1")) + `"`)})
		wantAWSError(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
		_, err = f.aws.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("cond/absent"), Body: strings.NewReader("5"), IfMatch: aws.String(`"abc"`)})
		wantAWSError(t, err, "NoSuchKey", http.StatusNotFound)
		if got := f.get(t, b, "cond/new"); string(got) != "3" {
			t.Errorf("after conditional writes: %q", got)
		}
	})

	t.Run("StorageClass", func(t *testing.T) {
		t.Parallel()
		_, err := f.minio.PutObject(bg, b, "sc/ia", strings.NewReader("x"), 1, minio.PutObjectOptions{StorageClass: "STANDARD_IA"})
		mustOK(t, err, "PutObject STANDARD_IA")
		head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("sc/ia")})
		mustOK(t, err, "HeadObject")
		if head.StorageClass != "STANDARD_IA" {
			t.Errorf("storage class %q", head.StorageClass)
		}
		f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "sc/bad"), body: []byte("x"), header: hdr("X-Amz-Storage-Class", "DEEP_FREEZER")}).
			wantError(t, "InvalidStorageClass", http.StatusBadRequest)
	})
}
