package sigv4

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

const (
	exampleAccessKey = "AKIAIOSFODNN7EXAMPLE"
	exampleSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// exampleTime is the signing time of AWS's published examples.
var exampleTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

// staticCredentials is an in-memory Credentials.
type staticCredentials map[string]string

func (c staticCredentials) SecretKey(_ context.Context, accessKey string) (string, error) {
	if secret, ok := c[accessKey]; ok {
		return secret, nil
	}
	return "", fmt.Errorf("access key %q: %w", accessKey, ErrUnknownAccessKey)
}

func exampleVerifier(now time.Time) *Verifier {
	return &Verifier{
		Credentials: staticCredentials{exampleAccessKey: exampleSecretKey},
		Now:         func() time.Time { return now },
	}
}

// wireRequest builds a request the way net/http's server parses it from
// the wire: Host moved to r.Host, header keys canonicalised, the raw path
// and query kept. headers are name, value pairs in order.
func wireRequest(t testing.TB, method, host, target string, headers [][2]string, body string) *http.Request {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, host)
	hasLength, chunked := false, false
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
		hasLength = hasLength || strings.EqualFold(h[0], "Content-Length")
		chunked = chunked || strings.EqualFold(h[0], "Transfer-Encoding")
	}
	if !hasLength && !chunked && body != "" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(b.String())))
	if err != nil {
		t.Fatalf("parse request: %v", err)
	}
	return r
}

// wantS3Error checks that err carries an *s3.Error with the code, the HTTP
// status of that code, and the given fields (name, value pairs; a value of
// "*" only requires the field to be present).
func wantS3Error(t testing.TB, err error, code s3.ErrorCode, fields ...string) *s3.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var e *s3.Error
	if !errors.As(err, &e) {
		var c s3.ErrorCode
		if !errors.As(err, &c) {
			t.Fatalf("got %T %v, want an *s3.Error %s", err, err, code)
		}
		e = &s3.Error{Code: c}
	}
	if e.Code != code {
		t.Fatalf("got code %s (%v), want %s", e.Code, err, code)
	}
	if want, ok := wantStatus[code]; !ok || e.Status() != want {
		t.Fatalf("%s: HTTP status %d, want %d", code, e.Status(), want)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		name, want := fields[i], fields[i+1]
		got, ok := fieldValue(e, name)
		if !ok {
			t.Fatalf("%s: no field %s in %+v", code, name, e.Fields)
		}
		if want != "*" && got != want {
			t.Fatalf("%s: field %s = %q, want %q", code, name, got, want)
		}
	}
	return e
}

// wantStatus is the HTTP status AWS answers each code this package returns with.
var wantStatus = map[s3.ErrorCode]int{
	s3.ErrAccessDenied:                      http.StatusForbidden,
	s3.ErrAuthorizationHeaderMalformed:      http.StatusBadRequest,
	s3.ErrAuthorizationQueryParametersError: http.StatusBadRequest,
	s3.ErrIncompleteBody:                    http.StatusBadRequest,
	s3.ErrInvalidAccessKeyID:                http.StatusForbidden,
	s3.ErrInvalidArgument:                   http.StatusBadRequest,
	s3.ErrInvalidRequest:                    http.StatusBadRequest,
	s3.ErrMalformedTrailer:                  http.StatusBadRequest,
	s3.ErrMissingContentLength:              http.StatusLengthRequired,
	s3.ErrNotImplemented:                    http.StatusNotImplemented,
	s3.ErrRequestTimeTooSkewed:              http.StatusForbidden,
	s3.ErrSignatureDoesNotMatch:             http.StatusForbidden,
	s3.ErrXAmzContentSHA256Mismatch:         http.StatusBadRequest,
}

func fieldValue(e *s3.Error, name string) (string, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// readAll reads a Result body to the end.
func readAll(t testing.TB, res *Result) ([]byte, error) {
	t.Helper()
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// signedChunkBody builds an aws-chunked body with chunk signatures chained
// from seed, as a client would, for tests that need bodies the oracles
// cannot produce (bad framing, custom trailers).
func signedChunkBody(key [32]byte, amzDate, scope string, seed [32]byte, chunks [][]byte, trailer []string) string {
	var b strings.Builder
	prev := seed
	link := func(sts string) [32]byte {
		mac, _ := hmacSHA256(nil, &key, []byte(sts))
		prev = mac
		return mac
	}
	for _, c := range append(chunks, nil) {
		sts := fmt.Sprintf("AWS4-HMAC-SHA256-PAYLOAD\n%s\n%s\n%x\n%s\n%x", amzDate, scope, prev, emptySHA256, sha256Sum(c))
		sig := link(sts)
		fmt.Fprintf(&b, "%s;chunk-signature=%x\r\n", strconv.FormatInt(int64(len(c)), 16), sig)
		if len(c) > 0 {
			b.Write(c)
			b.WriteString("\r\n")
		}
	}
	if trailer == nil {
		b.WriteString("\r\n")
		return b.String()
	}
	var lines strings.Builder
	for _, l := range trailer {
		lines.WriteString(l + "\n")
	}
	sts := fmt.Sprintf("AWS4-HMAC-SHA256-TRAILER\n%s\n%s\n%x\n%x", amzDate, scope, prev, sha256Sum([]byte(lines.String())))
	sig := link(sts)
	for _, l := range trailer {
		b.WriteString(l + "\r\n")
	}
	fmt.Fprintf(&b, "x-amz-trailer-signature:%x\r\n\r\n", sig)
	return b.String()
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }

func ioNopCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

func hexString(b []byte) string { return fmt.Sprintf("%x", b) }
