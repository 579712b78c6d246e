package bceauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// example2 is worked example 2 of dialects.md, the base of the negative tests.
var (
	example2Time   = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	example2Creds  = staticCredentials{"AKBOSEXAMPLE": "SKBOSEXAMPLE"}
	example2Auth   = "bce-auth-v1/AKBOSEXAMPLE/2024-01-02T03:04:05Z/1800/content-length;content-type;host;x-bce-date/6602fe3074e636f745967d2df3fa219b37e9a0f03d69ba3a8922c5d6835190ee"
	example2Canon  = "POST\n/bkt/my%20key.bin\nuploadId=a1b2c3\ncontent-length:55\ncontent-type:application%2Fjson%3Bcharset%3Dutf-8\nhost:127.0.0.1%3A8080\nx-bce-date:2024-01-02T03%3A04%3A05Z"
	example2Prefix = "bce-auth-v1/AKBOSEXAMPLE/2024-01-02T03:04:05Z/1800"
)

// example2Request is the example with the given Authorization header (none
// when empty) and extra headers.
func example2Request(t testing.TB, authz string, extra ...[2]string) *http.Request {
	t.Helper()
	h := [][2]string{
		{"Content-Type", "application/json;charset=utf-8"},
		{"Content-Length", "55"},
		{"x-bce-date", "2024-01-02T03:04:05Z"},
	}
	if authz != "" {
		h = append(h, [2]string{"Authorization", authz})
	}
	return wireRequest(t, "POST", "127.0.0.1:8080", "/bkt/my%20key.bin?uploadId=a1b2c3", append(h, extra...), "")
}

func TestRejectsBadSignatures(t *testing.T) {
	bad := example2Auth[:len(example2Auth)-1] + "f"
	_, err := fixedVerifier(example2Time, example2Creds).Verify(example2Request(t, bad))
	wantS3Error(t, err, s3.ErrSignatureDoesNotMatch, CodeSignatureDoesNotMatch,
		"AccessKeyId", "AKBOSEXAMPLE",
		"SignatureProvided", bad[strings.LastIndexByte(bad, '/')+1:],
		"AuthStringPrefix", example2Prefix,
		"CanonicalRequest", example2Canon)

	// The same signature in upper-case hex is the same MAC.
	upper := example2Auth[:strings.LastIndexByte(example2Auth, '/')+1] + strings.ToUpper(example2Auth[strings.LastIndexByte(example2Auth, '/')+1:])
	if _, err := fixedVerifier(example2Time, example2Creds).Verify(example2Request(t, upper)); err != nil {
		t.Fatalf("upper-case signature: %v", err)
	}

	_, err = fixedVerifier(example2Time, staticCredentials{"AKBOSEXAMPLE": "SKBOSEXAMPLF"}).Verify(example2Request(t, example2Auth))
	wantS3Error(t, err, s3.ErrSignatureDoesNotMatch, CodeSignatureDoesNotMatch, "CanonicalRequest", example2Canon)

	// Changing the expiration changes the signing key.
	longer := strings.Replace(example2Auth, "/1800/", "/3600/", 1)
	_, err = fixedVerifier(example2Time, example2Creds).Verify(example2Request(t, longer))
	wantS3Error(t, err, s3.ErrSignatureDoesNotMatch, CodeSignatureDoesNotMatch, "AuthStringPrefix", strings.Replace(example2Prefix, "1800", "3600", 1))

	// Dropping a signed header from the list changes the canonical request.
	fewer := strings.Replace(example2Auth, "content-length;", "", 1)
	_, err = fixedVerifier(example2Time, example2Creds).Verify(example2Request(t, fewer))
	wantS3Error(t, err, s3.ErrSignatureDoesNotMatch, CodeSignatureDoesNotMatch)
}

type failingCredentials struct{ err error }

func (c failingCredentials) SecretKey(context.Context, string) (string, error) { return "", c.err }

func TestCredentialFailures(t *testing.T) {
	_, err := fixedVerifier(example2Time, staticCredentials{}).Verify(example2Request(t, example2Auth))
	wantS3Error(t, err, s3.ErrInvalidAccessKeyID, CodeInvalidAccessKeyID, "AccessKeyId", "AKBOSEXAMPLE")

	storeDown := errors.New("store down")
	v := &Verifier{Credentials: failingCredentials{storeDown}, Now: func() time.Time { return example2Time }}
	_, err = v.Verify(example2Request(t, example2Auth))
	if !errors.Is(err, storeDown) {
		t.Fatalf("got %v, want the store's error wrapped", err)
	}
	if _, ok := s3.AsError(err); ok {
		t.Fatalf("a store failure is not a client error: %v", err)
	}

	_, err = (&Verifier{Now: func() time.Time { return example2Time }}).Verify(example2Request(t, example2Auth))
	if _, ok := s3.AsError(err); err == nil || ok {
		t.Fatalf("nil Credentials: %v", err)
	}
}

