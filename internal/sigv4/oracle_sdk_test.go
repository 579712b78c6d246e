package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/encoding/httpbinding"

	"github.com/cairn-s3/cairn/internal/s3"
)

// oracleKeys are object keys that stress path canonicalisation.
var oracleKeys = []string{
	"plain.txt",
	"with space.txt",
	"plus+sign",
	"100%",
	"tilde~and_under-score.dot",
	"unicode/日本語/ключ/🙂",
	"double//slash",
	"trailing/",
	"specials !\"#$&'()*,:;<=>?@[\\]^`{|}",
	"%2F literal percent-two-F",
	"a/./b/../c",
}

// oracleQueries are raw query strings as clients put them on the wire.
var oracleQueries = []string{
	"",
	"acl",
	"list-type=2&prefix=a%20b&delimiter=%2F",
	"uploadId=abc%2Bdef%2F%3D&partNumber=7",
	"prefix=%E6%97%A5%E6%9C%AC&max-keys=10&encoding-type=url",
	"versionId=&tagging",
	"response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&response-cache-control=no-cache",
	"key=%7Etilde&key=%21bang&key=plain",
}

type oracleCredentials struct{ accessKey, secretKey, region string }

var oracleCreds = []oracleCredentials{
	{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1"},
	{"cairn-user-1", "s3cr3t with spaces/+=%~", "eu-central-1"},
	{"K", "x", "my-private-region"},
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

// sdkRequest builds a request the way the aws-sdk-go-v2 S3 client does:
// the key escaped with smithy's S3 path escaping, RawPath set.
func sdkRequest(t testing.TB, method, host, bucket, key, rawQuery string, body []byte) *http.Request {
	t.Helper()
	escaped := "/" + bucket + "/" + httpbinding.EscapePath(key, false)
	path, err := url.PathUnescape(escaped)
	if err != nil {
		t.Fatal(err)
	}
	u := &url.URL{Scheme: "http", Host: host, Path: path, RawPath: escaped, RawQuery: rawQuery}
	r, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if r.URL.EscapedPath() != escaped {
		t.Fatalf("request path %q, want the escaped %q", r.URL.EscapedPath(), escaped)
	}
	return r
}

func TestOracleSDKSignHTTP(t *testing.T) {
	signTime := time.Now().UTC().Truncate(time.Second)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	for _, cred := range oracleCreds {
		v := &Verifier{Credentials: staticCredentials{cred.accessKey: cred.secretKey}, Now: func() time.Time { return signTime }}
		for _, key := range oracleKeys {
			for _, q := range oracleQueries {
				body := []byte("payload of " + key)
				sum := sha256.Sum256(body)
				for _, payloadHash := range []string{hex.EncodeToString(sum[:]), unsignedPayload} {
					r := sdkRequest(t, http.MethodPut, "127.0.0.1:9000", "bucket", key, q, body)
					r.Header.Set("X-Amz-Content-Sha256", payloadHash)
					r.Header.Set("Content-Type", "text/plain;   charset=utf-8")
					r.Header.Set("X-Amz-Meta-Spaced", "  a   b  c  ")
					r.Header.Add("X-Amz-Meta-Multi", "one")
					r.Header.Add("X-Amz-Meta-Multi", "two")
					r.Header.Set("X-Amz-Meta-Unicode", "ключ")
					if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: cred.accessKey, SecretAccessKey: cred.secretKey}, r, payloadHash, "s3", cred.region, signTime); err != nil {
						t.Fatal(err)
					}
					res, err := v.Verify(wireRoundTrip(t, r))
					if err != nil {
						t.Fatalf("key %q query %q cred %v: %v", key, q, cred, err)
					}
					got, err := readAll(t, res)
					if err != nil || !bytes.Equal(got, body) {
						t.Fatalf("key %q: body %q, %v", key, got, err)
					}
					if res.AccessKey != cred.accessKey || res.Region != cred.region {
						t.Fatalf("result %+v", res)
					}
				}
			}
		}
	}
}

func TestOracleSDKPresignHTTP(t *testing.T) {
	signTime := time.Now().UTC().Truncate(time.Second)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	for _, cred := range oracleCreds {
		v := &Verifier{Credentials: staticCredentials{cred.accessKey: cred.secretKey}, Now: func() time.Time { return signTime.Add(time.Minute) }}
		for _, key := range oracleKeys {
			for _, q := range oracleQueries {
				r := sdkRequest(t, http.MethodGet, "s3.example.com", "bucket", key, q, nil)
				query := r.URL.Query()
				query.Set("X-Amz-Expires", "900")
				r.URL.RawQuery = query.Encode()
				r.Header.Set("X-Amz-Meta-Signed", "yes") // stays a signed header
				r.Header.Set("X-Amz-Acl", "private")     // a required signed header: not hoisted into the query
				signed, headers, err := signer.PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: cred.accessKey, SecretAccessKey: cred.secretKey}, r, unsignedPayload, "s3", cred.region, signTime)
				if err != nil {
					t.Fatal(err)
				}
				pr, err := http.NewRequest(http.MethodGet, signed, nil)
				if err != nil {
					t.Fatal(err)
				}
				for k, vs := range headers {
					if k != "Host" {
						pr.Header[k] = vs
					}
				}
				res, err := v.Verify(wireRoundTrip(t, pr))
				if err != nil {
					t.Fatalf("key %q query %q: %v\nURL %s", key, q, err, signed)
				}
				if !res.Presigned || res.AccessKey != cred.accessKey || res.Region != cred.region {
					t.Fatalf("result %+v", res)
				}
			}
		}
	}
}

// A presigned URL from the SDK fails once changed or expired, and before
// its time has come.
func TestOracleSDKPresignLifetime(t *testing.T) {
	signTime := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	r := sdkRequest(t, http.MethodGet, "s3.example.com", "bucket", "k", "X-Amz-Expires=60", nil)
	signed, _, err := signer.PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AK", SecretAccessKey: "SK"}, r, unsignedPayload, "s3", "us-east-1", signTime)
	if err != nil {
		t.Fatal(err)
	}
	verifyAt := func(now time.Time, rawURL string) error {
		pr, _ := http.NewRequest(http.MethodGet, rawURL, nil)
		v := &Verifier{Credentials: staticCredentials{"AK": "SK"}, Now: func() time.Time { return now }}
		_, err := v.Verify(wireRoundTrip(t, pr))
		return err
	}
	if err := verifyAt(signTime.Add(60*time.Second), signed); err != nil {
		t.Fatalf("at expiry: %v", err)
	}
	wantS3Error(t, verifyAt(signTime.Add(61*time.Second), signed), s3.ErrAccessDenied,
		"X-Amz-Expires", "60", "Expires", "2026-03-01T12:01:00Z", "ServerTime", "2026-03-01T12:01:01Z")
	wantS3Error(t, verifyAt(signTime.Add(-16*time.Minute), signed), s3.ErrAccessDenied)
	if err := verifyAt(signTime.Add(-14*time.Minute), signed); err != nil {
		t.Fatalf("within skew before the signing time: %v", err)
	}
	wantS3Error(t, verifyAt(signTime, strings.Replace(signed, "/k?", "/other?", 1)), s3.ErrSignatureDoesNotMatch)
	wantS3Error(t, verifyAt(signTime, signed+"&extra=1"), s3.ErrSignatureDoesNotMatch)
	wantS3Error(t, verifyAt(signTime, strings.Replace(signed, "X-Amz-Expires=60", "X-Amz-Expires="+strconv.Itoa(61), 1)), s3.ErrSignatureDoesNotMatch)
}
