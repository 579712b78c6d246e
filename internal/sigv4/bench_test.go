package sigv4

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// rewindBody is a request body the benchmarks rewind instead of reallocating.
type rewindBody struct{ bytes.Reader }

func (*rewindBody) Close() error { return nil }

// benchRequest is a wire-parsed request whose body can be replayed.
func benchRequest(b *testing.B, r *http.Request, body []byte) (*http.Request, *rewindBody) {
	b.Helper()
	w := wireRoundTrip(b, r)
	rb := &rewindBody{}
	rb.Reset(body)
	w.Body = rb
	return w, rb
}

func runVerify(b *testing.B, v *Verifier, r *http.Request, rb *rewindBody, body []byte, size int) {
	b.Helper()
	buf := make([]byte, 32<<10)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rb.Reset(body)
		res, err := v.Verify(r)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := res.Body.Read(buf)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkVerifyHeaderAuth is the hot path: a 4 KiB PUT signed in the
// Authorization header with its SHA-256, verified and read to the end.
func BenchmarkVerifyHeaderAuth(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 4<<10)
	sum := sha256Sum(body)
	hash := hexString(sum[:])
	r, _ := http.NewRequest(http.MethodPut, "http://127.0.0.1:9000/bucket/dir/object-0001.bin", bytes.NewReader(body))
	r.Header.Set("X-Amz-Content-Sha256", hash)
	r.Header.Set("Content-Type", "application/octet-stream")
	r.Header.Set("User-Agent", "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26")
	r.Header.Set("Amz-Sdk-Invocation-Id", "0d6a2d4e-4a1b-4f8e-9f53-2a4b8c1d2e3f")
	r.Header.Set("X-Amz-Checksum-Crc32", "AAAAAA==")
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSK}, r, hash, "s3", "us-east-1", testNow); err != nil {
		b.Fatal(err)
	}
	w, rb := benchRequest(b, r, body)
	runVerify(b, testVerifier(), w, rb, body, len(body))
}

// BenchmarkVerifyHeaderAuthGET is a signed GET with an empty payload.
func BenchmarkVerifyHeaderAuthGET(b *testing.B) {
	r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:9000/bucket/dir/object-0001.bin?versionId=abc", nil)
	r.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	r.Header.Set("Range", "bytes=0-4095")
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSK}, r, emptySHA256, "s3", "us-east-1", testNow); err != nil {
		b.Fatal(err)
	}
	w, rb := benchRequest(b, r, nil)
	w.Body = http.NoBody
	runVerify(b, testVerifier(), w, rb, nil, 0)
}

// BenchmarkVerifyUnsignedTrailer is the 4 KiB PUT the AWS SDKs send over TLS.
func BenchmarkVerifyUnsignedTrailer(b *testing.B) {
	payload := bytes.Repeat([]byte("x"), 4<<10)
	c := newChunkedSetup(b, streamingUnsigned, len(payload), "x-amz-checksum-crc32")
	body := []byte(unsignedBody([][]byte{payload}, "x-amz-checksum-crc32:AAAAAA=="))
	w, rb := benchRequest(b, c.req, body)
	runVerify(b, testVerifier(), w, rb, body, len(payload))
}

// BenchmarkVerifySignedChunks is a 4 KiB PUT with chunk signatures, as minio-go sends over HTTP.
func BenchmarkVerifySignedChunks(b *testing.B) {
	payload := bytes.Repeat([]byte("x"), 4<<10)
	c := newChunkedSetup(b, streamingSigned, len(payload), "")
	body := []byte(c.signedBody([][]byte{payload}, nil))
	w, rb := benchRequest(b, c.req, body)
	runVerify(b, testVerifier(), w, rb, body, len(payload))
}
