package loadgen

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cairn-s3/cairn/internal/s3"
)

// unsignedPayload is the x-amz-content-sha256 value that leaves the body
// out of the signature, so the client never hashes object data.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// ClientConfig says where a Client connects and as whom.
type ClientConfig struct {
	// Endpoint is the server's base URL, e.g. http://127.0.0.1:9000.
	// Buckets are addressed path-style under it.
	Endpoint string
	// Region goes into the SigV4 credential scope; "" means us-east-1.
	Region    string
	AccessKey string
	SecretKey string
	// Conns is how many idle connections to keep to the server: at least
	// the number of requests in flight, or connections churn.
	Conns int
	// Now is the clock requests are signed with; nil means time.Now.
	Now func() time.Time
}

// Client is a minimal S3 client for load generation: path-style requests,
// SigV4 header auth with UNSIGNED-PAYLOAD, bodies sent from the caller's
// buffers and GET bodies drained into the caller's buffer. It is safe for
// concurrent use.
type Client struct {
	base   *url.URL
	region string
	creds  aws.Credentials
	signer *v4.Signer
	http   *http.Client
	now    func() time.Time
}

// NewClient returns a client for cfg.Endpoint.
func NewClient(cfg ClientConfig) (*Client, error) {
	base, err := url.Parse(strings.TrimSuffix(cfg.Endpoint, "/"))
	if err != nil {
		return nil, fmt.Errorf("endpoint %q: %w", cfg.Endpoint, err)
	}
	if base.Scheme != "http" && base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("endpoint %q: want http://host:port or https://host:port", cfg.Endpoint)
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, fmt.Errorf("an access key and a secret key are required")
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	conns := max(cfg.Conns, 1)
	transport := &http.Transport{
		Proxy:       nil, // a benchmark measures the server, never a proxy
		DialContext: (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		// Keep one connection per worker alive between requests.
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		IdleConnTimeout:     90 * time.Second,
		// Object data is random: compressing it would only burn CPU, and a
		// transparently gunzipped GET would not count wire bytes.
		DisableCompression: true,
		// Large socket buffers mean fewer, larger write and read calls for
		// the same bytes: less client CPU per byte.
		WriteBufferSize: 256 << 10,
		ReadBufferSize:  256 << 10,
		// HTTP/1.1 only: one request per connection, as S3 clients do.
		ForceAttemptHTTP2: false,
		TLSNextProto:      nil,
	}
	return &Client{
		base:   base,
		region: region,
		creds:  aws.Credentials{AccessKeyID: cfg.AccessKey, SecretAccessKey: cfg.SecretKey, Source: "cairn bench"},
		signer: v4.NewSigner(func(o *v4.SignerOptions) {
			// S3 signs the path as sent: escaped once, not twice.
			o.DisableURIPathEscaping = true
		}),
		http: &http.Client{Transport: transport},
		now:  now,
	}, nil
}

// Close releases the client's idle connections.
func (c *Client) Close() {
	c.http.CloseIdleConnections()
}

// ResponseError is a request the server answered with an error status, and
// the S3 error its body carried (for a HEAD, which has no body, a code made
// from the status). errors.Is(err, s3.ErrNoSuchKey) matches on the code.
type ResponseError struct {
	// Op is the operation, e.g. "PutObject".
	Op string
	// Target is "bucket" or "bucket/key".
	Target string
	// Status is the HTTP status.
	Status int
	// Err is the S3 error.
	Err *s3.Error
}

// Error implements error.
func (e *ResponseError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.Op, e.Target, e.Status, e.Err.Error())
}

// Unwrap returns the S3 error.
func (e *ResponseError) Unwrap() error { return e.Err }

// request is one S3 request to build and send.
type request struct {
	op     string
	method string
	bucket string
	key    string
	query  url.Values
	body   []byte
	header http.Header
}

