package loadgen

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// seenRequest is what a test server recorded of a request.
type seenRequest struct {
	method, path, query, auth, date, payload, acceptEncoding string
	contentLength                                            int64
	body                                                     []byte
	sigErr                                                   error
}

// recordingServer answers 200 with an ETag to everything and records what
// it saw, checking each signature.
func recordingServer(t *testing.T) (*httptest.Server, func() []seenRequest) {
	var (
		mu   sync.Mutex
		seen []seenRequest
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body bytes.Buffer
		_, _ = body.ReadFrom(r.Body)
		_, sigErr := checkSigV4(r, testSecretKey)
		mu.Lock()
		seen = append(seen, seenRequest{
			method: r.Method, path: r.URL.EscapedPath(), query: r.URL.RawQuery,
			auth: r.Header.Get("Authorization"), date: r.Header.Get("X-Amz-Date"),
			payload: r.Header.Get("X-Amz-Content-Sha256"), acceptEncoding: r.Header.Get("Accept-Encoding"),
			contentLength: r.ContentLength, body: body.Bytes(), sigErr: sigErr,
		})
		mu.Unlock()
		w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
		_, _ = w.Write([]byte("hello"))
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seenRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]seenRequest(nil), seen...)
	}
}

func testClient(t *testing.T, endpoint string, now func() time.Time) *Client {
	t.Helper()
	c, err := NewClient(ClientConfig{Endpoint: endpoint, AccessKey: testAccessKey, SecretKey: testSecretKey, Region: "eu-west-3", Conns: 4, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestClientSignsWithUnsignedPayload(t *testing.T) {
	srv, seen := recordingServer(t)
	signingTime := time.Date(2026, 11, 23, 18, 4, 5, 0, time.UTC)
	c := testClient(t, srv.URL, func() time.Time { return signingTime })
	ctx := context.Background()
	body := bytes.Repeat([]byte("cairn"), 1000)

	if _, err := c.PutObject(ctx, "bench", "dir/a key+%.bin", body); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	if n, err := c.GetObject(ctx, "bench", "dir/obj", buf); err != nil || n != 5 {
		t.Fatalf("GetObject = %d, %v; want 5 bytes", n, err)
	}
	if _, err := c.UploadPart(ctx, "bench", "big", "id/with+odd=chars", 7, body[:10]); err != nil {
		t.Fatal(err)
	}

	got := seen()
	if len(got) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(got))
	}
	wantScope := "Credential=" + testAccessKey + "/20261123/eu-west-3/s3/aws4_request, "
	for _, r := range got {
		if r.sigErr != nil {
			t.Errorf("%s %s: %v", r.method, r.path, r.sigErr)
		}
		if !authPattern.MatchString(r.auth) || !strings.Contains(r.auth, wantScope) {
			t.Errorf("%s %s: Authorization %q, want AWS4-HMAC-SHA256 with %q", r.method, r.path, r.auth, wantScope)
		}
		if r.date != "20261123T180405Z" {
			t.Errorf("%s %s: X-Amz-Date %q, want the injected clock's 20261123T180405Z", r.method, r.path, r.date)
		}
		if r.payload != "UNSIGNED-PAYLOAD" {
			t.Errorf("%s %s: X-Amz-Content-Sha256 %q, want UNSIGNED-PAYLOAD", r.method, r.path, r.payload)
		}
		if strings.Contains(r.acceptEncoding, "gzip") {
			t.Errorf("%s %s: Accept-Encoding %q: compression must be off", r.method, r.path, r.acceptEncoding)
		}
	}
	put, get, part := got[0], got[1], got[2]
	if put.method != http.MethodPut || put.path != "/bench/dir/a%20key+%25.bin" {
		t.Errorf("PUT went to %s %s", put.method, put.path)
	}
	if !strings.Contains(put.auth, "SignedHeaders=content-length;host;x-amz-content-sha256;x-amz-date,") {
		t.Errorf("PUT Authorization %q: want content-length, host, x-amz-content-sha256 and x-amz-date signed", put.auth)
	}
	if put.contentLength != int64(len(body)) || !bytes.Equal(put.body, body) {
		t.Errorf("PUT body: %d bytes (Content-Length %d), want the %d bytes sent", len(put.body), put.contentLength, len(body))
	}
	if get.method != http.MethodGet || !strings.Contains(get.auth, "SignedHeaders=host;x-amz-content-sha256;x-amz-date,") {
		t.Errorf("GET %s: Authorization %q", get.path, get.auth)
	}
	if part.query != "partNumber=7&uploadId=id%2Fwith%2Bodd%3Dchars" {
		t.Errorf("UploadPart query %q", part.query)
	}
}

func TestClientResponseErrors(t *testing.T) {
	f, srv := newFakeS3(t)
	c := testClient(t, srv.URL, nil)
	ctx := context.Background()

	_, err := c.PutObject(ctx, "nobucket", "k", []byte("x"))
	var re *ResponseError
	if !errors.As(err, &re) || re.Status != http.StatusNotFound || !errors.Is(err, s3.ErrNoSuchBucket) {
		t.Fatalf("PUT to a missing bucket: %v; want a 404 NoSuchBucket ResponseError", err)
	}
	if !strings.Contains(err.Error(), "PutObject nobucket/k: 404 NoSuchBucket") {
		t.Errorf("error text %q", err)
	}

	// EnsureBucket creates once, then finds it.
	for range 2 {
		if err := c.EnsureBucket(ctx, "b"); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count("PUT bucket"); n != 1 {
		t.Errorf("EnsureBucket twice created the bucket %d times, want 1", n)
	}

	_, err = c.GetObject(ctx, "b", "missing", make([]byte, 16))
	if !errors.Is(err, s3.ErrNoSuchKey) {
		t.Errorf("GET of a missing key: %v, want NoSuchKey", err)
	}
	// A HEAD error has no body: the code comes from the status.
	_, err = c.HeadObject(ctx, "b", "missing")
	if !errors.As(err, &re) || re.Status != http.StatusNotFound || re.Err.Code != "NotFound" {
		t.Errorf("HEAD of a missing key: %v, want 404 NotFound", err)
	}
}

func TestNewClientRejects(t *testing.T) {
	for _, cfg := range []ClientConfig{
		{Endpoint: "127.0.0.1:9000", AccessKey: "a", SecretKey: "s"},
		{Endpoint: "ftp://127.0.0.1:9000", AccessKey: "a", SecretKey: "s"},
		{Endpoint: "http://", AccessKey: "a", SecretKey: "s"},
		{Endpoint: "http://127.0.0.1:9000", SecretKey: "s"},
		{Endpoint: "http://127.0.0.1:9000", AccessKey: "a"},
	} {
		if _, err := NewClient(cfg); err == nil {
			t.Errorf("NewClient(%+v) succeeded", cfg)
		}
	}
}
