package bceauth

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/baidubce/bce-sdk-go/auth"
	bcehttp "github.com/baidubce/bce-sdk-go/http"
)

// oracleCredential is an access key pair the SDK signs with.
type oracleCredential struct{ accessKey, secretKey string }

var oracleCreds = []oracleCredential{
	{"AKBOSEXAMPLE", "SKBOSEXAMPLE"},
	{"cairn-user-1", "s3cr3t with spaces/+=%~ключ"},
	{"K", "x"},
	{"key/with/slashes", "secret"},
}

// oracleObjects are request URIs (the unescaped path the SDK signs) that
// stress the canonical URI: service, bucket and object level, with keys
// holding space, '+', '%', '/', unicode, '~' and every other special.
var oracleObjects = []string{
	"/",
	"/bkt",
	"/bkt/plain.txt",
	"/bkt/dir/a b+c%.txt",
	"/bkt/100%",
	"/bkt/tilde~and_under-score.dot",
	"/bkt/unicode/日本語/ключ/🙂",
	"/bkt/double//slash",
	"/bkt/trailing/",
	"/bkt/specials !\"#$&'()*,:;<=>?@[\\]^`{|}",
	"/bkt/%2F literal percent-two-F",
}

// oracleParams are query parameter sets as the SDK's single-valued map
// holds them.
var oracleParams = []map[string]string{
	nil,
	{"uploads": ""},
	{"acl": ""},
	{"partNumber": "7", "uploadId": "abc+def/="},
	{"prefix": "a b/日本", "delimiter": "/", "maxKeys": "1000", "marker": "~x"},
	{"responseContentDisposition": `attachment; filename="a b.txt"`, "responseContentType": "text/plain"},
	{"weird key+%": "v&=?#", "empty": ""},
}

// sdkToWire turns a signed SDK request into the request a server receives:
// built exactly as bce-sdk-go's http.Execute builds its net/http request
// (URL path from the unescaped Uri, query from QueryString, headers copied
// under the SDK's own spelling), written to bytes and parsed back.
func sdkToWire(t testing.TB, req *bcehttp.Request, body []byte) *http.Request {
	t.Helper()
	r := &http.Request{
		Method:     req.Method(),
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		URL:        &url.URL{Scheme: req.Protocol(), Host: req.Host(), Path: req.Uri(), RawQuery: req.QueryString()},
		Header:     make(http.Header),
		Host:       req.Host(),
	}
	for k, v := range req.Headers() {
		r.Header[k] = []string{v}
	}
	if len(body) > 0 {
		r.ContentLength = int64(len(body))
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return wireRoundTrip(t, r)
}

// wireRoundTrip writes a client request as bytes and parses it back as a
// server would, so that the verifier sees exactly what arrives.
func wireRoundTrip(t testing.TB, r *http.Request) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		t.Fatalf("write request: %v", err)
	}
	got, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatalf("read request: %v", err)
	}
	return got
}

// sdkSign builds and signs a request with the SDK's own signer, as
// bce.BceClient.buildHttpRequest does: Host, Content-Type defaulted, and
// x-bce-date set before signing.
func sdkSign(t testing.TB, cred oracleCredential, signTime time.Time, method, host, uri string, params, headers map[string]string, body []byte) *http.Request {
	t.Helper()
	req := &bcehttp.Request{}
	req.SetMethod(method)
	req.SetEndpoint("http://" + host)
	req.SetUri(uri)
	for k, v := range params {
		req.SetParam(k, v)
	}
	req.SetHeader("Host", host)
	req.SetHeader("x-bce-date", signTime.UTC().Format(timeLayout))
	req.SetHeader("Content-Type", "application/json;charset=utf-8")
	for k, v := range headers {
		req.SetHeader(k, v)
	}
	if len(body) > 0 {
		req.SetLength(int64(len(body)))
		req.SetBody(io.NopCloser(bytes.NewReader(body)))
	}
	creds, err := auth.NewBceCredentials(cred.accessKey, cred.secretKey)
	if err != nil {
		t.Fatal(err)
	}
	opt := &auth.SignOptions{HeadersToSign: auth.DEFAULT_HEADERS_TO_SIGN, Timestamp: signTime.Unix(), ExpireSeconds: auth.DEFAULT_EXPIRE_SECONDS}
	(&auth.BceV1Signer{}).Sign(req, creds, opt)
	if !strings.HasPrefix(req.Header("Authorization"), authPrefix) {
		t.Fatalf("SDK wrote no auth string: %v", req.Headers())
	}
	return sdkToWire(t, req, body)
}

