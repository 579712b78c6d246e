package sigv4

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cairn-s3/cairn/internal/s3"
)

// mustBeS3Error fails unless err is nil or carries an *s3.Error or s3.ErrorCode.
func mustBeS3Error(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if _, ok := s3.AsError(err); !ok {
		t.Fatalf("not an S3 error: %T %v", err, err)
	}
	if errors.Is(err, io.EOF) {
		t.Fatalf("failure wraps io.EOF: %v", err)
	}
}

func FuzzParseAuthorization(f *testing.F) {
	for _, ex := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00",
		"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request SignedHeaders=a;host Signature=x",
		"AWS4-HMAC-SHA256 ,,,, Credential==,SignedHeaders=;;,Signature=",
		"AWS4-HMAC-SHA256",
		"AWS AKID:sig",
		"AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=host, Signature=",
		"",
	} {
		f.Add(ex)
	}
	v := exampleVerifier(exampleTime)
	f.Fuzz(func(t *testing.T, h string) {
		a, err := parseAuthorization(h)
		mustBeS3Error(t, err)
		if err == nil {
			if a.credential.accessKey == "" || a.credential.service != "s3" || validSignedHeaders(a.signedHeaders) != "" {
				t.Fatalf("accepted %q as %+v", h, a)
			}
		}
		if !strings.ContainsAny(h, "\r\n\x00") {
			r, _ := http.NewRequest(http.MethodGet, "http://examplebucket.s3.amazonaws.com/test.txt", nil)
			r.Header.Set("Authorization", h)
			r.Header.Set("X-Amz-Date", "20130524T000000Z")
			r.Header.Set("X-Amz-Content-Sha256", emptySHA256)
			_, err := v.Verify(r)
			mustBeS3Error(t, err)
			if err == nil && h != "" {
				t.Fatalf("accepted a fuzzed header %q", h)
			}
		}
	})
}

func FuzzChunkedReader(f *testing.F) {
	key := deriveSigningKey(exampleSecretKey, "20130524", "us-east-1", "s3")
	const amzDate, scope = "20130524T000000Z", "20130524/us-east-1/s3/aws4_request"
	var seed [32]byte
	signed := signedChunkBody(key, amzDate, scope, seed, [][]byte{[]byte("hello "), []byte("world")}, nil)
	signedTrailer := signedChunkBody(key, amzDate, scope, seed, [][]byte{[]byte("hello world")}, []string{"x-amz-checksum-crc32:DUoRhQ=="})
	// mode: 0 signed, 1 signed with trailer, 2 unsigned with trailer.
	f.Add(uint8(0), int64(11), "", []byte(signed))
	f.Add(uint8(1), int64(11), "x-amz-checksum-crc32", []byte(signedTrailer))
	f.Add(uint8(2), int64(11), "x-amz-checksum-crc32", []byte("b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"))
	f.Add(uint8(2), int64(11), "x-amz-checksum-crc32", []byte("6;e=1\r\nhello \r\n5\r\nworld\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\n\r\n\r\n"))
	f.Add(uint8(2), int64(0), "", []byte("0\r\n\r\n"))
	f.Add(uint8(2), int64(3), "", []byte("ffffffffffffffffff\r\nabc"))
	f.Add(uint8(1), int64(0), "a,b", []byte("0;chunk-signature="+strings.Repeat("0", 64)+"\r\na:1\nb:2\n\r\nx-amz-trailer-signature:"+strings.Repeat("f", 64)+"\r\n\r\n"))
	f.Fuzz(func(t *testing.T, mode uint8, decoded int64, trailer string, body []byte) {
		if decoded < 0 || decoded > 1<<20 {
			return
		}
		var names []string
		if trailer != "" {
			h := http.Header{}
			h.Set(headerTrailer, trailer)
			n, err := trailerNames(h)
			if err != nil {
				return
			}
			names = n
		}
		m := []payloadMode{payloadSignedChunks, payloadSignedChunksTrailer, payloadUnsignedChunksTrailer}[mode%3]
		var signer *chunkSigner
		if m != payloadUnsignedChunksTrailer {
			signer = &chunkSigner{key: key, amzDate: amzDate, scope: scope, accessKey: exampleAccessKey, seed: seed}
		}
		c := newChunkedReader(io.NopCloser(strings.NewReader(string(body))), decoded, m, names, signer)
		out, err := io.ReadAll(c)
		mustBeS3Error(t, err)
		if int64(len(out)) > decoded {
			t.Fatalf("decoded %d bytes, declared %d", len(out), decoded)
		}
		if err == nil {
			if int64(len(out)) != decoded {
				t.Fatalf("success with %d bytes, declared %d", len(out), decoded)
			}
			if tr := c.trailer(); m != payloadSignedChunks && len(tr) != len(names) {
				t.Fatalf("trailers %v, announced %v", tr, names)
			}
		} else if c.trailer() != nil {
			t.Fatalf("trailers after a failure")
		}
	})
}

func FuzzPresignedQuery(f *testing.F) {
	f.Add("/test.txt", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
	f.Add("/", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%2F%2F%2F%2F&X-Amz-Date=&X-Amz-Expires=-1&X-Amz-SignedHeaders=&X-Amz-Signature=")
	f.Add("/a%2Fb", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Algorithm=x&X-Amz-Credential=a%2F20130524%2Fr%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=1&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Content-Sha256=STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	f.Add("/k", "X-Amz-Signature=abc&%zz=%&&=&X-Amz-Credential")
	v := exampleVerifier(exampleTime)
	f.Fuzz(func(t *testing.T, path, rawQuery string) {
		u, err := url.Parse("http://examplebucket.s3.amazonaws.com" + path)
		if err != nil || strings.ContainsAny(rawQuery, "\r\n #\x00") {
			return
		}
		u.RawQuery = rawQuery
		r, err := http.NewRequest(http.MethodGet, u.String(), nil)
		if err != nil {
			return
		}
		res, err := v.Verify(r)
		mustBeS3Error(t, err)
		if err == nil && !res.Anonymous && res.AccessKey != exampleAccessKey {
			t.Fatalf("accepted %+v", res)
		}
		var c canonicalRequest
		c.appendQuery(nil, rawQuery, true)
		appendCanonicalURI(nil, u.EscapedPath())
	})
}
