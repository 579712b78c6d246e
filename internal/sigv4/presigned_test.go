package sigv4

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cairn-s3/cairn/internal/s3"
)

// presignedURL is an SDK-presigned GET valid for expires seconds from testNow.
func presignedURL(t testing.TB, expires string) string {
	t.Helper()
	r, _ := http.NewRequest(http.MethodGet, "http://s3.test/bucket/some%20key?X-Amz-Expires="+expires+"&versionId=3", nil)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	u, _, err := signer.PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSK}, r, unsignedPayload, "s3", "ap-south-1", testNow)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func verifyURL(t testing.TB, rawURL string) (*Result, error) {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return verifyWire(t, r)
}

func TestPresignedErrors(t *testing.T) {
	good := presignedURL(t, "3600")
	if res, err := verifyURL(t, good); err != nil || !res.Presigned || res.Region != "ap-south-1" {
		t.Fatalf("good URL: %+v %v", res, err)
	}
	day := testNow.Format("20060102")
	cred := "X-Amz-Credential=" + testAK + "%2F" + day + "%2Fap-south-1%2Fs3%2Faws4_request"
	missing := "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
	cases := []struct {
		name, old, new string
		code           s3.ErrorCode
		message        string
	}{
		{"no signature", "&X-Amz-Signature=", "&X-Amz-Nothing=", s3.ErrAuthorizationQueryParametersError, missing},
		{"no credential", "X-Amz-Credential=", "X-Amz-Whatever=", s3.ErrAuthorizationQueryParametersError, missing},
		{"no date", "X-Amz-Date=", "X-Amz-Datum=", s3.ErrAuthorizationQueryParametersError, missing},
		{"no expires", "X-Amz-Expires=", "X-Amz-Expiry=", s3.ErrAuthorizationQueryParametersError, missing},
		{"no signed headers", "X-Amz-SignedHeaders=", "X-Amz-Headers=", s3.ErrAuthorizationQueryParametersError, missing},
		{"wrong algorithm", "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1", s3.ErrAuthorizationQueryParametersError,
			`X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`},
		{"malformed credential", cred, "X-Amz-Credential=" + testAK + "%2F" + day, s3.ErrAuthorizationQueryParametersError,
			`Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`},
		{"wrong service", "%2Fs3%2F", "%2Fs4%2F", s3.ErrAuthorizationQueryParametersError,
			`Error parsing the X-Amz-Credential parameter; incorrect service "s4". This endpoint belongs to "s3".`},
		{"wrong terminal", "aws4_request", "aws4_reqest", s3.ErrAuthorizationQueryParametersError,
			`Error parsing the X-Amz-Credential parameter; incorrect terminal "aws4_reqest". This endpoint uses "aws4_request".`},
		{"bad date", "X-Amz-Date=" + testNow.Format(amzDateLayout), "X-Amz-Date=2026-11-23", s3.ErrAuthorizationQueryParametersError,
			`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`},
		{"credential date differs", "%2F" + day + "%2F", "%2F20261124%2F", s3.ErrAuthorizationQueryParametersError,
			`Invalid credential date "20261124". This date is not the same as X-Amz-Date: "` + day + `".`},
		{"expires not a number", "X-Amz-Expires=3600", "X-Amz-Expires=soon", s3.ErrAuthorizationQueryParametersError, "X-Amz-Expires should be a number"},
		{"expires negative", "X-Amz-Expires=3600", "X-Amz-Expires=-1", s3.ErrAuthorizationQueryParametersError, "X-Amz-Expires must be non-negative"},
		{"expires zero", "X-Amz-Expires=3600", "X-Amz-Expires=0", s3.ErrAuthorizationQueryParametersError, "X-Amz-Expires must be greater than 0"},
		{"expires over a week", "X-Amz-Expires=3600", "X-Amz-Expires=604801", s3.ErrAuthorizationQueryParametersError,
			"X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{"signed headers without host", "X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=range", s3.ErrAuthorizationQueryParametersError, "*"},
		{"unknown key", "X-Amz-Credential=" + testAK, "X-Amz-Credential=NOBODY", s3.ErrInvalidAccessKeyID, ""},
		{"a week is allowed but the signature covers it", "X-Amz-Expires=3600", "X-Amz-Expires=604800", s3.ErrSignatureDoesNotMatch, ""},
		{"changed path", "/some%20key", "/other%20key", s3.ErrSignatureDoesNotMatch, ""},
		{"changed parameter", "versionId=3", "versionId=4", s3.ErrSignatureDoesNotMatch, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("%q not in %s", tc.old, good)
			}
			_, err := verifyURL(t, strings.Replace(good, tc.old, tc.new, 1))
			e := wantS3Error(t, err, tc.code)
			if tc.message != "*" && e.Message != tc.message {
				t.Fatalf("message %q, want %q", e.Message, tc.message)
			}
		})
	}
}

