package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cairn-s3/cairn/internal/s3"
)

var testNow = time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)

const (
	testAK = "AKIDTEST"
	testSK = "test/secret+key"
)

func testVerifier() *Verifier {
	return &Verifier{Credentials: staticCredentials{testAK: testSK}, Now: func() time.Time { return testNow }}
}

// signedRequest returns a PUT of body signed by the SDK at testNow, after
// edit has adjusted it, and before it crosses the wire.
func signedRequest(t testing.TB, body string, payloadHash string, edit func(*http.Request)) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPut, "http://s3.test:8080/bucket/key?tagging", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if payloadHash == "" {
		sum := sha256.Sum256([]byte(body))
		payloadHash = hex.EncodeToString(sum[:])
	}
	r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if edit != nil {
		edit(r)
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSK}, r, payloadHash, "s3", "us-west-2", testNow); err != nil {
		t.Fatal(err)
	}
	return r
}

func verifyWire(t testing.TB, r *http.Request) (*Result, error) {
	t.Helper()
	return testVerifier().Verify(wireRoundTrip(t, r))
}

func TestHeaderAuthErrors(t *testing.T) {
	setAuth := func(value string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", value) }
	}
	replaceInAuth := func(old, new string) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
		}
	}
	scope := "/" + testNow.Format("20060102") + "/us-west-2/s3/aws4_request"
	const malformedPrefix = "The authorization header is malformed; "
	cases := []struct {
		name    string
		after   func(*http.Request) // applied after signing
		code    s3.ErrorCode
		message string
		fields  []string
	}{
		{"SigV2 scheme", setAuth("AWS AKIDTEST:frJIUN8DYpKDtOLCwo//yllqDzg="), s3.ErrInvalidArgument, "Unsupported Authorization Type",
			[]string{"ArgumentName", "Authorization", "ArgumentValue", "AWS AKIDTEST:frJIUN8DYpKDtOLCwo//yllqDzg="}},
		{"bearer scheme", setAuth("Bearer abc"), s3.ErrInvalidArgument, "Unsupported Authorization Type", []string{"ArgumentValue", "Bearer abc"}},
		{"algorithm with suffix", replaceInAuth("AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256X "), s3.ErrInvalidArgument, "Unsupported Authorization Type", nil},
		{"SigV4a scheme", replaceInAuth("AWS4-HMAC-SHA256 ", "AWS4-ECDSA-P256-SHA256 "), s3.ErrInvalidArgument, "Unsupported Authorization Type", nil},
		{"no components", setAuth("AWS4-HMAC-SHA256"), s3.ErrAuthorizationHeaderMalformed,
			malformedPrefix + "the authorization header requires three components: Credential, SignedHeaders, and Signature.", nil},
		{"missing signature", func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
		}, s3.ErrAuthorizationHeaderMalformed, malformedPrefix + "the authorization header requires three components: Credential, SignedHeaders, and Signature.", nil},
		{"duplicate component", func(r *http.Request) { r.Header.Set("Authorization", r.Header.Get("Authorization")+", Signature=00") },
			s3.ErrAuthorizationHeaderMalformed, malformedPrefix + `the authorization component "Signature=00" is malformed.`, nil},
		{"unknown component", replaceInAuth("SignedHeaders=", "Foo=bar, SignedHeaders="),
			s3.ErrAuthorizationHeaderMalformed, malformedPrefix + `the authorization component "Foo=bar" is malformed.`, nil},
		{"credential too short", replaceInAuth(scope, "/us-west-2/s3/aws4_request"), s3.ErrAuthorizationHeaderMalformed,
			malformedPrefix + `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`, nil},
		{"credential date not a date", replaceInAuth(scope, "/2026-11-23/us-west-2/s3/aws4_request"), s3.ErrAuthorizationHeaderMalformed,
			malformedPrefix + `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`, nil},
		{"empty region", replaceInAuth("/us-west-2/", "//"), s3.ErrAuthorizationHeaderMalformed,
			malformedPrefix + `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`, nil},
		{"empty access key", replaceInAuth("Credential="+testAK, "Credential="), s3.ErrAuthorizationHeaderMalformed,
			malformedPrefix + `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`, nil},
		{"wrong terminal", replaceInAuth("aws4_request", "aws5_request"), s3.ErrAuthorizationHeaderMalformed,
			malformedPrefix + `incorrect terminal "aws5_request". This endpoint uses "aws4_request".`, nil},
		{"wrong service", replaceInAuth("/s3/", "/sqs/"), s3.ErrAuthorizationHeaderMalformed,
			malformedPrefix + `incorrect service "sqs". This endpoint belongs to "s3".`, nil},
		{"credential date not the x-amz-date day", replaceInAuth(scope, "/20261122/us-west-2/s3/aws4_request"), s3.ErrAuthorizationHeaderMalformed,
			malformedPrefix + "Invalid credential date. Date is not the same as X-Amz-Date.", nil},
		{"signed headers unsorted", replaceInAuth("SignedHeaders=content-length;host", "SignedHeaders=host;content-length"), s3.ErrAuthorizationHeaderMalformed, "*", nil},
		{"signed headers upper case", replaceInAuth("SignedHeaders=content-length;host", "SignedHeaders=Content-Length;host"), s3.ErrAuthorizationHeaderMalformed, "*", nil},
		{"signed headers without host", replaceInAuth("content-length;host;", "content-length;"), s3.ErrAuthorizationHeaderMalformed,
			malformedPrefix + "SignedHeaders must include host.", nil},
		{"no date", func(r *http.Request) { r.Header.Del("X-Amz-Date") }, s3.ErrAccessDenied,
			"AWS authentication requires a valid Date or x-amz-date header", nil},
		{"unparsable x-amz-date", func(r *http.Request) { r.Header.Set("X-Amz-Date", "yesterday") }, s3.ErrAccessDenied,
			"AWS authentication requires a valid Date or x-amz-date header", nil},
		{"unknown access key", replaceInAuth("Credential="+testAK, "Credential=NOPE"), s3.ErrInvalidAccessKeyID,
			"", []string{"AWSAccessKeyId", "NOPE"}},
		{"unsigned x-amz header", func(r *http.Request) {
			r.Header.Set("X-Amz-Copy-Source", "/other/secret")
			r.Header.Set("X-Amz-Tagging", "a=b")
		}, s3.ErrAccessDenied, "There were headers present in the request which were not signed",
			[]string{"HeadersNotSigned", "x-amz-copy-source, x-amz-tagging"}},
		{"changed signed header", func(r *http.Request) { r.Header.Set("X-Amz-Meta-Color", "blue") }, s3.ErrSignatureDoesNotMatch, "",
			[]string{"AWSAccessKeyId", testAK, "CanonicalRequest", "*", "CanonicalRequestBytes", "*"}},
		{"changed query", func(r *http.Request) { r.URL.RawQuery = "acl" }, s3.ErrSignatureDoesNotMatch, "", nil},
		{"short signature", func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-2])
		}, s3.ErrSignatureDoesNotMatch, "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := signedRequest(t, "x", "", func(r *http.Request) { r.Header.Set("X-Amz-Meta-Color", "red") })
			tc.after(r)
			_, err := verifyWire(t, r)
			e := wantS3Error(t, err, tc.code, tc.fields...)
			if tc.message != "*" && e.Message != tc.message {
				t.Fatalf("message %q, want %q", e.Message, tc.message)
			}
		})
	}
}

