package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7/pkg/s3utils"
	"github.com/minio/minio-go/v7/pkg/signer"

	"github.com/cairn-s3/cairn/internal/s3"
)

// sha256Hasher satisfies minio-go's md5simd.Hasher structurally.
type sha256Hasher struct{ hash.Hash }

func (sha256Hasher) Close() {}

// minioRequest builds a request the way minio-go does: the key escaped with
// s3utils.EncodePath.
func minioRequest(t testing.TB, method, host, bucket, key, rawQuery string, body []byte) *http.Request {
	t.Helper()
	escaped := "/" + bucket + "/" + s3utils.EncodePath(key)
	path, err := url.PathUnescape(escaped)
	if err != nil {
		t.Fatal(err)
	}
	u := &url.URL{Scheme: "http", Host: host, Path: path, RawPath: escaped, RawQuery: rawQuery}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequest(method, u.String(), rd)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// minioQueries avoids repeated keys: minio-go keeps their values unsorted,
// which the SigV4 specification does not allow.
func minioQueries() []string {
	var qs []string
	for _, q := range oracleQueries {
		if !strings.Contains(q, "key=") {
			qs = append(qs, q)
		}
	}
	return qs
}

func TestOracleMinioSignV4(t *testing.T) {
	for _, cred := range oracleCreds {
		v := &Verifier{Credentials: staticCredentials{cred.accessKey: cred.secretKey}}
		for _, key := range oracleKeys {
			for _, q := range minioQueries() {
				body := []byte("minio body of " + key)
				sum := sha256.Sum256(body)
				r := minioRequest(t, http.MethodPut, "127.0.0.1:9000", "bucket", key, q, body)
				r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
				r.Header.Set("X-Amz-Meta-Spaced", "  a   b  c  ")
				r.Header.Set("Content-Type", "application/octet-stream")
				r = signer.SignV4(*r, cred.accessKey, cred.secretKey, "", cred.region)
				res, err := v.Verify(wireRoundTrip(t, r))
				if err != nil {
					t.Fatalf("key %q query %q: %v", key, q, err)
				}
				if got, err := readAll(t, res); err != nil || !bytes.Equal(got, body) {
					t.Fatalf("key %q: body %q, %v", key, got, err)
				}
			}
		}
	}
}

func TestOracleMinioPreSignV4(t *testing.T) {
	for _, cred := range oracleCreds {
		v := &Verifier{Credentials: staticCredentials{cred.accessKey: cred.secretKey}}
		for _, key := range oracleKeys {
			for _, q := range minioQueries() {
				r := minioRequest(t, http.MethodGet, "127.0.0.1:9000", "bucket", key, q, nil)
				r = signer.PreSignV4(*r, cred.accessKey, cred.secretKey, "", cred.region, 3600)
				pr, err := http.NewRequest(http.MethodGet, r.URL.String(), nil)
				if err != nil {
					t.Fatal(err)
				}
				res, err := v.Verify(wireRoundTrip(t, pr))
				if err != nil {
					t.Fatalf("key %q query %q: %v\n%s", key, q, err, r.URL)
				}
				if !res.Presigned || res.AccessKey != cred.accessKey {
					t.Fatalf("result %+v", res)
				}
			}
		}
	}
}

// streamPayload is a payload larger than minio-go's 64 KiB chunk with an
// odd tail, so that full, partial and final chunks all occur.
func streamPayload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

func TestOracleMinioStreaming(t *testing.T) {
	cred := oracleCreds[1]
	cases := []struct {
		name    string
		size    int
		trailer bool
		signed  bool
	}{
		{"signed chunks", 150_001, false, true},
		{"signed chunks, empty body", 0, false, true},
		{"signed chunks and signed trailer", 150_001, true, true},
		{"signed chunks and signed trailer, one chunk", 10, true, true},
		{"unsigned chunks and trailer", 150_001, true, false},
		{"unsigned chunks and trailer, exact chunk", 64 << 10, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			payload := streamPayload(tc.size)
			r := minioRequest(t, http.MethodPut, "127.0.0.1:9000", "bucket", "dir/stream obj", "", payload)
			r.Header.Set("X-Amz-Meta-Note", "streamed")
			var trailer http.Header
			if tc.trailer {
				trailer = http.Header{"x-amz-checksum-crc32": {"AAAAAA=="}}
			}
			if tc.signed {
				r.Trailer = trailer
				r = signer.StreamingSignV4(r, cred.accessKey, cred.secretKey, "", cred.region, int64(len(payload)), time.Now().UTC(), sha256Hasher{sha256.New()})
			} else {
				r.Header.Set("X-Amz-Content-Sha256", streamingUnsigned)
				r.ContentLength = int64(len(payload))
				r = signer.SignV4Trailer(*r, cred.accessKey, cred.secretKey, "", cred.region, trailer)
			}
			v := &Verifier{Credentials: staticCredentials{cred.accessKey: cred.secretKey}}
			res, err := v.Verify(wireRoundTrip(t, r))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if res.ContentLength != int64(len(payload)) {
				t.Fatalf("ContentLength %d", res.ContentLength)
			}
			if tc.trailer && (len(res.TrailerNames) != 1 || res.TrailerNames[0] != "x-amz-checksum-crc32") {
				t.Fatalf("TrailerNames %q", res.TrailerNames)
			}
			if res.Trailer() != nil {
				t.Fatalf("trailer visible before EOF")
			}
			got, err := readAll(t, res)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if !bytes.Equal(got, payload) {
				t.Fatalf("decoded %d bytes, want %d", len(got), len(payload))
			}
			if tc.trailer {
				if v := res.Trailer()["x-amz-checksum-crc32"]; v != "AAAAAA==" {
					t.Fatalf("trailer %v", res.Trailer())
				}
			}
		})
	}
}

// Flipping a byte of a minio-go signed stream is caught, at the latest when
// the body would end.
func TestOracleMinioStreamingTampered(t *testing.T) {
	cred := oracleCreds[0]
	payload := streamPayload(100_000)
	for _, trailer := range []bool{false, true} {
		r := minioRequest(t, http.MethodPut, "127.0.0.1:9000", "bucket", "k", "", payload)
		if trailer {
			r.Trailer = http.Header{"x-amz-checksum-crc32c": {"yZRlqg=="}}
		}
		r = signer.StreamingSignV4(r, cred.accessKey, cred.secretKey, "", cred.region, int64(len(payload)), time.Now().UTC(), sha256Hasher{sha256.New()})
		wire := wireRoundTrip(t, r)
		raw, err := io.ReadAll(wire.Body)
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []int{200, 70_000, len(raw) - 20} {
			mutated := bytes.Clone(raw)
			mutated[at] ^= 0x01
			wire.Body = io.NopCloser(bytes.NewReader(mutated))
			v := &Verifier{Credentials: staticCredentials{cred.accessKey: cred.secretKey}}
			res, err := v.Verify(wire)
			if err != nil {
				t.Fatal(err)
			}
			_, err = readAll(t, res)
			if err == nil {
				t.Fatalf("trailer=%v: flipped byte %d of %d went unnoticed", trailer, at, len(raw))
			}
			if _, ok := s3.AsError(err); !ok {
				t.Fatalf("not an s3 error: %v", err)
			}
		}
	}
}
