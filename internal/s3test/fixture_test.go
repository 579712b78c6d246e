package s3test_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/minio/minio-go/v7"

	"github.com/cairn-s3/cairn/internal/s3test"
)

// The tests in this package drive a real Cairn server on loopback with
// aws-sdk-go-v2, minio-go and hand-signed raw requests, one file per area:
// buckets, objects (put/get/head), read (ranges, conditionals, overrides),
// checksums, copy, delete, listing (with a random-operation oracle),
// tagging, auth and streaming payloads, users, virtual hosts, protocol
// details, a sweep of malformed requests, and multipart uploads
// (multipart_*_test.go).

// fixture is one running server with root's clients: the AWS SDK, minio-go
// and the raw signer. Tests sharing a fixture use distinct buckets so their
// subtests can run in parallel.
type fixture struct {
	srv   *s3test.Server
	aws   *s3.Client
	minio *minio.Client
	raw   *rawClient
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv := s3test.Start(t)
	return &fixture{
		srv:   srv,
		aws:   srv.AWS(t, s3test.Root),
		minio: srv.Minio(t, s3test.Root),
		raw:   newRawClient(srv, s3test.Root),
	}
}

// bucketSeq makes bucket names unique across a test binary's fixtures.
var bucketSeq atomic.Int64

// bucket creates a fresh bucket for root and returns its name.
func (f *fixture) bucket(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("bkt-%d-%s", bucketSeq.Add(1), strings.ToLower(randomHex(3)))
	if _, err := f.aws.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
	return name
}

// put stores data at bucket/key through the AWS SDK.
func (f *fixture) put(t *testing.T, bucket, key string, data []byte) *s3.PutObjectOutput {
	t.Helper()
	out, err := f.aws.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
	})
	if err != nil {
		t.Fatalf("PutObject %s/%q: %v", bucket, key, err)
	}
	return out
}

// get reads bucket/key through the AWS SDK.
func (f *fixture) get(t *testing.T, bucket, key string) []byte {
	t.Helper()
	out, err := f.aws.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%q: %v", bucket, key, err)
	}
	defer out.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(out.Body); err != nil {
		t.Fatalf("GetObject %s/%q: read body: %v", bucket, key, err)
	}
	return b.Bytes()
}

// wantAWSError checks that err is an S3 error with the given code and
// HTTP status, carrying a request ID.
func wantAWSError(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("got success, want %s (%d)", code, status)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("got %v, want an HTTP response error %s", err, code)
	}
	if re.HTTPStatusCode() != status {
		t.Errorf("status %d, want %d (%v)", re.HTTPStatusCode(), status, err)
	}
	if re.ServiceRequestID() == "" {
		t.Errorf("error without request id: %v", err)
	}
	// HEAD answers carry no body, so the SDK only knows the status there.
	if code == "" {
		return
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Errorf("code %s, want %s (%v)", ae.ErrorCode(), code, err)
	}
}

// wantMinioError checks a minio-go error's code and status.
func wantMinioError(t *testing.T, err error, code string, status int) minio.ErrorResponse {
	t.Helper()
	if err == nil {
		t.Fatalf("got success, want %s (%d)", code, status)
	}
	er := minio.ToErrorResponse(err)
	if er.StatusCode != status {
		t.Errorf("status %d, want %d (%v)", er.StatusCode, status, err)
	}
	if code != "" && er.Code != code {
		t.Errorf("code %q, want %s (%v)", er.Code, code, err)
	}
	if er.RequestID == "" {
		t.Errorf("error without request id: %#v", er)
	}
	return er
}

func mustOK(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

// payload returns n pseudo-random bytes; every call differs.
func payload(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

var bg = context.Background()

// statusOf extracts the HTTP status of an SDK error, 0 if none.
func statusOf(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