func TestHeaderAuthBothMechanisms(t *testing.T) {
	r := signedRequest(t, "x", "", nil)
	r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
	_, err := verifyWire(t, r)
	e := wantS3Error(t, err, s3.ErrInvalidArgument, "ArgumentName", "Authorization", "ArgumentValue", r.Header.Get("Authorization"))
	if e.Message != "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified" {
		t.Fatalf("message %q", e.Message)
	}
}

func TestHeaderAuthSkew(t *testing.T) {
	for _, tc := range []struct {
		offset time.Duration
		ok     bool
	}{
		{15 * time.Minute, true}, {-15 * time.Minute, true},
		{15*time.Minute + time.Second, false}, {-15*time.Minute - time.Second, false}, {-48 * time.Hour, false},
	} {
		r := signedRequest(t, "x", "", nil)
		v := testVerifier()
		v.Now = func() time.Time { return testNow.Add(tc.offset) }
		_, err := v.Verify(wireRoundTrip(t, r))
		if tc.ok {
			if err != nil {
				t.Fatalf("offset %v: %v", tc.offset, err)
			}
			continue
		}
		wantS3Error(t, err, s3.ErrRequestTimeTooSkewed,
			"RequestTime", testNow.Format(amzDateLayout),
			"ServerTime", testNow.Add(tc.offset).Format(serverTimeLayout),
			"MaxAllowedSkewMilliseconds", "900000")
	}
	// A custom MaxSkew shows in the error.
	v := testVerifier()
	v.MaxSkew = time.Minute
	v.Now = func() time.Time { return testNow.Add(2 * time.Minute) }
	_, err := v.Verify(wireRoundTrip(t, signedRequest(t, "x", "", nil)))
	wantS3Error(t, err, s3.ErrRequestTimeTooSkewed, "MaxAllowedSkewMilliseconds", "60000")
}