func TestPresignedTime(t *testing.T) {
	good := presignedURL(t, "3600")
	at := func(offset time.Duration) error {
		r, _ := http.NewRequest(http.MethodGet, good, nil)
		v := testVerifier()
		v.Now = func() time.Time { return testNow.Add(offset) }
		_, err := v.Verify(wireRoundTrip(t, r))
		return err
	}
	for _, ok := range []time.Duration{0, time.Hour, -15 * time.Minute} {
		if err := at(ok); err != nil {
			t.Fatalf("offset %v: %v", ok, err)
		}
	}
	e := wantS3Error(t, at(time.Hour+time.Second), s3.ErrAccessDenied,
		"X-Amz-Expires", "3600",
		"Expires", testNow.Add(time.Hour).Format(serverTimeLayout),
		"ServerTime", testNow.Add(time.Hour+time.Second).Format(serverTimeLayout))
	if e.Message != "Request has expired" {
		t.Fatalf("message %q", e.Message)
	}
	e = wantS3Error(t, at(-16*time.Minute), s3.ErrAccessDenied)
	if e.Message != "Request is not valid yet" {
		t.Fatalf("message %q", e.Message)
	}
}

// A presigned PUT may pin its payload with X-Amz-Content-Sha256, which the
// body must then match.
func TestPresignedContentSHA256(t *testing.T) {
	sum := sha256Sum([]byte("pinned"))
	hash := strings.ToLower(strings.TrimSpace(hexString(sum[:])))
	r, _ := http.NewRequest(http.MethodPut, "http://s3.test/bucket/k?X-Amz-Expires=60&X-Amz-Content-Sha256="+hash, nil)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	u, _, err := signer.PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSK}, r, hash, "s3", "us-east-1", testNow)
	if err != nil {
		t.Fatal(err)
	}
	for body, wantErr := range map[string]bool{"pinned": false, "pinned!": true} {
		pr, _ := http.NewRequest(http.MethodPut, u, strings.NewReader(body))
		res, err := verifyWire(t, pr)
		if err != nil {
			t.Fatal(err)
		}
		_, err = readAll(t, res)
		if wantErr {
			wantS3Error(t, err, s3.ErrXAmzContentSHA256Mismatch)
		} else if err != nil {
			t.Fatal(err)
		}
	}
}

// The holder of a presigned URL cannot add x-amz-* headers its signer did
// not sign; an unsigned x-amz-content-sha256 is ignored rather than refused.
func TestPresignedUnsignedAmzHeaders(t *testing.T) {
	good := presignedURL(t, "3600")
	r, _ := http.NewRequest(http.MethodGet, good, nil)
	r.Header.Set("X-Amz-Copy-Source", "/other/secret")
	r.Header.Set("X-Amz-Acl", "public-read")
	_, err := verifyWire(t, r)
	wantS3Error(t, err, s3.ErrAccessDenied, "HeadersNotSigned", "x-amz-acl, x-amz-copy-source")

	r, _ = http.NewRequest(http.MethodGet, good, nil)
	r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("a", 64))
	if _, err := verifyWire(t, r); err != nil {
		t.Fatalf("unsigned x-amz-content-sha256: %v", err)
	}
}
