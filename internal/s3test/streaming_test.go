package s3test_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/signer"

	"github.com/cairn-s3/cairn/internal/s3test"
)

// sha256Hasher satisfies minio-go's md5simd.Hasher for its streaming signer.
type sha256Hasher struct{ hash.Hash }

func (sha256Hasher) Close() {}

// flipReader corrupts one byte of a stream at offset at.
type flipReader struct {
	r   io.ReadCloser
	at  int64
	pos int64
}

func (f *flipReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if f.at >= f.pos && f.at < f.pos+int64(n) {
		p[f.at-f.pos] ^= 0x01
	}
	f.pos += int64(n)
	return n, err
}

func (f *flipReader) Close() error { return f.r.Close() }

// minioStreamingPut builds a PUT signed by minio-go's aws-chunked signer
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or its -TRAILER form when trailer is
// set) for the test to send, perhaps after tampering with it.
func minioStreamingPut(t *testing.T, srv *s3test.Server, bucket, key string, data []byte, trailer http.Header) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, srv.URL+objectPath(bucket, key), bytes.NewReader(data))
	mustOK(t, err, "new request")
	req.Trailer = trailer
	return signer.StreamingSignV4(req, s3test.Root.AccessKey, s3test.Root.SecretKey, "", "us-east-1", int64(len(data)), time.Now().UTC(), sha256Hasher{sha256.New()})
}

// unsignedChunked frames data as aws-chunked without signatures, chunk bytes
// at a time, followed by the trailer lines.
func unsignedChunked(data []byte, chunk int, trailerLines ...string) []byte {
	var b bytes.Buffer
	for off := 0; off < len(data); off += chunk {
		end := min(off+chunk, len(data))
		fmt.Fprintf(&b, "%x\r\n", end-off)
		b.Write(data[off:end])
		b.WriteString("\r\n")
	}
	b.WriteString("0\r\n")
	for _, l := range trailerLines {
		b.WriteString(l + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// unsignedTrailerRequest is a STREAMING-UNSIGNED-PAYLOAD-TRAILER PUT.
func unsignedTrailerRequest(bucket, key string, body []byte, decodedLength, announced string) rawRequest {
	h := hdr("Content-Encoding", "aws-chunked")
	if decodedLength != "" {
		h.Set("X-Amz-Decoded-Content-Length", decodedLength)
	}
	if announced != "" {
		h.Set("X-Amz-Trailer", announced)
	}
	return rawRequest{method: http.MethodPut, path: objectPath(bucket, key), body: body, header: h, payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}
}

// headerRecorder remembers the x-amz-content-sha256 of every request it
// forwards, always over plain HTTP: an AWS SDK configured with an https
// endpoint then believes it speaks TLS and streams with trailing checksums,
// as it does against AWS.
type headerRecorder struct {
	mu   sync.Mutex
	seen []string
}

func (h *headerRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.seen = append(h.seen, req.Header.Get("X-Amz-Content-Sha256"))
	h.mu.Unlock()
	req = req.Clone(req.Context())
	req.URL.Scheme = "http"
	return http.DefaultTransport.RoundTrip(req)
}

func (h *headerRecorder) last() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen[len(h.seen)-1]
}

func asIfTLS(srv *s3test.Server, rec *headerRecorder) s3test.AWSOption {
	return func(o *s3.Options) {
		o.BaseEndpoint = aws.String(strings.Replace(srv.URL, "http://", "https://", 1))
		o.HTTPClient = &http.Client{Transport: rec}
	}
}

func TestPayloadHash(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	data := []byte("payload hash checks")

	other := sha256.Sum256([]byte("something else"))
	d := f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "mismatch"), body: data, payloadHash: hex.EncodeToString(other[:])}).
		wantError(t, "XAmzContentSHA256Mismatch", http.StatusBadRequest)
	real := sha256.Sum256(data)
	if d.ClientComputedSHA256 != hex.EncodeToString(other[:]) || d.S3ComputedSHA256 != hex.EncodeToString(real[:]) {
		t.Errorf("mismatch fields %+v", d)
	}
	if f.exists(t, b, "mismatch") {
		t.Error("object stored despite a payload hash mismatch")
	}
	// A large body is checked too, after streaming to a blob.
	big := payload(300 << 10)
	f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "mismatch-big"), body: big, payloadHash: hex.EncodeToString(other[:])}).
		wantError(t, "XAmzContentSHA256Mismatch", http.StatusBadRequest)
	f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "bad-hash"), body: data, payloadHash: "not-a-hash"}).
		wantError(t, "InvalidArgument", http.StatusBadRequest)

	// Missing x-amz-content-sha256 on a header-signed request.
	req := f.raw.build(t, rawRequest{method: http.MethodGet, path: "/" + b})
	creds := aws.Credentials{AccessKeyID: s3test.Root.AccessKey, SecretAccessKey: s3test.Root.SecretKey}
	mustOK(t, v4.NewSigner().SignHTTP(bg, creds, req, emptySHA256, "s3", "us-east-1", time.Now()), "sign")
	f.raw.send(t, req).wantError(t, "InvalidRequest", http.StatusBadRequest)

	// UNSIGNED-PAYLOAD, by hand and from the SDK.
	f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "unsigned"), body: data, payloadHash: "UNSIGNED-PAYLOAD"}).wantStatus(t, http.StatusOK)
	if got := f.get(t, b, "unsigned"); !bytes.Equal(got, data) {
		t.Errorf("UNSIGNED-PAYLOAD stored %q", got)
	}
	unsigned := f.srv.AWS(t, s3test.Root, func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
	})
	_, err := unsigned.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("unsigned-sdk"), Body: io.NopCloser(bytes.NewReader(big)), ContentLength: aws.Int64(int64(len(big)))})
	mustOK(t, err, "SDK PutObject UNSIGNED-PAYLOAD")
	if got := f.get(t, b, "unsigned-sdk"); !bytes.Equal(got, big) {
		t.Error("SDK UNSIGNED-PAYLOAD upload differs")
	}
}