// Without x-amz-date the Date header dates the request, in any of the
// formats HTTP allows.
func TestHeaderAuthDateHeader(t *testing.T) {
	for _, date := range []string{
		testNow.Format(http.TimeFormat),
		testNow.Format(time.RFC1123Z),
		testNow.Format(time.RFC850),
	} {
		r, _ := http.NewRequest(http.MethodGet, "http://h/b/k", nil)
		r.Header.Set("Date", date)
		r.Header.Set("X-Amz-Content-Sha256", emptySHA256)
		// Sign by hand: the SDK always adds x-amz-date.
		signHeaderAuth(t, r, "date;host;x-amz-content-sha256", emptySHA256, testNow)
		if _, err := verifyWire(t, r); err != nil {
			t.Fatalf("Date %q: %v", date, err)
		}
	}
}

// signHeaderAuth signs r with this package's own canonicalisation, for
// requests the SDK will not produce.
func signHeaderAuth(t testing.TB, r *http.Request, signedHeaders, payloadHash string, at time.Time) {
	t.Helper()
	var c canonicalRequest
	scope := at.Format("20060102") + "/us-east-1/s3/aws4_request"
	sts := appendStringToSign(nil, at.Format(amzDateLayout), scope, c.build(wireRoundTrip(t, r.Clone(context.Background())), signedHeaders, payloadHash, false))
	key := deriveSigningKey(testSK, at.Format("20060102"), "us-east-1", "s3")
	sig, _ := hmacSHA256(nil, &key, sts)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAK+"/"+scope+",SignedHeaders="+signedHeaders+",Signature="+hex.EncodeToString(sig[:]))
}

