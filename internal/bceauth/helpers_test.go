package bceauth

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// staticCredentials is an in-memory Credentials.
type staticCredentials map[string]string

func (c staticCredentials) SecretKey(_ context.Context, accessKey string) (string, error) {
	if secret, ok := c[accessKey]; ok {
		return secret, nil
	}
	return "", fmt.Errorf("access key %q: %w", accessKey, ErrUnknownAccessKey)
}

// fixedVerifier verifies with the given credentials and a stopped clock.
func fixedVerifier(now time.Time, creds staticCredentials) *Verifier {
	return &Verifier{Credentials: creds, Now: func() time.Time { return now }}
}

// wireRequest builds a request the way net/http's server parses it from
// the wire: Host moved to r.Host, header keys canonicalised, the raw path
// and query kept. headers are name, value pairs in order.
func wireRequest(t testing.TB, method, host, target string, headers [][2]string, body string) *http.Request {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, host)
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(b.String())))
	if err != nil {
		t.Fatalf("parse request: %v", err)
	}
	return r
}

// wantStatus is the HTTP status of each S3 code this package returns.
var wantStatus = map[s3.ErrorCode]int{
	s3.ErrAccessDenied:                      http.StatusForbidden,
	s3.ErrAuthorizationHeaderMalformed:      http.StatusBadRequest,
	s3.ErrAuthorizationQueryParametersError: http.StatusBadRequest,
	s3.ErrInvalidAccessKeyID:                http.StatusForbidden,
	s3.ErrInvalidArgument:                   http.StatusBadRequest,
	s3.ErrRequestTimeTooSkewed:              http.StatusForbidden,
	s3.ErrSignatureDoesNotMatch:             http.StatusForbidden,
}

// wantS3Error checks that err is an *s3.Error with the code, the HTTP status
// of that code, the BCE code, and the given fields (name, value pairs; a
// value of "*" only requires the field to be present).
func wantS3Error(t testing.TB, err error, code s3.ErrorCode, bceCode string, fields ...string) *s3.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var e *s3.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T %v, want an *s3.Error %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("got code %s (%v), want %s", e.Code, err, code)
	}
	if want, ok := wantStatus[code]; !ok || e.Status() != want {
		t.Fatalf("%s: HTTP status %d, want %d", code, e.Status(), want)
	}
	fields = append([]string{FieldBceCode, bceCode}, fields...)
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

func fieldValue(e *s3.Error, name string) (string, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}
