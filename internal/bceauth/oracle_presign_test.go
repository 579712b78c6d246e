package bceauth

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/baidubce/bce-sdk-go/auth"
	"github.com/baidubce/bce-sdk-go/services/bos"
)

// presignClient is a bos.Client whose presigned URLs carry signTime.
func presignClient(t testing.TB, cred oracleCredential, endpoint string, signTime time.Time) *bos.Client {
	t.Helper()
	c, err := bos.NewClient(cred.accessKey, cred.secretKey, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	c.Config.SignOption = &auth.SignOptions{HeadersToSign: auth.DEFAULT_HEADERS_TO_SIGN, ExpireSeconds: auth.DEFAULT_EXPIRE_SECONDS, Timestamp: signTime.Unix()}
	return c
}

// presignedRequest is what an HTTP client sends for a presigned URL, with
// the headers the URL was signed for, as the server parses it.
func presignedRequest(t testing.TB, method, rawURL string, headers map[string]string) *http.Request {
	t.Helper()
	if rawURL == "" {
		t.Fatal("the SDK refused to presign")
	}
	r, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return wireRoundTrip(t, r)
}

var presignKeys = []string{
	"plain.txt",
	"dir/a b+c%.txt",
	"100%",
	"tilde~and_under-score.dot",
	"unicode/日本語/ключ/🙂",
	"double//slash",
	"trailing/",
	"specials !\"#$&'()*,:;<=>?@[\\]^`{|}",
}

func TestOracleSDKPresignedURL(t *testing.T) {
	signTime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	n := 0
	for _, cred := range oracleCreds {
		v := fixedVerifier(signTime.Add(time.Minute), staticCredentials{cred.accessKey: cred.secretKey})
		// An IP endpoint presigns path-style; a host name virtual-host style,
		// the bucket in Host.
		for _, endpoint := range []string{"http://127.0.0.1:9000", "http://bos.local:9000", "localhost"} {
			c := presignClient(t, cred, endpoint, signTime)
			for _, key := range presignKeys {
				for _, params := range oracleParams {
					for _, method := range []string{"", http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete} {
						var headers map[string]string
						if method == http.MethodPut {
							headers = map[string]string{"Content-Type": "text/plain", "x-bce-meta-owner": "ключ 1"}
						}
						rawURL := c.GeneratePresignedUrl("bkt", key, 600, method, headers, params)
						if method == "" {
							method = http.MethodGet
						}
						r := presignedRequest(t, method, rawURL, headers)
						if !Is(r) {
							t.Fatalf("Is(%s) = false", rawURL)
						}
						ak, err := v.Verify(r)
						if err != nil || ak != cred.accessKey {
							t.Fatalf("%s %s: %q, %v", method, rawURL, ak, err)
						}
						n++
					}
				}
			}
			rawURL := c.BasicGeneratePresignedUrl("bkt", "basic key", 0)
			if _, err := v.Verify(presignedRequest(t, http.MethodGet, rawURL, nil)); err != nil {
				t.Fatalf("%s: %v", rawURL, err)
			}
		}
	}
	t.Logf("%d SDK-presigned URLs verified", n)
}

// A presigned URL binds its path, query, host and signed headers, and lives
// for its expiration period.
func TestOracleSDKPresignedURLBounds(t *testing.T) {
	signTime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cred := oracleCreds[0]
	creds := staticCredentials{cred.accessKey: cred.secretKey}
	c := presignClient(t, cred, "http://127.0.0.1:9000", signTime)
	headers := map[string]string{"x-bce-meta-owner": "alice"}
	rawURL := c.GeneratePresignedUrl("bkt", "dir/a b+c%.txt", 600, http.MethodPut, headers, map[string]string{"acl": ""})

	if _, err := fixedVerifier(signTime.Add(600*time.Second), creds).Verify(presignedRequest(t, http.MethodPut, rawURL, headers)); err != nil {
		t.Fatalf("at the last valid second: %v", err)
	}
	_, err := fixedVerifier(signTime.Add(601*time.Second), creds).Verify(presignedRequest(t, http.MethodPut, rawURL, headers))
	wantS3Error(t, err, "AccessDenied", CodeRequestExpired, "Expires", "2024-01-02T03:14:05Z", "ServerTime", "2024-01-02T03:14:06Z", "ExpirationPeriodInSeconds", "600")

	_, err = fixedVerifier(signTime.Add(-16*time.Minute), creds).Verify(presignedRequest(t, http.MethodPut, rawURL, headers))
	wantS3Error(t, err, "AccessDenied", CodeRequestExpired, "ServerTime", "2024-01-02T02:48:05Z")

	v := fixedVerifier(signTime, creds)
	for name, mutate := range map[string]func(u *url.URL, h map[string]string) (method string){
		"method":    func(u *url.URL, h map[string]string) string { return http.MethodGet },
		"other key": func(u *url.URL, h map[string]string) string { u.Path = "/bkt/other"; return http.MethodPut },
		"host":      func(u *url.URL, h map[string]string) string { u.Host = "127.0.0.1:9001"; return http.MethodPut },
		"query dropped": func(u *url.URL, h map[string]string) string {
			u.RawQuery = dropParam(u.RawQuery, "acl")
			return http.MethodPut
		},
		"header value": func(u *url.URL, h map[string]string) string { h["x-bce-meta-owner"] = "mallory"; return http.MethodPut },
	} {
		t.Run(name, func(t *testing.T) {
			u, _ := url.Parse(rawURL)
			h := map[string]string{"x-bce-meta-owner": "alice"}
			method := mutate(u, h)
			_, err := v.Verify(presignedRequest(t, method, u.String(), h))
			wantS3Error(t, err, "SignatureDoesNotMatch", CodeSignatureDoesNotMatch, "CanonicalRequest", "*")
		})
	}

	// The holder of a URL cannot add BCE headers the signer did not agree to.
	_, err = v.Verify(presignedRequest(t, http.MethodPut, rawURL, map[string]string{"x-bce-meta-owner": "alice", "x-bce-copy-source": "/secret/obj"}))
	wantS3Error(t, err, "AccessDenied", CodeAccessDenied, "HeadersNotSigned", "x-bce-copy-source")
}

// bce-sdk-go documents -1 as "never expires"; that is accepted only when the
// Verifier allows it.
func TestOracleSDKPresignedNeverExpires(t *testing.T) {
	signTime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cred := oracleCreds[0]
	c := presignClient(t, cred, "http://127.0.0.1:9000", signTime)
	rawURL := c.GeneratePresignedUrl("bkt", "forever.txt", -1, http.MethodGet, nil, nil)
	if !strings.Contains(rawURL, "%2F-1%2Fhost%2F") {
		t.Fatalf("the SDK did not presign with -1: %s", rawURL)
	}
	later := signTime.AddDate(10, 0, 0)
	v := fixedVerifier(later, staticCredentials{cred.accessKey: cred.secretKey})
	_, err := v.Verify(presignedRequest(t, http.MethodGet, rawURL, nil))
	wantS3Error(t, err, "AccessDenied", CodeAccessDenied, "ExpirationPeriodInSeconds", "-1")

	v.AllowNeverExpiring = true
	if _, err := v.Verify(presignedRequest(t, http.MethodGet, rawURL, nil)); err != nil {
		t.Fatalf("allowed: %v", err)
	}
	// Still not before its timestamp.
	v.Now = func() time.Time { return signTime.Add(-time.Hour) }
	_, err = v.Verify(presignedRequest(t, http.MethodGet, rawURL, nil))
	wantS3Error(t, err, "AccessDenied", CodeRequestExpired)
}

// dropParam removes the parameter named key from a raw query.
func dropParam(rawQuery, key string) string {
	var kept []string
	for _, p := range strings.Split(rawQuery, "&") {
		if k, _, _ := strings.Cut(p, "="); k != key {
			kept = append(kept, p)
		}
	}
	if len(kept) == len(strings.Split(rawQuery, "&")) {
		panic("no parameter " + key + " in " + rawQuery)
	}
	return strings.Join(kept, "&")
}