func TestPayloadHashErrors(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		r := signedRequest(t, "x", "", nil)
		r.Header.Del("X-Amz-Content-Sha256")
		_, err := verifyWire(t, r)
		e := wantS3Error(t, err, s3.ErrInvalidRequest)
		if e.Message != "Missing required header for this request: x-amz-content-sha256" {
			t.Fatalf("message %q", e.Message)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		for _, v := range []string{"abc", "STREAMING-PAYLOAD", strings.Repeat("g", 64), strings.Repeat("a", 63)} {
			_, err := verifyWire(t, signedRequest(t, "x", v, nil))
			e := wantS3Error(t, err, s3.ErrInvalidArgument, "ArgumentName", "x-amz-content-sha256", "ArgumentValue", v)
			if e.Message != "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, or a valid sha256 value." {
				t.Fatalf("message %q", e.Message)
			}
		}
	})
	t.Run("SigV4a streaming", func(t *testing.T) {
		for _, v := range []string{streamingECDSA, streamingECDSATrail} {
			_, err := verifyWire(t, signedRequest(t, "x", v, nil))
			wantS3Error(t, err, s3.ErrNotImplemented)
		}
	})
	t.Run("mismatch", func(t *testing.T) {
		r := signedRequest(t, "hello", "", nil)
		r.Body = ioNopCloser("hellx")
		res, err := verifyWire(t, r)
		if err != nil {
			t.Fatal(err)
		}
		_, err = readAll(t, res)
		sum := sha256.Sum256([]byte("hello"))
		got := sha256.Sum256([]byte("hellx"))
		wantS3Error(t, err, s3.ErrXAmzContentSHA256Mismatch,
			"ClientComputedContentSHA256", hex.EncodeToString(sum[:]),
			"S3ComputedContentSHA256", hex.EncodeToString(got[:]))
		// The failure is sticky: a retried read does not turn into io.EOF.
		if _, err2 := res.Body.Read(make([]byte, 1)); !errors.Is(err2, s3.ErrXAmzContentSHA256Mismatch) {
			t.Fatalf("second read: %v", err2)
		}
	})
	t.Run("unsigned payload is not checked", func(t *testing.T) {
		r := signedRequest(t, "hello", unsignedPayload, nil)
		r.Body = ioNopCloser("other")
		res, err := verifyWire(t, r)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := readAll(t, res); err != nil || string(b) != "other" {
			t.Fatalf("%q %v", b, err)
		}
	})
}

// A failing credential store is an internal error, not a client one.
func TestCredentialsBackendError(t *testing.T) {
	boom := errors.New("database down")
	v := &Verifier{Credentials: failingCredentials{boom}, Now: func() time.Time { return testNow }}
	_, err := v.Verify(wireRoundTrip(t, signedRequest(t, "x", "", nil)))
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if _, ok := s3.AsError(err); ok {
		t.Fatalf("backend failure reported as a client error: %v", err)
	}
}

type failingCredentials struct{ err error }

func (f failingCredentials) SecretKey(context.Context, string) (string, error) { return "", f.err }

func TestAnonymous(t *testing.T) {
	r, _ := http.NewRequest(http.MethodGet, "http://h/b/k?list-type=2", nil)
	res, err := testVerifier().Verify(wireRoundTrip(t, r))
	if err != nil || !res.Anonymous || res.AccessKey != "" || res.Trailer() != nil {
		t.Fatalf("%+v %v", res, err)
	}
	// Half a presigned URL is not anonymous.
	r, _ = http.NewRequest(http.MethodGet, "http://h/b/k?X-Amz-Signature=abc", nil)
	_, err = testVerifier().Verify(wireRoundTrip(t, r))
	wantS3Error(t, err, s3.ErrAuthorizationQueryParametersError)
	// An anonymous body is still checked against its declared hash.
	r, _ = http.NewRequest(http.MethodPut, "http://h/b/k", strings.NewReader("data"))
	r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("0", 64))
	res, err = testVerifier().Verify(wireRoundTrip(t, r))
	if err != nil {
		t.Fatal(err)
	}
	_, err = readAll(t, res)
	wantS3Error(t, err, s3.ErrXAmzContentSHA256Mismatch)
	// And cannot claim signed chunks.
	r, _ = http.NewRequest(http.MethodPut, "http://h/b/k", strings.NewReader("data"))
	r.Header.Set("X-Amz-Content-Sha256", streamingSigned)
	_, err = testVerifier().Verify(wireRoundTrip(t, r))
	wantS3Error(t, err, s3.ErrAccessDenied)
}
