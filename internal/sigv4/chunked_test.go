package sigv4

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cairn-s3/cairn/internal/s3"
)

// chunkedSetup is a signed aws-chunked request head plus what a client
// needs to sign the body that goes with it.
type chunkedSetup struct {
	req   *http.Request
	key   [32]byte
	date  string
	scope string
	seed  [32]byte
}

// newChunkedSetup signs a request head for the payload mode, announcing
// trailerNames and declaring decodedLength.
func newChunkedSetup(t testing.TB, mode string, decodedLength int, trailerNames string) chunkedSetup {
	t.Helper()
	r, _ := http.NewRequest(http.MethodPut, "http://s3.test/bucket/chunked", nil)
	r.Header.Set("X-Amz-Content-Sha256", mode)
	r.Header.Set("Content-Encoding", "aws-chunked")
	if decodedLength >= 0 {
		r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(decodedLength))
	}
	if trailerNames != "" {
		r.Header.Set("X-Amz-Trailer", trailerNames)
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSK}, r, mode, "s3", "us-east-1", testNow); err != nil {
		t.Fatal(err)
	}
	auth := r.Header.Get("Authorization")
	seed, ok := decodeHex32(auth[strings.LastIndex(auth, "=")+1:])
	if !ok {
		t.Fatalf("no seed in %q", auth)
	}
	day := testNow.Format("20060102")
	return chunkedSetup{
		req:   r,
		key:   deriveSigningKey(testSK, day, "us-east-1", "s3"),
		date:  testNow.Format(amzDateLayout),
		scope: day + "/us-east-1/s3/aws4_request",
		seed:  seed,
	}
}

func (c chunkedSetup) signedBody(chunks [][]byte, trailer []string) string {
	return signedChunkBody(c.key, c.date, c.scope, c.seed, chunks, trailer)
}

// run sends body with the signed head and reads the decoded payload.
func (c chunkedSetup) run(t testing.TB, body string) (*Result, []byte, error) {
	t.Helper()
	r := c.req.Clone(context.Background())
	r.Body = io.NopCloser(strings.NewReader(body))
	r.ContentLength = int64(len(body))
	res, err := verifyWire(t, r)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if res.Trailer() != nil {
		t.Fatalf("trailers before the body was read")
	}
	got, err := readAll(t, res)
	if err != nil && errors.Is(err, io.EOF) {
		t.Fatalf("a failure surfaced as io.EOF: %v", err)
	}
	return res, got, err
}

var chunkData = [][]byte{[]byte(strings.Repeat("a", 8192)), []byte("second chunk"), []byte("z")}

func joined(chunks [][]byte) []byte { return bytes.Join(chunks, nil) }