func TestValidityWindow(t *testing.T) {
	at := func(d time.Duration) *Verifier { return fixedVerifier(example2Time.Add(d), example2Creds) }
	for _, ok := range []time.Duration{0, 1800 * time.Second, -15 * time.Minute, time.Second} {
		if _, err := at(ok).Verify(example2Request(t, example2Auth)); err != nil {
			t.Fatalf("now = timestamp%+v: %v", ok, err)
		}
	}
	_, err := at(1801 * time.Second).Verify(example2Request(t, example2Auth))
	wantS3Error(t, err, s3.ErrAccessDenied, CodeRequestExpired,
		"Timestamp", "2024-01-02T03:04:05Z", "ExpirationPeriodInSeconds", "1800",
		"Expires", "2024-01-02T03:34:05Z", "ServerTime", "2024-01-02T03:34:06Z")
	if e, _ := s3.AsError(err); e.Text() != "Request has expired" {
		t.Fatalf("message %q", e.Text())
	}

	_, err = at(-15*time.Minute - time.Second).Verify(example2Request(t, example2Auth))
	wantS3Error(t, err, s3.ErrRequestTimeTooSkewed, CodeRequestExpired,
		"RequestTime", "2024-01-02T03:04:05Z", "ServerTime", "2024-01-02T02:49:04Z", "MaxAllowedSkewMilliseconds", "900000")

	v := at(-2 * time.Minute)
	v.MaxSkew = time.Minute
	_, err = v.Verify(example2Request(t, example2Auth))
	wantS3Error(t, err, s3.ErrRequestTimeTooSkewed, CodeRequestExpired, "MaxAllowedSkewMilliseconds", "60000")

	// A header signature never gets an unlimited life, whatever the Verifier allows.
	forever := strings.Replace(example2Auth, "/1800/", "/-1/", 1)
	v = at(0)
	v.AllowNeverExpiring = true
	_, err = v.Verify(example2Request(t, forever))
	wantS3Error(t, err, s3.ErrAccessDenied, CodeAccessDenied, "ExpirationPeriodInSeconds", "-1")
}