func TestSignedChunks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)

	// minio-go streams signed 64 KiB chunks over plain HTTP.
	rec := &headerRecorder{}
	mc, err := minio.New(f.srv.Addr, &minio.Options{
		Creds: miniocreds.NewStaticV4(s3test.Root.AccessKey, s3test.Root.SecretKey, ""), Region: "us-east-1", Transport: rec,
	})
	mustOK(t, err, "minio client")
	for _, size := range []int{1, 64 << 10, 64<<10 + 1, 3*64<<10 + 5} {
		data := payload(size)
		key := "minio/" + strconv.Itoa(size)
		info, err := mc.PutObject(bg, b, key, bytes.NewReader(data), int64(size), minio.PutObjectOptions{DisableMultipart: true})
		mustOK(t, err, "minio PutObject "+key)
		if rec.last() != "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" {
			t.Errorf("%s: minio-go sent %q", key, rec.last())
		}
		if info.ETag != md5Hex(data) {
			t.Errorf("%s: ETag %s", key, info.ETag)
		}
		if got := f.get(t, b, key); !bytes.Equal(got, data) {
			t.Fatalf("%s: stored bytes differ", key)
		}
	}

	t.Run("TamperedChunk", func(t *testing.T) {
		t.Parallel()
		for _, size := range []int{1000, 200 << 10} {
			req := minioStreamingPut(t, f.srv, b, "tampered", payload(size), nil)
			// Past the first chunk header (size;chunk-signature=<64 hex>\r\n).
			req.Body = &flipReader{r: req.Body, at: 100}
			d := f.raw.send(t, req).wantError(t, "SignatureDoesNotMatch", http.StatusForbidden)
			if !strings.HasPrefix(d.StringToSign, "AWS4-HMAC-SHA256-PAYLOAD\n") {
				t.Errorf("chunk StringToSign %q", d.StringToSign)
			}
		}
		// A tampered chunk signature is caught as well.
		req := minioStreamingPut(t, f.srv, b, "tampered", payload(1000), nil)
		req.Body = &flipReader{r: req.Body, at: 30}
		f.raw.send(t, req).wantError(t, "SignatureDoesNotMatch", http.StatusForbidden)
		if f.exists(t, b, "tampered") {
			t.Error("a tampered upload was stored")
		}
	})

	t.Run("SignedTrailer", func(t *testing.T) {
		t.Parallel()
		data := payload(100 << 10)
		req := minioStreamingPut(t, f.srv, b, "trailer", data, http.Header{"x-amz-checksum-crc32": {checksumOf("CRC32", data)}})
		if req.Header.Get("X-Amz-Content-Sha256") != "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" {
			t.Fatalf("minio-go signed with %q", req.Header.Get("X-Amz-Content-Sha256"))
		}
		f.raw.send(t, req).wantStatus(t, http.StatusOK)
		resp := f.raw.do(t, rawRequest{method: http.MethodHead, path: objectPath(b, "trailer"), header: hdr("X-Amz-Checksum-Mode", "ENABLED")})
		if resp.header.Get("x-amz-checksum-crc32") != checksumOf("CRC32", data) {
			t.Errorf("stored crc32 %q", resp.header.Get("x-amz-checksum-crc32"))
		}
		// A correctly signed but wrong checksum is BadDigest.
		req = minioStreamingPut(t, f.srv, b, "trailer-bad", data, http.Header{"x-amz-checksum-crc32": {checksumOf("CRC32", []byte("nope"))}})
		f.raw.send(t, req).wantError(t, "BadDigest", http.StatusBadRequest)
		// A trailer changed after signing breaks the trailer signature.
		req = minioStreamingPut(t, f.srv, b, "trailer-bad", data, http.Header{"x-amz-checksum-crc32": {checksumOf("CRC32", data)}})
		req.Body = &flipReader{r: req.Body, at: req.ContentLength - 90}
		resp = f.raw.send(t, req)
		if resp.status != http.StatusForbidden && resp.status != http.StatusBadRequest {
			t.Errorf("tampered trailer: status %d", resp.status)
		}
		resp.errorDoc(t)
		if f.exists(t, b, "trailer-bad") {
			t.Error("an upload with a bad trailer was stored")
		}
	})
}