func unsignedBody(chunks [][]byte, trailer ...string) string {
	var b strings.Builder
	for _, c := range chunks {
		b.WriteString(strconv.FormatInt(int64(len(c)), 16) + "\r\n")
		b.Write(c)
		b.WriteString("\r\n")
	}
	b.WriteString("0\r\n")
	for _, l := range trailer {
		b.WriteString(l + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

func TestSignedChunks(t *testing.T) {
	payload := joined(chunkData)
	c := newChunkedSetup(t, streamingSigned, len(payload), "")
	good := c.signedBody(chunkData, nil)

	res, got, err := c.run(t, good)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("good body: %v, %d bytes", err, len(got))
	}
	if res.Trailer() != nil || res.TrailerNames != nil || res.ContentLength != int64(len(payload)) {
		t.Fatalf("result %+v", res)
	}

	// Swap the first two chunks, each with its own valid signature.
	second := strings.Index(good, "\r\nc;chunk-signature") + 2
	third := strings.Index(good, "\r\n1;chunk-signature") + 2
	swapped := good[second:third] + good[:second] + good[third:]
	cases := []struct {
		name string
		body string
		code s3.ErrorCode
	}{
		{"altered data", strings.Replace(good, "second chunk", "second chunK", 1), s3.ErrSignatureDoesNotMatch},
		{"reordered chunks", swapped, s3.ErrSignatureDoesNotMatch},
		{"truncated before the final chunk", good[:strings.LastIndex(good, "0;chunk-signature")], s3.ErrIncompleteBody},
		{"truncated inside data", good[:100], s3.ErrIncompleteBody},
		{"size not hex", strings.Replace(good, "2000;", "2x00;", 1), s3.ErrIncompleteBody},
		{"size overflow", strings.Replace(good, "2000;", "00000000000000002000;", 1), s3.ErrIncompleteBody},
		{"size beyond decoded length", strings.Replace(good, "2000;", "ffffffffffffffff;", 1), s3.ErrIncompleteBody},
		{"missing chunk-signature", strings.Replace(good, "2000;chunk-signature=", "2000;chunk-sig=", 1), s3.ErrIncompleteBody},
		{"short chunk-signature", strings.Replace(good, "2000;chunk-signature=", "2000;chunk-signature=ab", 1)[:len(good)], s3.ErrSignatureDoesNotMatch},
		{"bare LF after size", strings.Replace(good, "\r\n", "\n", 1), s3.ErrIncompleteBody},
		{"no CRLF after data", strings.Replace(good, "\r\nc;", "XXc;", 1), s3.ErrIncompleteBody},
		{"endless size line", strings.Repeat("1", 5000), s3.ErrIncompleteBody},
		{"trailer in a trailerless stream", strings.TrimSuffix(good, "\r\n") + "x-amz-checksum-crc32:AAAAAA==\r\n\r\n", s3.ErrMalformedTrailer},
		{"data after the end", good + "junk", s3.ErrMalformedTrailer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := c.run(t, tc.body)
			wantS3Error(t, err, tc.code)
		})
	}

	// Stray CRLFs at the very end and a missing final CRLF are tolerated.
	for _, body := range []string{good + "\r\n\r\n", strings.TrimSuffix(good, "\r\n")} {
		if _, got, err := c.run(t, body); err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("tolerated ending: %v", err)
		}
	}
}

func TestSignedChunksDecodedLength(t *testing.T) {
	payload := joined(chunkData)
	for _, declared := range []int{len(payload) - 1, len(payload) + 1, 0} {
		c := newChunkedSetup(t, streamingSigned, declared, "")
		_, got, err := c.run(t, c.signedBody(chunkData, nil))
		wantS3Error(t, err, s3.ErrIncompleteBody)
		if len(got) > declared {
			t.Fatalf("declared %d: handed out %d bytes", declared, len(got))
		}
	}
	c := newChunkedSetup(t, streamingSigned, -1, "")
	_, err := verifyWire(t, c.req)
	wantS3Error(t, err, s3.ErrMissingContentLength)

	c = newChunkedSetup(t, streamingSigned, 0, "")
	r := c.req.Clone(context.Background())
	r.Header.Set("X-Amz-Decoded-Content-Length", "-5")
	_, err = testVerifier().Verify(r)
	wantS3Error(t, err, s3.ErrSignatureDoesNotMatch) // the header is signed
}

