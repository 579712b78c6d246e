package s3test_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/cairn-s3/cairn/internal/s3test"
)

// dialTo is a transport that sends every connection to addr, so virtual
// host names need no DNS.
func dialTo(addr string) *http.Transport {
	d := &net.Dialer{}
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}
}

func TestVirtualHost(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	vh := f.srv.AWS(t, s3test.Root, f.srv.VirtualHost())
	_, port, _ := net.SplitHostPort(f.srv.Addr)

	t.Run("AWSEveryBasicOp", func(t *testing.T) {
		t.Parallel()
		for _, b := range []string{"vh-" + randomHex(4), "dotted.vh." + randomHex(4)} {
			_, err := vh.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(b)})
			mustOK(t, err, "CreateBucket "+b)
			_, err = vh.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String(b)})
			mustOK(t, err, "HeadBucket")
			loc, err := vh.GetBucketLocation(bg, &s3.GetBucketLocationInput{Bucket: aws.String(b)})
			mustOK(t, err, "GetBucketLocation")
			if loc.LocationConstraint != "" {
				t.Errorf("location %q", loc.LocationConstraint)
			}
			data := []byte("virtual " + b)
			key := "dir/a key+é"
			_, err = vh.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(data), Metadata: map[string]string{"m": "1"}})
			mustOK(t, err, "PutObject")
			out, err := vh.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key), Range: aws.String("bytes=0-6")})
			mustOK(t, err, "GetObject")
			got, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if string(got) != "virtual" {
				t.Errorf("range GET %q", got)
			}
			head, err := vh.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
			mustOK(t, err, "HeadObject")
			if head.Metadata["m"] != "1" {
				t.Errorf("metadata %v", head.Metadata)
			}
			_, err = vh.CopyObject(bg, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy"), CopySource: aws.String(copySource(b, key))})
			mustOK(t, err, "CopyObject")
			_, err = vh.PutObjectTagging(bg, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("copy"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
			mustOK(t, err, "PutObjectTagging")
			tags, err := vh.GetObjectTagging(bg, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("copy")})
			mustOK(t, err, "GetObjectTagging")
			if len(tags.TagSet) != 1 {
				t.Errorf("tags %+v", tags.TagSet)
			}
			_, err = vh.DeleteObjectTagging(bg, &s3.DeleteObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("copy")})
			mustOK(t, err, "DeleteObjectTagging")
			l, err := vh.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(b), Delimiter: aws.String("/")})
			mustOK(t, err, "ListObjectsV2")
			if len(l.Contents) != 1 || aws.ToString(l.Contents[0].Key) != "copy" || len(l.CommonPrefixes) != 1 || aws.ToString(l.CommonPrefixes[0].Prefix) != "dir/" {
				t.Errorf("listing %+v %+v", l.Contents, l.CommonPrefixes)
			}
			l1, err := vh.ListObjects(bg, &s3.ListObjectsInput{Bucket: aws.String(b)})
			mustOK(t, err, "ListObjects")
			if len(l1.Contents) != 2 {
				t.Errorf("v1 listing %d", len(l1.Contents))
			}
			_, err = vh.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String(b)})
			wantAWSError(t, err, "BucketNotEmpty", http.StatusConflict)
			_, err = vh.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("copy")})
			mustOK(t, err, "DeleteObject")
			_, err = vh.DeleteObjects(bg, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String(key)}}}})
			mustOK(t, err, "DeleteObjects")
			_, err = vh.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
			wantAWSError(t, err, "NoSuchKey", http.StatusNotFound)
			_, err = vh.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String(b)})
			mustOK(t, err, "DeleteBucket")
			_, err = vh.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String(b)})
			wantAWSError(t, err, "", http.StatusNotFound)
		}
		// ListBuckets goes to the bare domain.
		_, err := vh.ListBuckets(bg, &s3.ListBucketsInput{})
		mustOK(t, err, "ListBuckets")
	})

	t.Run("Minio", func(t *testing.T) {
		t.Parallel()
		mc, err := minio.New(f.srv.Domain+":"+port, &minio.Options{
			Creds:        miniocreds.NewStaticV4(s3test.Root.AccessKey, s3test.Root.SecretKey, ""),
			Region:       "us-east-1",
			BucketLookup: minio.BucketLookupDNS,
			Transport:    dialTo(f.srv.Addr),
		})
		mustOK(t, err, "minio client")
		b := "vh-minio-" + randomHex(4)
		mustOK(t, mc.MakeBucket(bg, b, minio.MakeBucketOptions{}), "MakeBucket")
		data := payload(100 << 10) // streamed as signed chunks
		_, err = mc.PutObject(bg, b, "k/ey", bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{})
		mustOK(t, err, "PutObject")
		obj, err := mc.GetObject(bg, b, "k/ey", minio.GetObjectOptions{})
		mustOK(t, err, "GetObject")
		got, err := io.ReadAll(obj)
		obj.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("GetObject: %d bytes, %v", len(got), err)
		}
		n := 0
		for o := range mc.ListObjects(bg, b, minio.ListObjectsOptions{Recursive: true}) {
			mustOK(t, o.Err, "ListObjects")
			n++
		}
		if n != 1 {
			t.Errorf("listed %d", n)
		}
		mustOK(t, mc.RemoveObject(bg, b, "k/ey", minio.RemoveObjectOptions{}), "RemoveObject")
		mustOK(t, mc.RemoveBucket(bg, b), "RemoveBucket")
		// Presigned virtual-host URLs.
		b2 := "vh-presign-" + randomHex(4)
		mustOK(t, mc.MakeBucket(bg, b2, minio.MakeBucketOptions{}), "MakeBucket")
		u, err := mc.PresignedPutObject(bg, b2, "p", time.Minute)
		mustOK(t, err, "PresignedPutObject")
		req, _ := http.NewRequest(http.MethodPut, u.String(), strings.NewReader("presigned"))
		resp, err := (&http.Client{Transport: dialTo(f.srv.Addr)}).Do(req)
		mustOK(t, err, "presigned PUT")
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(u.Host, b2+".") {
			t.Errorf("presigned virtual-host PUT to %s: %d", u.Host, resp.StatusCode)
		}
		if got := f.get(t, b2, "p"); string(got) != "presigned" {
			t.Errorf("presigned upload %q", got)
		}
	})

	t.Run("RawHosts", func(t *testing.T) {
		t.Parallel()
		b := f.bucket(t)
		f.put(t, b, "k", []byte("raw"))
		host := b + "." + f.srv.Domain + ":" + port
		resp := f.raw.do(t, rawRequest{method: http.MethodGet, path: "/k", host: host})
		resp.wantStatus(t, http.StatusOK)
		if string(resp.body) != "raw" {
			t.Errorf("vhost GET %q", resp.body)
		}
		// Without a port, and with the bucket's own listing.
		resp = f.raw.do(t, rawRequest{method: http.MethodGet, path: "/", query: "list-type=2", host: b + "." + f.srv.Domain})
		resp.wantStatus(t, http.StatusOK)
		var l listResult
		resp.xmlBody(t, &l)
		if l.Name != b || len(l.Contents) != 1 {
			t.Errorf("vhost listing %+v", l)
		}
		// The bare domain is path-style.
		resp = f.raw.do(t, rawRequest{method: http.MethodGet, path: "/" + b + "/k", host: f.srv.Domain + ":" + port})
		resp.wantStatus(t, http.StatusOK)
		// An unknown host is path-style too.
		resp = f.raw.do(t, rawRequest{method: http.MethodGet, path: "/" + b + "/k", host: "example.org"})
		resp.wantStatus(t, http.StatusOK)
		// Errors for virtual-host requests are documents too.
		f.raw.do(t, rawRequest{method: http.MethodGet, path: "/absent", host: host}).wantError(t, "NoSuchKey", http.StatusNotFound)
		f.raw.do(t, rawRequest{method: http.MethodGet, path: "/", host: "no-such-" + randomHex(3) + "." + f.srv.Domain}).
			wantError(t, "NoSuchBucket", http.StatusNotFound)
		resp = f.raw.do(t, rawRequest{method: http.MethodGet, path: "/", host: "Bad_Bucket." + f.srv.Domain})
		if resp.status < 400 || resp.status >= 500 {
			t.Errorf("invalid bucket host: %d", resp.status)
		}
		resp.errorDoc(t)
	})
}