// malformedAuthStrings are auth strings that must not parse, each with a
// fragment of the message.
var malformedAuthStrings = []struct{ auth, message string }{
	{"bce-auth-v1", "must start with"},
	{"bce-auth-v2/AK/2024-01-02T03:04:05Z/1800/host/" + strings.Repeat("0", 64), "must start with"},
	{"BCE-AUTH-V1/AK/2024-01-02T03:04:05Z/1800/host/" + strings.Repeat("0", 64), "must start with"},
	{"AWS4-HMAC-SHA256 Credential=AK/20240102/r/s3/aws4_request", "must start with"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/1800/" + strings.Repeat("0", 64), "expecting"},
	{"bce-auth-v1/", "expecting"},
	{"bce-auth-v1//2024-01-02T03:04:05Z/1800/host/" + strings.Repeat("0", 64), "access key ID is empty"},
	{"bce-auth-v1/AK/2024-01-02 03:04:05/1800/host/" + strings.Repeat("0", 64), "timestamp"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05+08:00/1800/host/" + strings.Repeat("0", 64), "timestamp"},
	{"bce-auth-v1/AK/20240102T030405Z/1800/host/" + strings.Repeat("0", 64), "timestamp"},
	{"bce-auth-v1/AK/2024-13-02T03:04:05Z/1800/host/" + strings.Repeat("0", 64), "timestamp"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05.5Z/1800/host/" + strings.Repeat("0", 64), "timestamp"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z//host/" + strings.Repeat("0", 64), "expirationPeriodInSeconds"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/abc/host/" + strings.Repeat("0", 64), "expirationPeriodInSeconds"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/-2/host/" + strings.Repeat("0", 64), "expirationPeriodInSeconds"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/+1/host/" + strings.Repeat("0", 64), "expirationPeriodInSeconds"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/2147483648/host/" + strings.Repeat("0", 64), "expirationPeriodInSeconds"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/99999999999/host/" + strings.Repeat("0", 64), "expirationPeriodInSeconds"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/1800/Host/" + strings.Repeat("0", 64), "lower-case"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/1800/host,x-bce-date/" + strings.Repeat("0", 64), "lower-case"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/1800/host;;x-bce-date/" + strings.Repeat("0", 64), "empty name"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/1800/host;/" + strings.Repeat("0", 64), "empty name"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/1800/host;x-bce-date;host/" + strings.Repeat("0", 64), "twice"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/1800/content-type;x-bce-date/" + strings.Repeat("0", 64), "must include host"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/1800/host/", "signature"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/1800/host/" + strings.Repeat("0", 63), "signature"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/1800/host/" + strings.Repeat("0", 65), "signature"},
	{"bce-auth-v1/AK/2024-01-02T03:04:05Z/1800/host/" + strings.Repeat("g", 64), "signature"},
}

func TestMalformedHeader(t *testing.T) {
	v := fixedVerifier(example2Time, example2Creds)
	for _, tc := range malformedAuthStrings {
		t.Run(tc.auth, func(t *testing.T) {
			_, err := v.Verify(example2Request(t, tc.auth))
			e := wantS3Error(t, err, s3.ErrAuthorizationHeaderMalformed, CodeInvalidHTTPAuthHeader)
			if !strings.HasPrefix(e.Text(), "The authorization header is malformed; ") || !strings.Contains(e.Text(), tc.message) {
				t.Fatalf("message %q, want it to mention %q", e.Text(), tc.message)
			}
		})
	}
}

func TestMalformedQuery(t *testing.T) {
	v := fixedVerifier(example2Time, example2Creds)
	for _, tc := range malformedAuthStrings {
		if !strings.HasPrefix(tc.auth, authPrefix) {
			continue // the query form is recognised by the prefix
		}
		t.Run(tc.auth, func(t *testing.T) {
			r := wireRequest(t, "GET", "127.0.0.1:8080", "/bkt/k?authorization="+url.QueryEscape(tc.auth), nil, "")
			if !Is(r) {
				t.Fatal("Is = false")
			}
			_, err := v.Verify(r)
			e := wantS3Error(t, err, s3.ErrAuthorizationQueryParametersError, CodeInvalidHTTPAuthHeader)
			if !strings.Contains(e.Text(), tc.message) {
				t.Fatalf("message %q, want it to mention %q", e.Text(), tc.message)
			}
		})
	}
}

func TestAuthMechanisms(t *testing.T) {
	v := fixedVerifier(example2Time, example2Creds)
	query := "/bkt/k?authorization=" + url.QueryEscape(example2Auth)

	r := wireRequest(t, "GET", "127.0.0.1:8080", query, [][2]string{{"Authorization", example2Auth}}, "")
	_, err := v.Verify(r)
	wantS3Error(t, err, s3.ErrInvalidArgument, CodeInvalidHTTPAuthHeader, "ArgumentName", "Authorization")

	r = example2Request(t, example2Auth, [2]string{"Authorization", example2Auth})
	_, err = v.Verify(r)
	wantS3Error(t, err, s3.ErrAuthorizationHeaderMalformed, CodeInvalidHTTPAuthHeader)

	r = wireRequest(t, "GET", "127.0.0.1:8080", query+"&Authorization="+url.QueryEscape(example2Auth), nil, "")
	_, err = v.Verify(r)
	wantS3Error(t, err, s3.ErrAuthorizationQueryParametersError, CodeInvalidHTTPAuthHeader)

	_, err = v.Verify(example2Request(t, ""))
	wantS3Error(t, err, s3.ErrAccessDenied, CodeAccessDenied)
}

func TestUnsignedBceHeaders(t *testing.T) {
	v := fixedVerifier(example2Time, example2Creds)
	_, err := v.Verify(example2Request(t, example2Auth, [2]string{"x-bce-acl", "public-read-write"}, [2]string{"X-Bce-Copy-Source", "/other/obj"}))
	wantS3Error(t, err, s3.ErrAccessDenied, CodeAccessDenied, "HeadersNotSigned", "x-bce-acl, x-bce-copy-source")

	// The SDK never signs x-bce-request-id, nor a header without a value;
	// other headers are the signer's choice.
	r := example2Request(t, example2Auth, [2]string{"x-bce-request-id", "r1"}, [2]string{"x-bce-meta-blank", ""},
		[2]string{"Content-Md5", "unsigned"}, [2]string{"User-Agent", "bce-sdk-go/0.9.277"})
	if _, err := v.Verify(r); err != nil {
		t.Fatalf("headers the SDK leaves unsigned: %v", err)
	}
}

func TestIs(t *testing.T) {
	for _, tc := range []struct {
		header, query string
		want          bool
	}{
		{example2Auth, "", true},
		{"bce-auth-v1/", "", true},
		{"bce-auth-v1", "", false},
		{"BCE-AUTH-V1/x", "", false},
		{"AWS4-HMAC-SHA256 Credential=x", "", false},
		{"", "authorization=bce-auth-v1%2FAK%2F2024", true},
		{"", "a=1&Authorization=bce-auth-v1/AK", true},
		{"", "AUTHORIZATION=bce-auth-v1%2fAK", true},
		{"", "authorization=bce-auth-v1", false},
		{"", "authorization=bce-auth-v2%2FAK", false},
		{"", "x-authorization=bce-auth-v1%2FAK", false},
		{"", "q-sign-algorithm=sha1", false},
		{"", "", false},
		{"AWS4-HMAC-SHA256 Credential=x", "authorization=bce-auth-v1%2FAK", true},
	} {
		r := &http.Request{Header: http.Header{}, URL: &url.URL{Path: "/", RawQuery: tc.query}}
		if tc.header != "" {
			r.Header.Set("Authorization", tc.header)
		}
		if got := Is(r); got != tc.want {
			t.Errorf("Is(header %q, query %q) = %v", tc.header, tc.query, got)
		}
	}
	r := &http.Request{Header: http.Header{"Authorization": {example2Auth}}, URL: &url.URL{RawQuery: "authorization=bce-auth-v1%2Fx"}}
	if n := testing.AllocsPerRun(100, func() { Is(r) }); n != 0 {
		t.Fatalf("Is allocates %v times", n)
	}
}