func TestSignedTrailer(t *testing.T) {
	payload := joined(chunkData)
	c := newChunkedSetup(t, streamingSignedTrail, len(payload), "x-amz-checksum-crc32")
	good := c.signedBody(chunkData, []string{"x-amz-checksum-crc32:sOO8/Q=="})
	res, got, err := c.run(t, good)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("good body: %v", err)
	}
	if tr := res.Trailer(); tr["x-amz-checksum-crc32"] != "sOO8/Q==" || len(tr) != 1 {
		t.Fatalf("trailer %v", tr)
	}
	cases := []struct {
		name string
		body string
		code s3.ErrorCode
	}{
		{"altered trailer value", strings.Replace(good, "sOO8/Q==", "sOO8/Q=A", 1), s3.ErrSignatureDoesNotMatch},
		{"missing trailer signature", good[:strings.Index(good, "x-amz-trailer-signature")] + "\r\n", s3.ErrMalformedTrailer},
		{"missing trailer", c.signedBody(chunkData, []string{}), s3.ErrMalformedTrailer},
		{"unannounced trailer", c.signedBody(chunkData, []string{"x-amz-checksum-crc32:sOO8/Q==", "x-amz-checksum-sha1:abc="}), s3.ErrMalformedTrailer},
		{"malformed trailer signature", strings.Replace(good, "x-amz-trailer-signature:", "x-amz-trailer-signature:zz", 1), s3.ErrMalformedTrailer},
		{"trailer after the signature", strings.TrimSuffix(good, "\r\n") + "x-amz-checksum-crc32:AAAAAA==\r\n\r\n", s3.ErrMalformedTrailer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, _, err := c.run(t, tc.body)
			wantS3Error(t, err, tc.code)
			if res.Trailer() != nil {
				t.Fatalf("trailers of a failed body: %v", res.Trailer())
			}
		})
	}
}

func TestUnsignedTrailer(t *testing.T) {
	payload := joined(chunkData)
	c := newChunkedSetup(t, streamingUnsigned, len(payload), "x-amz-checksum-crc64nvme")
	good := unsignedBody(chunkData, "x-amz-checksum-crc64nvme:AAAAAAAAAAA=")
	res, got, err := c.run(t, good)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("good body: %v", err)
	}
	if res.Trailer()["x-amz-checksum-crc64nvme"] != "AAAAAAAAAAA=" || res.TrailerNames[0] != "x-amz-checksum-crc64nvme" {
		t.Fatalf("trailer %v", res.Trailer())
	}
	cases := []struct {
		name string
		body string
		code s3.ErrorCode
	}{
		{"missing trailer", unsignedBody(chunkData), s3.ErrMalformedTrailer},
		{"trailer without colon", unsignedBody(chunkData, "x-amz-checksum-crc64nvme AAAA"), s3.ErrMalformedTrailer},
		{"repeated trailer", unsignedBody(chunkData, "x-amz-checksum-crc64nvme:A", "x-amz-checksum-crc64nvme:B"), s3.ErrMalformedTrailer},
		{"unannounced trailer", unsignedBody(chunkData, "x-amz-checksum-crc64nvme:A", "x-amz-meta-evil:1"), s3.ErrMalformedTrailer},
		{"trailer signature in an unsigned stream", unsignedBody(chunkData, "x-amz-checksum-crc64nvme:A", "x-amz-trailer-signature:"+strings.Repeat("0", 64)), s3.ErrMalformedTrailer},
		{"too many extensions", strings.Replace(good, "2000\r\n", "2000;a;b;c;d;e\r\n", 1), s3.ErrIncompleteBody},
		{"empty extension", strings.Replace(good, "2000\r\n", "2000;\r\n", 1), s3.ErrIncompleteBody},
		{"endless trailer line", strings.Replace(good, "AAAAAAAAAAA=", strings.Repeat("A", 5000), 1), s3.ErrMalformedTrailer},
		{"too many stray CRLFs", good + strings.Repeat("\r\n", 10), s3.ErrMalformedTrailer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := c.run(t, tc.body)
			wantS3Error(t, err, tc.code)
		})
	}
	// The trailer section as a whole is bounded.
	many := newChunkedSetup(t, streamingUnsigned, len(payload), "t1,t2,t3,t4,t5")
	var lines []string
	for i := 1; i <= 5; i++ {
		lines = append(lines, "t"+strconv.Itoa(i)+":"+strings.Repeat("A", 3900))
	}
	if _, _, err := many.run(t, unsignedBody(chunkData, lines...)); !strings.Contains(errString(err), "trailer section too large") {
		t.Fatalf("huge trailer section: %v", err)
	}
	wantS3Error(t, func() error { _, _, err := many.run(t, unsignedBody(chunkData, lines...)); return err }(), s3.ErrMalformedTrailer)

	// Extensions on unsigned chunks are allowed, and ignored.
	if _, got, err := c.run(t, strings.Replace(good, "2000\r\n", "2000;ext=1;flag\r\n", 1)); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("extension: %v", err)
	}
	// The format minio-go writes: LF-terminated trailer lines and one CRLF too many.
	minioStyle := strings.TrimSuffix(unsignedBody(chunkData), "\r\n") + "x-amz-checksum-crc64nvme:AAAAAAAAAAA=\n\r\n\r\n"
	if _, got, err := c.run(t, minioStyle); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("minio style: %v", err)
	}
}