// oracleHeaders are headers the SDK signs (or, for x-bce-request-id and the
// blank one, deliberately does not).
func oracleHeaders(body []byte) map[string]string {
	h := map[string]string{
		"Content-Type":       "text/plain;   charset=utf-8",
		"x-bce-meta-spaced":  "  a   b  c  ",
		"x-bce-meta-unicode": "ключ ~ 🙂",
		"x-bce-meta-a":       "1",
		"x-bce-meta-a-b":     "2", // sorts before x-bce-meta-a as a line
		"x-bce-meta-nbsp":    "\u00a0nb\u00a0sp\u00a0",
		"x-bce-meta-blank":   " ",
		"x-bce-request-id":   "req-1",
		"x-bce-acl":          "public-read",
		"Cache-Control":      "no-cache", // not signed by default
	}
	if len(body) > 0 {
		h["Content-Length"] = "11"
		h["Content-MD5"] = "XrY7u+Ae7tCTyyK7j1rNww=="
	}
	return h
}

func TestOracleSDKSigner(t *testing.T) {
	signTime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	n := 0
	for _, cred := range oracleCreds {
		v := fixedVerifier(signTime.Add(10*time.Second), staticCredentials{cred.accessKey: cred.secretKey})
		for _, uri := range oracleObjects {
			for _, params := range oracleParams {
				for _, method := range []string{http.MethodPut, http.MethodGet, http.MethodDelete} {
					var body []byte
					if method == http.MethodPut {
						body = []byte("hello world")
					}
					for _, host := range []string{"127.0.0.1:9000", "bkt.bos.local"} {
						r := sdkSign(t, cred, signTime, method, host, uri, params, oracleHeaders(body), body)
						ak, err := v.Verify(r)
						if err != nil || ak != cred.accessKey {
							t.Fatalf("%s %s %q params %v cred %v: %q, %v", method, host, uri, params, cred, ak, err)
						}
						n++
					}
				}
			}
		}
	}
	t.Logf("%d SDK-signed requests verified", n)
}

// The SDK's signature must not verify once any signed part changes.
func TestOracleSDKSignerTampered(t *testing.T) {
	signTime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cred := oracleCreds[1]
	v := fixedVerifier(signTime, staticCredentials{cred.accessKey: cred.secretKey})
	body := []byte("hello world")
	fresh := func() *http.Request {
		return sdkSign(t, cred, signTime, http.MethodPut, "127.0.0.1:9000", "/bkt/dir/a b+c%.txt",
			map[string]string{"partNumber": "1", "uploadId": "u+1"}, oracleHeaders(body), body)
	}
	if _, err := v.Verify(fresh()); err != nil {
		t.Fatalf("untampered: %v", err)
	}
	for _, tc := range []struct {
		name   string
		tamper func(r *http.Request)
	}{
		{"method", func(r *http.Request) { r.Method = http.MethodPost }},
		{"path", func(r *http.Request) { r.URL.Path = "/bkt/dir/a b c%.txt" }},
		{"path case", func(r *http.Request) { r.URL.Path = "/BKT/dir/a b+c%.txt" }},
		{"query value", func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "partNumber=1", "partNumber=2", 1)
		}},
		{"query added", func(r *http.Request) { r.URL.RawQuery += "&acl" }},
		{"query repeated", func(r *http.Request) { r.URL.RawQuery += "&partNumber=1" }},
		{"host", func(r *http.Request) { r.Host = "127.0.0.1:9001" }},
		{"signed header", func(r *http.Request) { r.Header.Set("X-Bce-Meta-A", "2") }},
		{"signed header repeated", func(r *http.Request) { r.Header.Add("X-Bce-Acl", "private") }},
		{"content type", func(r *http.Request) { r.Header.Set("Content-Type", "text/html") }},
		{"content md5 removed", func(r *http.Request) { r.Header.Del("Content-Md5") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fresh()
			tc.tamper(r)
			_, err := v.Verify(r)
			wantS3Error(t, err, "SignatureDoesNotMatch", CodeSignatureDoesNotMatch, "AccessKeyId", cred.accessKey, "CanonicalRequest", "*")
		})
	}
	// Headers outside the signed set may change freely.
	r := fresh()
	r.Header.Set("Cache-Control", "max-age=1")
	r.Header.Set("X-Bce-Request-Id", "another")
	r.Header.Set("User-Agent", "changed")
	if _, err := v.Verify(r); err != nil {
		t.Fatalf("unsigned headers changed: %v", err)
	}
}