// send signs and sends r and returns the response if its status is 2xx;
// otherwise it reads the error document and returns a *ResponseError.
// The caller MUST close the body of a returned response.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	u := *c.base
	u.Path = c.base.Path + "/" + r.bucket
	if r.key != "" {
		u.Path += "/" + r.key
	}
	u.RawQuery = r.query.Encode()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.op, target(r), err)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
	if err := c.signer.SignHTTP(ctx, c.creds, req, unsignedPayload, "s3", c.region, c.now()); err != nil {
		return nil, fmt.Errorf("%s %s: sign: %w", r.op, target(r), err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.op, target(r), err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	doc, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return nil, &ResponseError{Op: r.op, Target: target(r), Status: resp.StatusCode, Err: parseError(resp.StatusCode, doc)}
}

// target names a request's bucket or object in errors.
func target(r request) string {
	if r.key == "" {
		return r.bucket
	}
	return r.bucket + "/" + r.key
}

// errorDocument is S3's <Error> body.
type errorDocument struct {
	XMLName xml.Name `xml:"Error"`
	Code    string   `xml:"Code"`
	Message string   `xml:"Message"`
}

// parseError makes an s3.Error of an error body, or of the status alone
// when there is no parsable body (HEAD, or a proxy's HTML).
func parseError(status int, doc []byte) *s3.Error {
	var e errorDocument
	if err := xml.Unmarshal(doc, &e); err == nil && e.Code != "" {
		return &s3.Error{Code: s3.ErrorCode(e.Code), Message: e.Message}
	}
	code := strings.ReplaceAll(http.StatusText(status), " ", "")
	if status == http.StatusNotFound {
		code = "NotFound" // what SDKs call a body-less 404
	}
	if code == "" {
		code = "HTTP" + strconv.Itoa(status)
	}
	return &s3.Error{Code: s3.ErrorCode(code), Message: strings.TrimSpace(string(doc))}
}

// drain reads the rest of body into buf, over and over, and returns how
// many bytes there were: the body is consumed without allocating.
func drain(body io.Reader, buf []byte) (int64, error) {
	var n int64
	for {
		m, err := body.Read(buf)
		n += int64(m)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// PutObject stores body under bucket/key and returns the ETag (with its
// quotes). body is sent as it is and never copied.
func (c *Client) PutObject(ctx context.Context, bucket, key string, body []byte) (string, error) {
	resp, err := c.send(ctx, request{op: "PutObject", method: http.MethodPut, bucket: bucket, key: key, body: body})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return "", fmt.Errorf("PutObject %s/%s: reading response: %w", bucket, key, err)
	}
	return resp.Header.Get("ETag"), nil
}

// GetObject reads bucket/key, using buf (which MUST NOT be empty) to drain
// the body, and returns the number of body bytes. A body shorter or longer
// than its Content-Length is an error.
func (c *Client) GetObject(ctx context.Context, bucket, key string, buf []byte) (int64, error) {
	resp, err := c.send(ctx, request{op: "GetObject", method: http.MethodGet, bucket: bucket, key: key})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := drain(resp.Body, buf)
	if err != nil {
		return n, fmt.Errorf("GetObject %s/%s: reading body: %w", bucket, key, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return n, fmt.Errorf("GetObject %s/%s: got %d bytes, Content-Length %d", bucket, key, n, resp.ContentLength)
	}
	return n, nil
}

// HeadObject returns the size of bucket/key.
func (c *Client) HeadObject(ctx context.Context, bucket, key string) (int64, error) {
	resp, err := c.send(ctx, request{op: "HeadObject", method: http.MethodHead, bucket: bucket, key: key})
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.ContentLength, nil
}

// DeleteObject removes bucket/key.
func (c *Client) DeleteObject(ctx context.Context, bucket, key string) error {
	resp, err := c.send(ctx, request{op: "DeleteObject", method: http.MethodDelete, bucket: bucket, key: key})
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// EnsureBucket creates bucket unless it exists and is the caller's.
func (c *Client) EnsureBucket(ctx context.Context, bucket string) error {
	resp, err := c.send(ctx, request{op: "HeadBucket", method: http.MethodHead, bucket: bucket})
	if err == nil {
		resp.Body.Close()
		return nil
	}
	var re *ResponseError
	if !errors.As(err, &re) || re.Status != http.StatusNotFound {
		return err
	}
	resp, err = c.send(ctx, request{op: "CreateBucket", method: http.MethodPut, bucket: bucket})
	if errors.Is(err, s3.ErrBucketAlreadyOwnedByYou) {
		return nil // created meanwhile by another run
	}
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}
