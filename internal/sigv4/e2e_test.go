package sigv4

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	cairns3 "github.com/cairn-s3/cairn/internal/s3"
)

// upload is what the test server saw of one request.
type upload struct {
	contentSHA256 string
	body          []byte
	trailer       map[string]string
	trailerNames  []string
	contentLength int64
}

// verifyingServer answers every request by running Verify and reading the
// whole body, recording what it decoded by path.
type verifyingServer struct {
	verifier *Verifier
	mu       sync.Mutex
	uploads  map[string]upload
}

func (s *verifyingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	res, err := s.verifier.Verify(r)
	if err == nil {
		var body []byte
		body, err = io.ReadAll(res.Body)
		if err == nil {
			s.mu.Lock()
			s.uploads[r.URL.Path] = upload{
				contentSHA256: r.Header.Get("X-Amz-Content-Sha256"),
				body:          body,
				trailer:       res.Trailer(),
				trailerNames:  res.TrailerNames,
				contentLength: res.ContentLength,
			}
			s.mu.Unlock()
		}
	}
	if err != nil {
		e, ok := cairns3.AsError(err)
		if !ok {
			e = &cairns3.Error{Code: cairns3.ErrInternalError}
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(e.Status())
		io.WriteString(w, "<Error><Code>"+string(e.Code)+"</Code><Message>"+e.Text()+"</Message></Error>")
		return
	}
	w.Header().Set("ETag", `"d41d8cd98f00b204e9800998ecf8427e"`)
	w.WriteHeader(http.StatusOK)
}

func (s *verifyingServer) get(path string) (upload, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.uploads[path]
	return u, ok
}

func newVerifyingServer(tls bool) (*verifyingServer, *httptest.Server) {
	vs := &verifyingServer{
		verifier: &Verifier{Credentials: staticCredentials{"e2e-access": "e2e/secret+key"}},
		uploads:  make(map[string]upload),
	}
	if tls {
		return vs, httptest.NewTLSServer(vs)
	}
	return vs, httptest.NewServer(vs)
}

func crc32Base64(b []byte) string {
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc32.ChecksumIEEE(b))
	return base64.StdEncoding.EncodeToString(sum[:])
}

var e2eSizes = []int{0, 1, 4 << 10, 64<<10 + 3, 300_000}

func TestEndToEndAWSSDK(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(map[bool]string{false: "http", true: "tls"}[tls], func(t *testing.T) {
			vs, srv := newVerifyingServer(tls)
			defer srv.Close()
			client := s3.New(s3.Options{
				Region:           "us-east-1",
				BaseEndpoint:     aws.String(srv.URL),
				UsePathStyle:     true,
				Credentials:      awscreds.NewStaticCredentialsProvider("e2e-access", "e2e/secret+key", ""),
				HTTPClient:       srv.Client(),
				RetryMaxAttempts: 1,
				// The SDK's default when configured through the config
				// package; s3.New alone leaves it unset.
				RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
			})
			for _, size := range e2eSizes {
				payload := streamPayload(size)
				key := "sdk dir/obj+" + strings.Repeat("x", size%7) + "-日本"
				_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
					Bucket:   aws.String("bucket"),
					Key:      aws.String(key),
					Body:     bytes.NewReader(payload),
					Metadata: map[string]string{"note": "a  b"},
				})
				if err != nil {
					t.Fatalf("size %d: PutObject: %v", size, err)
				}
				got, ok := vs.get("/bucket/" + key)
				if !ok {
					t.Fatalf("size %d: server saw no upload", size)
				}
				if !bytes.Equal(got.body, payload) {
					t.Fatalf("size %d: decoded %d bytes", size, len(got.body))
				}
				t.Logf("size %d: x-amz-content-sha256 %s, trailers %v", size, got.contentSHA256, got.trailer)
				if tls && size > 0 && got.contentSHA256 != streamingUnsigned {
					t.Fatalf("size %d over TLS: x-amz-content-sha256 %s, want %s", size, got.contentSHA256, streamingUnsigned)
				}
				if got.contentSHA256 == streamingUnsigned {
					if got.contentLength != int64(size) {
						t.Fatalf("ContentLength %d", got.contentLength)
					}
					if len(got.trailerNames) != 1 || got.trailer[got.trailerNames[0]] == "" {
						t.Fatalf("trailers %v announced %v", got.trailer, got.trailerNames)
					}
					if v, ok := got.trailer["x-amz-checksum-crc32"]; ok && v != crc32Base64(payload) {
						t.Fatalf("crc32 trailer %s, want %s", v, crc32Base64(payload))
					}
				}
			}
			// A wrong secret is refused with the precise code.
			bad := s3.New(s3.Options{
				Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
				Credentials:      awscreds.NewStaticCredentialsProvider("e2e-access", "wrong", ""),
				HTTPClient:       srv.Client(),
				RetryMaxAttempts: 1,
			})
			_, err := bad.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("k"), Body: strings.NewReader("x")})
			var apiErr interface{ ErrorCode() string }
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "SignatureDoesNotMatch" {
				t.Fatalf("wrong secret: %v", err)
			}
		})
	}
}

func TestEndToEndMinio(t *testing.T) {
	for _, checksum := range []bool{false, true} {
		t.Run(map[bool]string{false: "default", true: "crc32c trailer"}[checksum], func(t *testing.T) {
			vs, srv := newVerifyingServer(false)
			defer srv.Close()
			u, _ := url.Parse(srv.URL)
			client, err := minio.New(u.Host, &minio.Options{
				Creds:           miniocreds.NewStaticV4("e2e-access", "e2e/secret+key", ""),
				Region:          "us-east-1",
				TrailingHeaders: checksum,
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, size := range e2eSizes {
				payload := streamPayload(size)
				key := "minio dir/obj~" + strings.Repeat("y", size%5)
				opts := minio.PutObjectOptions{UserMetadata: map[string]string{"note": "x"}, DisableMultipart: true}
				if checksum {
					opts.Checksum = minio.ChecksumCRC32C
				}
				if _, err := client.PutObject(context.Background(), "bucket", key, bytes.NewReader(payload), int64(size), opts); err != nil {
					t.Fatalf("size %d: PutObject: %v", size, err)
				}
				got, ok := vs.get("/bucket/" + key)
				if !ok {
					t.Fatalf("size %d: server saw no upload", size)
				}
				if !bytes.Equal(got.body, payload) {
					t.Fatalf("size %d: decoded %d bytes", size, len(got.body))
				}
				t.Logf("size %d: x-amz-content-sha256 %s, trailers %v", size, got.contentSHA256, got.trailer)
				wantMode := streamingSigned
				if checksum && size > 0 {
					wantMode = streamingSignedTrail
				}
				if got.contentSHA256 != wantMode {
					t.Fatalf("size %d: minio-go sent %s, want signed chunks", size, got.contentSHA256)
				}
				if checksum && size > 0 {
					want := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.Checksum(payload, crc32.MakeTable(crc32.Castagnoli))))
					if got.trailer["x-amz-checksum-crc32c"] != want {
						t.Fatalf("size %d: trailer %v, want crc32c %s", size, got.trailer, want)
					}
				}
			}
		})
	}
}