// An empty aws-chunked body is just the final chunk.
func TestEmptyChunkedBody(t *testing.T) {
	c := newChunkedSetup(t, streamingUnsigned, 0, "")
	res, got, err := c.run(t, "0\r\n\r\n")
	if err != nil || len(got) != 0 || res.Trailer() == nil {
		t.Fatalf("%v %d %v", err, len(got), res.Trailer())
	}
	s := newChunkedSetup(t, streamingSigned, 0, "")
	if _, got, err := s.run(t, s.signedBody(nil, nil)); err != nil || len(got) != 0 {
		t.Fatalf("signed: %v", err)
	}
}

// The decoder streams: byte-at-a-time input and output still decode, and
// every failure is reported on the final read at the latest.
func TestChunkedStreamsInSmallPieces(t *testing.T) {
	payload := joined(chunkData)
	c := newChunkedSetup(t, streamingSignedTrail, len(payload), "x-amz-checksum-sha256")
	body := c.signedBody(chunkData, []string{"x-amz-checksum-sha256:" + strings.Repeat("A", 43) + "="})
	for _, tamper := range []bool{false, true} {
		b := body
		if tamper {
			b = strings.Replace(b, "z\r\n", "y\r\n", 1)
		}
		r := c.req.Clone(context.Background())
		r.Body = io.NopCloser(iotest.OneByteReader(strings.NewReader(b)))
		r.ContentLength = int64(len(b))
		res, err := testVerifier().Verify(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(iotest.OneByteReader(res.Body))
		if tamper {
			wantS3Error(t, err, s3.ErrSignatureDoesNotMatch)
			continue
		}
		if err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("%v %d", err, len(got))
		}
	}
}

func TestParseChunkHeader(t *testing.T) {
	sig := strings.Repeat("ab", 32)
	cases := []struct {
		line   string
		signed bool
		size   uint64
		ok     bool
	}{
		{"0", false, 0, true},
		{"ffff", false, 0xffff, true},
		{"FFFF", false, 0xffff, true},
		{"10000;chunk-signature=" + sig, true, 0x10000, true},
		{"ffffffffffffffff", false, 1<<64 - 1, true},
		{"1ffffffffffffffff", false, 0, false},
		{"", false, 0, false},
		{";x", false, 0, false},
		{"10 ", false, 0, false},
		{"-1", false, 0, false},
		{"10", true, 0, false},
		{"10;chunk-signature=" + sig + "0", true, 0, false},
		{"10;chunk-signature=" + sig + ";x", true, 0, false},
		{"10;a=b;c", false, 16, true},
		{"10;a b", false, 0, false},
	}
	for _, tc := range cases {
		size, got, err := parseChunkHeader([]byte(tc.line), tc.signed)
		if (err == nil) != tc.ok || (tc.ok && size != tc.size) {
			t.Fatalf("%q: size %d err %v", tc.line, size, err)
		}
		if tc.ok && tc.signed && hex.EncodeToString(got[:]) != sig {
			t.Fatalf("%q: signature %x", tc.line, got)
		}
		if err != nil {
			if _, ok := s3.AsError(err); !ok {
				t.Fatalf("%q: not an s3 error: %v", tc.line, err)
			}
		}
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
