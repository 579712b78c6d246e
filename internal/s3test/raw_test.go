package s3test_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cairn-s3/cairn/internal/s3test"
)

// rawClient sends hand-built requests signed with the AWS SDK's SigV4
// signer, for exact checks of status, headers and body that the SDKs would
// hide or refuse to send.
type rawClient struct {
	srv    *s3test.Server
	creds  s3test.Credentials
	signer *v4.Signer
	http   *http.Client
}

func newRawClient(srv *s3test.Server, c s3test.Credentials) *rawClient {
	return &rawClient{
		srv:   srv,
		creds: c,
		signer: v4.NewSigner(func(o *v4.SignerOptions) {
			o.DisableURIPathEscaping = true // S3 signs the path as sent
		}),
		http: &http.Client{},
	}
}

// as returns a client for other credentials on the same server. It gets
// its own signer: the SDK's caches derived keys by access key alone.
func (c *rawClient) as(creds s3test.Credentials) *rawClient {
	return newRawClient(c.srv, creds)
}

// rawRequest is a request before signing.
type rawRequest struct {
	method string
	// path is the escaped request path exactly as sent, e.g. "/b/a%20b".
	path string
	// query is the raw query string, without "?".
	query  string
	header http.Header
	body   []byte
	// host overrides the Host header (virtual-host addressing).
	host string
	// payloadHash is x-amz-content-sha256; "" means the body's SHA-256.
	payloadHash string
	// anonymous skips signing.
	anonymous bool
	// signTime is the signing clock; zero means now.
	signTime time.Time
	// contentLength overrides the Content-Length sent when > 0.
	contentLength int64
	// bodyReader, if set, is sent instead of body.
	bodyReader io.Reader
}

// rawResponse is what came back.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// errorDoc is S3's XML error document.
type errorDoc struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
	// Extra fields some codes carry.
	Key                  string `xml:"Key"`
	BucketName           string `xml:"BucketName"`
	Condition            string `xml:"Condition"`
	ArgumentName         string `xml:"ArgumentName"`
	ArgumentValue        string `xml:"ArgumentValue"`
	Method               string `xml:"Method"`
	ResourceType         string `xml:"ResourceType"`
	AWSAccessKeyID       string `xml:"AWSAccessKeyId"`
	StringToSign         string `xml:"StringToSign"`
	CanonicalRequest     string `xml:"CanonicalRequest"`
	SignatureProvided    string `xml:"SignatureProvided"`
	RequestTime          string `xml:"RequestTime"`
	ServerTime           string `xml:"ServerTime"`
	MaxAllowedSkew       string `xml:"MaxAllowedSkewMilliseconds"`
	Expires              string `xml:"Expires"`
	RangeRequested       string `xml:"RangeRequested"`
	ActualObjectSize     string `xml:"ActualObjectSize"`
	ExpectedDigest       string `xml:"ExpectedDigest"`
	CalculatedDigest     string `xml:"CalculatedDigest"`
	ClientComputedSHA256 string `xml:"ClientComputedContentSHA256"`
	S3ComputedSHA256     string `xml:"S3ComputedContentSHA256"`
	HeadersNotSigned     string `xml:"HeadersNotSigned"`
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// do signs and sends rr.
func (c *rawClient) do(t testing.TB, rr rawRequest) rawResponse {
	t.Helper()
	req := c.build(t, rr)
	if !rr.anonymous {
		c.sign(t, req, rr)
	}
	return c.send(t, req)
}

// build makes the unsigned http.Request.
func (c *rawClient) build(t testing.TB, rr rawRequest) *http.Request {
	t.Helper()
	var body io.Reader = bytes.NewReader(rr.body)
	if rr.bodyReader != nil {
		body = rr.bodyReader
	}
	req, err := http.NewRequest(rr.method, c.srv.URL, body)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	// Opaque puts the path on the wire byte for byte; the signer reads it too.
	req.URL.Opaque = rr.path
	req.URL.RawQuery = rr.query
	if rr.host != "" {
		req.Host = rr.host
	}
	for k, vs := range rr.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.ContentLength = int64(len(rr.body))
	if rr.bodyReader != nil {
		req.ContentLength = -1
	}
	if rr.contentLength > 0 {
		req.ContentLength = rr.contentLength
	}
	if req.ContentLength == 0 {
		req.Body = http.NoBody
	}
	return req
}

// sign adds x-amz-content-sha256 and the SigV4 Authorization header.
func (c *rawClient) sign(t testing.TB, req *http.Request, rr rawRequest) {
	t.Helper()
	hash := rr.payloadHash
	if hash == "" {
		sum := sha256.Sum256(rr.body)
		hash = hex.EncodeToString(sum[:])
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	at := rr.signTime
	if at.IsZero() {
		at = time.Now()
	}
	creds := aws.Credentials{AccessKeyID: c.creds.AccessKey, SecretAccessKey: c.creds.SecretKey}
	if err := c.signer.SignHTTP(bg, creds, req, hash, "s3", "us-east-1", at); err != nil {
		t.Fatalf("sign: %v", err)
	}
}

func (c *rawClient) send(t testing.TB, req *http.Request) rawResponse {
	t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Opaque, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Opaque, err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: b}
}

// errorDoc parses the response as an S3 error document, failing the test if
// it is not one or if its request id differs from the header's.
func (r rawResponse) errorDoc(t testing.TB) errorDoc {
	t.Helper()
	var d errorDoc
	if err := xml.Unmarshal(r.body, &d); err != nil {
		t.Fatalf("status %d: body is not an S3 error document: %v\n%s", r.status, err, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/xml" {
		t.Errorf("error Content-Type %q", ct)
	}
	if d.RequestID == "" || d.RequestID != r.header.Get("x-amz-request-id") {
		t.Errorf("error RequestId %q, header %q", d.RequestID, r.header.Get("x-amz-request-id"))
	}
	if d.HostID == "" || d.HostID != r.header.Get("x-amz-id-2") {
		t.Errorf("error HostId %q, header %q", d.HostID, r.header.Get("x-amz-id-2"))
	}
	return d
}

// wantError checks the status and the code of an error response.
func (r rawResponse) wantError(t testing.TB, code string, status int) errorDoc {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d; body:\n%s", r.status, status, r.body)
	}
	d := r.errorDoc(t)
	if d.Code != code {
		t.Errorf("code %q, want %q (message %q)", d.Code, code, d.Message)
	}
	if d.Message == "" {
		t.Errorf("%s without a message", d.Code)
	}
	return d
}

// wantStatus checks a success status.
func (r rawResponse) wantStatus(t testing.TB, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.status, status, r.body)
	}
}

// xmlBody decodes a success body into v.
func (r rawResponse) xmlBody(t testing.TB, v any) {
	t.Helper()
	if err := xml.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, r.body)
	}
}

// escapePath percent-encodes a key for a request path the way S3 clients
// do: everything but unreserved characters and "/".
func escapePath(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-_.~/", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteString("%")
			b.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}

// objectPath is the escaped path of bucket/key.
func objectPath(bucket, key string) string { return "/" + bucket + "/" + escapePath(key) }

func hdr(kv ...string) http.Header {
	h := make(http.Header)
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}
