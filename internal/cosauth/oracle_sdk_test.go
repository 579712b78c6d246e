package cosauth

import (
	"context"
	"fmt"
	"hash/crc64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// oracleKeys are object keys that stress path handling: COS signs the
// decoded path, however the client escaped it.
var oracleKeys = []string{
	"plain.txt",
	"with space.txt",
	"plus+sign",
	"100%",
	"tilde~and_under-score.dot",
	"unicode/日本語/ключ/🙂",
	"dir/a b+c%.txt",
	"specials !\"#$&'()*,:;<=>?@[\\]^`{|}",
	"%2F literal percent-two-F",
	"double//slash",
	"trailing/",
}

// oracleQueries are raw query strings as clients put them on the wire.
var oracleQueries = []string{
	"",
	"uploads",
	"partNumber=7&uploadId=abc%2Bdef%2F%3D",
	"prefix=a%20b&delimiter=%2F&max-keys=10&encoding-type=url",
	"prefix=%E6%97%A5%E6%9C%AC&marker=%7E",
	"versionId=&tagging",
	"response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&response-cache-control=no-cache",
	"key=%7Etilde&key=%21bang&key=plain&key=%C3%A9&key=",
	"Mixed=1&mixed=2&MIXED=0",
	"a+b=c+d&x=%2B",
	"weird%21name*=v(1)&q-ak=not-auth&sign=not-cos",
}

type oracleCredentials struct{ accessKey, secretKey string }

var oracleCreds = []oracleCredentials{
	{testAK, testSK},
	{"AKID-2", "s3cr3t 日本 ~%+/="},
	{"K", "x"},
}

// oracleHosts are Host values as the SDK sends them: a Client.Host
// override, or the endpoint's host with its port.
var oracleHosts = []string{"mybucket-1250000000.cos.local", "127.0.0.1:9000", "b.cos.local:8080"}

// oracleHeaders sets request headers the SDK signs (x-cos-*, content-*,
// range, conditionals) or leaves unsigned (user-agent, accept).
var oracleHeaders = []func(h http.Header){
	func(http.Header) {},
	func(h http.Header) {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("X-Cos-Meta-Color", "Red, Blue")
		h.Set("x-cos-meta-unicode", "日本 ~ key")
		h.Add("X-Cos-Meta-Multi", "b")
		h.Add("X-Cos-Meta-Multi", "a")
		h["Content-MD5"] = []string{"1B2M2Y8AsgTpgAmY7PhCfg=="}
	},
	func(h http.Header) {
		h.Set("Range", "bytes=0-9")
		h.Set("If-Match", `"etag+/="`)
		h.Set("X-Cos-Acl", "private")
		h.Set("Cache-Control", "no-cache")
		h.Set("User-Agent", "cos-go-sdk-v5/0.7.70")
		h.Set("Accept", "*/*")
		h.Set("X-Cos-Sdk-Retry", "true")
	},
}

// escapeKey escapes a key for the request line in one of two styles: every
// '/' as %2F (the SDK's object calls) or '/' kept (its presigned URLs).
func escapeKey(key string, keepSlash bool) string {
	if !keepSlash {
		return url.PathEscape(key)
	}
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

func authTime(start time.Time, d time.Duration) *cos.AuthTime {
	return &cos.AuthTime{SignStartTime: start, SignEndTime: start.Add(d), KeyStartTime: start, KeyEndTime: start.Add(d)}
}

// TestOracleAddAuthorizationHeader signs requests with the SDK's exported
// signer, sends them through a wire round trip and verifies them.
func TestOracleAddAuthorizationHeader(t *testing.T) {
	methods := []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodHead}
	keys := append([]string{""}, oracleKeys...) // "" is a bucket-level request
	n := 0
	for ki, key := range keys {
		for qi, rawQuery := range oracleQueries {
			n++
			method := methods[n%len(methods)]
			cred := oracleCreds[n%len(oracleCreds)]
			host := oracleHosts[(ki+qi)%len(oracleHosts)]
			setHeaders := oracleHeaders[(n/2)%len(oracleHeaders)]
			target := "/" + escapeKey(key, n%2 == 0)
			if rawQuery != "" {
				target += "?" + rawQuery
			}
			name := fmt.Sprintf("%s %s host=%s", method, target, host)
			t.Run(name, func(t *testing.T) {
				var body io.Reader
				if method == http.MethodPut || method == http.MethodPost {
					body = strings.NewReader("payload")
				}
				req, err := http.NewRequest(method, "http://"+host+target, body)
				if err != nil {
					t.Fatal(err)
				}
				setHeaders(req.Header)
				if body != nil {
					req.Header.Set("Content-Length", strconv.FormatInt(req.ContentLength, 10))
				}
				signedAt := testNow.Add(-time.Minute)
				// A session token travels as a signed x-cos-security-token header.
				token := []string{"", "session token+/="}[(n/3)%2]
				cos.AddAuthorizationHeader(cred.accessKey, cred.secretKey, token, req, authTime(signedAt, time.Hour))
				r := wireRoundTrip(t, req)
				v := &Verifier{Credentials: staticCredentials{cred.accessKey: cred.secretKey}, Now: func() time.Time { return testNow }}
				ak, err := v.Verify(r)
				if err != nil || ak != cred.accessKey {
					t.Fatalf("Verify: %q, %v\nAuthorization: %s", ak, err, r.Header.Get("Authorization"))
				}
				if !Is(r) {
					t.Fatal("Is = false")
				}
			})
		}
	}
}

// cosServer is an httptest server that verifies every request with the
// real clock and records the outcome.
type cosServer struct {
	*httptest.Server
	mu       sync.Mutex
	verified []string
	failures []string
}

func newCOSServer(t *testing.T, creds staticCredentials) *cosServer {
	s := &cosServer{}
	v := &Verifier{Credentials: creds}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line := r.Method + " " + r.RequestURI
		ak, err := v.Verify(r)
		s.mu.Lock()
		if err != nil {
			s.failures = append(s.failures, fmt.Sprintf("%s (Host %s): %v\nAuthorization: %s", line, r.Host, err, r.Header.Get("Authorization")))
		} else {
			s.verified = append(s.verified, line+" as "+ak)
		}
		s.mu.Unlock()
		if err != nil {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		body, _ := io.ReadAll(r.Body)
		// The SDK checks the CRC of what it uploaded.
		w.Header().Set("x-cos-hash-crc64ecma", strconv.FormatUint(crc64.Checksum(body, crc64.MakeTable(crc64.ECMA)), 10))
		w.Header().Set("ETag", `"d41d8cd98f00b204e9800998ecf8427e"`)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *cosServer) check(t *testing.T, wantRequests int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.failures {
		t.Errorf("rejected: %s", f)
	}
	if len(s.verified)+len(s.failures) < wantRequests {
		t.Errorf("server saw %d requests, want at least %d", len(s.verified)+len(s.failures), wantRequests)
	}
}

// TestOracleSDKClient drives the real SDK client, signing with its
// AuthorizationTransport, against a server that verifies every request:
// bucket-level and object-level calls, with and without a Host override.
func TestOracleSDKClient(t *testing.T) {
	for _, hostOverride := range []string{"mybucket-1250000000.cos.local", ""} {
		t.Run("host="+hostOverride, func(t *testing.T) {
			cred := oracleCreds[1]
			srv := newCOSServer(t, staticCredentials{cred.accessKey: cred.secretKey})
			u, _ := url.Parse(srv.URL)
			c := cos.NewClient(&cos.BaseURL{BucketURL: u, ServiceURL: u}, &http.Client{
				Transport: &cos.AuthorizationTransport{SecretID: cred.accessKey, SecretKey: cred.secretKey},
			})
			c.Host = hostOverride
			ctx := context.Background()
			calls := 0
			call := func(err error) {
				calls++
				_ = err // the server's verdict is what counts; empty bodies may not parse
			}
			_, err := c.Bucket.Put(ctx, nil)
			call(err)
			_, err = c.Bucket.Head(ctx)
			call(err)
			_, _, err = c.Bucket.Get(ctx, &cos.BucketGetOptions{Prefix: "a b/日+", Delimiter: "/", MaxKeys: 10, EncodingType: "url", Marker: "m~!*"})
			call(err)
			_, _, err = c.Bucket.ListMultipartUploads(ctx, &cos.ListMultipartUploadsOptions{Prefix: "p q", KeyMarker: "k/1", UploadIDMarker: "u+1"})
			call(err)
			for _, key := range oracleKeys {
				meta := http.Header{}
				meta.Set("x-cos-meta-note", "héllo wörld")
				_, err = c.Object.Put(ctx, key, strings.NewReader("hello"), &cos.ObjectPutOptions{
					ObjectPutHeaderOptions: &cos.ObjectPutHeaderOptions{ContentType: "text/plain", XCosMetaXXX: &meta},
				})
				if err != nil {
					t.Errorf("Put %q: %v", key, err)
				}
				calls++
				_, err = c.Object.Get(ctx, key, &cos.ObjectGetOptions{ResponseContentDisposition: `attachment; filename="a b.txt"`, Range: "bytes=0-1"})
				call(err)
				_, err = c.Object.Head(ctx, key, nil)
				call(err)
				_, err = c.Object.Delete(ctx, key, &cos.ObjectDeleteOptions{VersionId: "v1+/="})
				call(err)
				_, _, err = c.Object.InitiateMultipartUpload(ctx, key, nil)
				call(err)
				const uploadID = "upload+id/="
				_, err = c.Object.UploadPart(ctx, key, uploadID, 1, strings.NewReader("part"), nil)
				if err != nil {
					t.Errorf("UploadPart %q: %v", key, err)
				}
				calls++
				_, _, err = c.Object.CompleteMultipartUpload(ctx, key, uploadID, &cos.CompleteMultipartUploadOptions{Parts: []cos.Object{{PartNumber: 1, ETag: `"abc"`}}})
				call(err)
				_, _, err = c.Object.ListParts(ctx, key, uploadID, &cos.ObjectListPartsOptions{MaxParts: "10", PartNumberMarker: "2"})
				call(err)
				_, err = c.Object.AbortMultipartUpload(ctx, key, uploadID)
				call(err)
			}
			if hostOverride == "" {
				_, _, err = c.Service.Get(ctx)
				call(err)
			}
			srv.check(t, calls)
		})
	}
}

// TestOraclePresignedURL verifies the SDK's presigned URLs in both query
// forms (separate q-* parameters and the merged sign parameter), with
// signed query parameters and headers, and with a session token.
func TestOraclePresignedURL(t *testing.T) {
	cred := oracleCreds[1]
	u, _ := url.Parse("http://mybucket-1250000000.cos.local:9000")
	tokenClient := func(token string) *cos.Client {
		return cos.NewClient(&cos.BaseURL{BucketURL: u}, &http.Client{
			Transport: &cos.AuthorizationTransport{SecretID: cred.accessKey, SecretKey: cred.secretKey, SessionToken: token},
		})
	}
	c := tokenClient("")
	ctx := context.Background()
	signedAt := testNow.Add(-10 * time.Minute)
	type presign func(method, key string, opt *cos.PresignedURLOptions) (*url.URL, error)
	signers := map[string]presign{
		"GetPresignedURL": func(method, key string, opt *cos.PresignedURLOptions) (*url.URL, error) {
			return c.Object.GetPresignedURL(ctx, method, key, cred.accessKey, cred.secretKey, time.Hour, opt)
		},
		"GetPresignedURL2 with token": func(method, key string, opt *cos.PresignedURLOptions) (*url.URL, error) {
			return tokenClient("session token+/=").Object.GetPresignedURL2(ctx, method, key, time.Hour, opt)
		},
		"GetPresignedURL3 encoded delimiter": func(method, key string, opt *cos.PresignedURLOptions) (*url.URL, error) {
			opt.EncodeDelimiter = true
			return c.Object.GetPresignedURL3(ctx, method, key, time.Hour, opt)
		},
	}
	for signerName, sign := range signers {
		for i, key := range oracleKeys {
			for _, merged := range []bool{false, true} {
				method := []string{http.MethodGet, http.MethodPut, http.MethodHead}[i%3]
				t.Run(fmt.Sprintf("%s merged=%v %s %q", signerName, merged, method, key), func(t *testing.T) {
					query := url.Values{}
					header := http.Header{}
					switch i % 3 {
					case 1:
						query.Set("response-content-type", "text/plain; charset=utf-8")
						query.Set("versionId", "v+1/=")
						header.Set("Content-Type", "image/png")
						header.Set("x-cos-meta-owner", "a b")
					case 2:
						query.Add("x-id", "日本")
						query.Add("X-Id", "~")
					}
					opt := &cos.PresignedURLOptions{Query: &query, Header: &header, SignMerged: merged, AuthTime: authTime(signedAt, time.Hour)}
					pu, err := sign(method, key, opt)
					if err != nil {
						t.Fatal(err)
					}
					req, err := http.NewRequest(method, pu.String(), nil)
					if err != nil {
						t.Fatal(err)
					}
					for k, vs := range header {
						req.Header[k] = vs
					}
					r := wireRoundTrip(t, req)
					if !Is(r) {
						t.Fatalf("Is = false for %s", pu)
					}
					ak, err := testVerifierFor(cred).Verify(r)
					if err != nil || ak != cred.accessKey {
						t.Fatalf("Verify %s: %q, %v", pu, ak, err)
					}
				})
			}
		}
	}
}

func testVerifierFor(c oracleCredentials) *Verifier {
	return &Verifier{Credentials: staticCredentials{c.accessKey: c.secretKey}, Now: func() time.Time { return testNow }}
}