func TestUnsignedTrailer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	data := payload(20<<10 + 3)

	t.Run("ByHand", func(t *testing.T) {
		t.Parallel()
		for _, alg := range checksumAlgorithms {
			name := "x-amz-checksum-" + strings.ToLower(alg)
			key := "hand/" + alg
			body := unsignedChunked(data, 8<<10, name+":"+checksumOf(alg, data))
			f.raw.do(t, unsignedTrailerRequest(b, key, body, strconv.Itoa(len(data)), name)).wantStatus(t, http.StatusOK)
			if got := f.get(t, b, key); !bytes.Equal(got, data) {
				t.Fatalf("%s: stored bytes differ", key)
			}
			resp := f.raw.do(t, rawRequest{method: http.MethodHead, path: objectPath(b, key), header: hdr("X-Amz-Checksum-Mode", "ENABLED")})
			if resp.header.Get(name) != checksumOf(alg, data) || resp.header.Get("Content-Encoding") != "" {
				t.Errorf("%s: HEAD %v", key, resp.header)
			}
		}
		// A zero-length body is just the final chunk and the trailer.
		body := unsignedChunked(nil, 1, "x-amz-checksum-crc32:"+checksumOf("CRC32", nil))
		f.raw.do(t, unsignedTrailerRequest(b, "hand/empty", body, "0", "x-amz-checksum-crc32")).wantStatus(t, http.StatusOK)
	})

	t.Run("Errors", func(t *testing.T) {
		t.Parallel()
		good := "x-amz-checksum-crc32:" + checksumOf("CRC32", data)
		n := strconv.Itoa(len(data))
		cases := []struct {
			name   string
			rr     rawRequest
			code   string
			status int
		}{
			{"WrongChecksum", unsignedTrailerRequest(b, "e", unsignedChunked(data, 4096, "x-amz-checksum-crc32:"+checksumOf("CRC32", []byte("x"))), n, "x-amz-checksum-crc32"), "BadDigest", 400},
			{"MissingTrailer", unsignedTrailerRequest(b, "e", unsignedChunked(data, 4096), n, "x-amz-checksum-crc32"), "MalformedTrailerError", 400},
			{"UnannouncedTrailer", unsignedTrailerRequest(b, "e", unsignedChunked(data, 4096, good, "x-amz-checksum-sha1:"+checksumOf("SHA1", data)), n, "x-amz-checksum-crc32"), "MalformedTrailerError", 400},
			{"MalformedTrailerValue", unsignedTrailerRequest(b, "e", unsignedChunked(data, 4096, "x-amz-checksum-crc32:!!"), n, "x-amz-checksum-crc32"), "InvalidRequest", 400},
			{"DecodedLengthTooLarge", unsignedTrailerRequest(b, "e", unsignedChunked(data, 4096, good), strconv.Itoa(len(data)+1), "x-amz-checksum-crc32"), "IncompleteBody", 400},
			{"DecodedLengthTooSmall", unsignedTrailerRequest(b, "e", unsignedChunked(data, 4096, good), strconv.Itoa(len(data)-1), "x-amz-checksum-crc32"), "IncompleteBody", 400},
			{"NoDecodedLength", unsignedTrailerRequest(b, "e", unsignedChunked(data, 4096, good), "", "x-amz-checksum-crc32"), "MissingContentLength", 411},
			{"BadDecodedLength", unsignedTrailerRequest(b, "e", unsignedChunked(data, 4096, good), "-1", "x-amz-checksum-crc32"), "InvalidArgument", 400},
			{"BadChunkSize", unsignedTrailerRequest(b, "e", []byte("zz\r\nabc\r\n0\r\n\r\n"), "3", ""), "IncompleteBody", 400},
			{"TruncatedFraming", unsignedTrailerRequest(b, "e", unsignedChunked(data, 4096, good)[:5000], n, "x-amz-checksum-crc32"), "IncompleteBody", 400},
		}
		for _, c := range cases {
			d := f.raw.do(t, c.rr).wantError(t, c.code, c.status)
			if t.Failed() {
				t.Fatalf("%s: %+v", c.name, d)
			}
		}
		if f.exists(t, b, "e") {
			t.Error("a failed upload was stored")
		}
	})

	t.Run("MinioUnsignedTrailer", func(t *testing.T) {
		t.Parallel()
		// With trailing headers and no payload signing, minio-go sends
		// STREAMING-UNSIGNED-PAYLOAD-TRAILER over plain HTTP.
		rec := &headerRecorder{}
		mc := trailingMinio(t, f.srv, rec)
		_, err := mc.PutObject(bg, b, "minio-unsigned", bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{DisableContentSha256: true, DisableMultipart: true, Checksum: minio.ChecksumCRC32C})
		mustOK(t, err, "minio PutObject")
		if rec.last() != "STREAMING-UNSIGNED-PAYLOAD-TRAILER" {
			t.Errorf("minio-go sent %q", rec.last())
		}
		resp := f.raw.do(t, rawRequest{method: http.MethodHead, path: objectPath(b, "minio-unsigned"), header: hdr("X-Amz-Checksum-Mode", "ENABLED")})
		if resp.header.Get("x-amz-checksum-crc32c") != checksumOf("CRC32C", data) {
			t.Errorf("minio trailer crc32c %q, want %q", resp.header.Get("x-amz-checksum-crc32c"), checksumOf("CRC32C", data))
		}
	})

	t.Run("AWSSDKDefault", func(t *testing.T) {
		t.Parallel()
		rec := &headerRecorder{}
		c := f.srv.AWS(t, s3test.Root, asIfTLS(f.srv, rec))
		for _, alg := range checksumAlgorithms {
			for _, size := range []int{0, 1, 300 << 10} {
				d := payload(size)
				key := "sdk/" + alg + "/" + strconv.Itoa(size)
				out, err := c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(d), ChecksumAlgorithm: types.ChecksumAlgorithm(alg)})
				mustOK(t, err, "PutObject "+key)
				if size > 0 && rec.last() != "STREAMING-UNSIGNED-PAYLOAD-TRAILER" {
					t.Errorf("%s: the SDK sent %q", key, rec.last())
				}
				if got := awsChecksum(alg, out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256); got != checksumOf(alg, d) {
					t.Errorf("%s: checksum %q, want %q", key, got, checksumOf(alg, d))
				}
				get, err := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
				mustOK(t, err, "GetObject "+key)
				got, err := io.ReadAll(get.Body)
				get.Body.Close()
				if err != nil || !bytes.Equal(got, d) {
					t.Fatalf("%s: read back %d bytes: %v", key, len(got), err)
				}
			}
		}
		// A stream the SDK cannot rewind goes the same way.
		d := payload(70 << 10)
		_, err := c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("sdk/stream"), Body: io.NopCloser(bytes.NewReader(d)), ContentLength: aws.Int64(int64(len(d))), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
		mustOK(t, err, "PutObject of a stream")
		if got := f.get(t, b, "sdk/stream"); !bytes.Equal(got, d) {
			t.Error("streamed upload differs")
		}
	})
}
