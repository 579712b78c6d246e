package cosauth

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"

	"github.com/cairn-s3/cairn/internal/s3"
)

// The base request of the negative tests, signed by the SDK.
const (
	baseHost  = "mybucket-1250000000.cos.local"
	baseURL   = "http://" + baseHost + "/dir%2Fkey?partNumber=1&uploadId=u1"
	baseStart = -time.Minute // sign-time start, relative to testNow
)

// baseSignTime is the q-sign-time of signedBase.
var baseSignTime = strconv.FormatInt(testNow.Add(baseStart).Unix(), 10) + ";" + strconv.FormatInt(testNow.Add(baseStart).Unix()+3600, 10)

// signedBase is a PUT of one byte with an x-cos-meta header, signed by the
// SDK; edit runs before signing.
func signedBase(t testing.TB, edit func(*http.Request)) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, baseURL, strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Length", "1")
	req.Header.Set("X-Cos-Meta-Color", "red")
	if edit != nil {
		edit(req)
	}
	cos.AddAuthorizationHeader(testAK, testSK, "", req, authTime(testNow.Add(baseStart), time.Hour))
	return req
}

// baseFormatString is what the server builds for signedBase.
const baseFormatString = "put\n/dir/key\npartnumber=1&uploadid=u1\ncontent-length=1&host=" + baseHost + "&x-cos-meta-color=red\n"

// headerCase tampers with a header-signed request after signing.
type headerCase struct {
	name    string
	after   func(*http.Request)
	code    s3.ErrorCode
	message string // "*": any
	fields  []string
}

func TestHeaderAuthErrors(t *testing.T) {
	setAuth := func(value string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", value) }
	}
	replaceInAuth := func(old, new string) func(*http.Request) {
		return func(r *http.Request) {
			a := r.Header.Get("Authorization")
			if !strings.Contains(a, old) {
				panic("test bug: " + old + " not in " + a)
			}
			r.Header.Set("Authorization", strings.Replace(a, old, new, 1))
		}
	}
	const malformed = "The authorization header is malformed; "
	const missing = malformed + "a COS signature requires the q-sign-algorithm, q-ak, q-sign-time, q-key-time, q-header-list, q-url-param-list and q-signature fields."
	cases := []headerCase{
		{"tampered signature", func(r *http.Request) {
			a := r.Header.Get("Authorization")
			last := a[len(a)-1]
			flip := map[bool]string{true: "0", false: "1"}[last != '0']
			r.Header.Set("Authorization", a[:len(a)-1]+flip)
		}, s3.ErrSignatureDoesNotMatch, "", []string{
			"AWSAccessKeyId", testAK, "SignatureProvided", "*",
			"StringToSign", "sha1\n" + baseSignTime + "\n" + sha1Hex(baseFormatString) + "\n", "FormatString", baseFormatString}},
		{"short signature", func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-2])
		}, s3.ErrSignatureDoesNotMatch, "", nil},
		{"non-hex signature", func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-1]+"g")
		}, s3.ErrSignatureDoesNotMatch, "", nil},
		{"changed signed x-cos header", func(r *http.Request) { r.Header.Set("X-Cos-Meta-Color", "blue") }, s3.ErrSignatureDoesNotMatch, "",
			[]string{"FormatString", strings.Replace(baseFormatString, "=red", "=blue", 1)}},
		{"changed host", func(r *http.Request) { r.Host = "otherbucket-1250000000.cos.local" }, s3.ErrSignatureDoesNotMatch, "", nil},
		{"changed host port", func(r *http.Request) { r.Host = baseHost + ":80" }, s3.ErrSignatureDoesNotMatch, "", nil},
		{"changed path", func(r *http.Request) { r.URL.Path, r.URL.RawPath = "/dir/other", "" }, s3.ErrSignatureDoesNotMatch, "", nil},
		{"changed method", func(r *http.Request) { r.Method = http.MethodPost }, s3.ErrSignatureDoesNotMatch, "", nil},
		{"changed signed parameter", func(r *http.Request) { r.URL.RawQuery = "partNumber=2&uploadId=u1" }, s3.ErrSignatureDoesNotMatch, "", nil},
		{"unknown access key", replaceInAuth("q-ak="+testAK, "q-ak=NOPE"), s3.ErrInvalidAccessKeyID, "", []string{"AWSAccessKeyId", "NOPE"}},
		{"unsigned x-cos headers", func(r *http.Request) {
			r.Header.Set("X-Cos-Copy-Source", "/other/secret")
			r.Header.Set("x-cos-acl", "public-read")
		}, s3.ErrAccessDenied, "There were headers present in the request which were not signed",
			[]string{"HeadersNotSigned", "x-cos-acl, x-cos-copy-source"}},
		{"unsigned query parameters", func(r *http.Request) { r.URL.RawQuery += "&versionId=3&Tagging" }, s3.ErrAccessDenied,
			"There were query parameters present in the request which were not signed", []string{"ParametersNotSigned", "tagging, versionid"}},
		{"not a COS scheme", setAuth("AWS4-HMAC-SHA256 Credential=a/b/c/s3/aws4_request, SignedHeaders=host, Signature=00"), s3.ErrInvalidArgument,
			"Unsupported Authorization Type", []string{"ArgumentName", "Authorization"}},
		{"upper-case prefix", setAuth("Q-Sign-Algorithm=sha1"), s3.ErrInvalidArgument, "Unsupported Authorization Type", nil},
		{"prefix only", setAuth("q-sign-algorithm="), s3.ErrAuthorizationHeaderMalformed, missing, nil},
		{"missing field", replaceInAuth("&q-url-param-list=partnumber;uploadid", ""), s3.ErrAuthorizationHeaderMalformed, missing, nil},
		{"duplicate field", func(r *http.Request) { r.Header.Set("Authorization", r.Header.Get("Authorization")+"&q-ak=x") },
			s3.ErrAuthorizationHeaderMalformed, malformed + `the authorization field "q-ak=x" is malformed.`, nil},
		{"unknown field", replaceInAuth("&q-ak=", "&q-foo=bar&q-ak="), s3.ErrAuthorizationHeaderMalformed,
			malformed + `the authorization field "q-foo=bar" is malformed.`, nil},
		{"field without value", replaceInAuth("&q-url-param-list=partnumber;uploadid", "&q-url-param-list"), s3.ErrAuthorizationHeaderMalformed,
			malformed + `the authorization field "q-url-param-list" is malformed.`, nil},
		{"space after separator", replaceInAuth("&q-ak=", "& q-ak="), s3.ErrAuthorizationHeaderMalformed, "*", nil},
		{"empty trailing field", func(r *http.Request) { r.Header.Set("Authorization", r.Header.Get("Authorization")+"&") },
			s3.ErrAuthorizationHeaderMalformed, malformed + `the authorization field "" is malformed.`, nil},
		{"algorithm sha256", replaceInAuth("q-sign-algorithm=sha1", "q-sign-algorithm=sha256"), s3.ErrAuthorizationHeaderMalformed,
			malformed + `q-sign-algorithm "sha256" is not supported; expecting "sha1".`, nil},
		{"empty access key", replaceInAuth("q-ak="+testAK, "q-ak="), s3.ErrAuthorizationHeaderMalformed, malformed + "q-ak is empty.", nil},
		{"host not signed", replaceInAuth("q-header-list=content-length;host;x-cos-meta-color", "q-header-list=content-length;x-cos-meta-color"),
			s3.ErrAuthorizationHeaderMalformed, malformed + "q-header-list must include host.", nil},
		{"empty header list", replaceInAuth("q-header-list=content-length;host;x-cos-meta-color", "q-header-list="),
			s3.ErrAuthorizationHeaderMalformed, malformed + "q-header-list must include host.", nil},
	}
	for _, bad := range []string{"abc", "1;", ";2", "2;1", "-1;5", "+1;2", "1;2;3", "1 ;2", "1", "", "1234567890123456789;1234567890123456790", "0x1;0x2"} {
		cases = append(cases,
			headerCase{"sign time " + bad, replaceInAuth("q-sign-time="+baseSignTime, "q-sign-time="+bad), s3.ErrAuthorizationHeaderMalformed,
				malformed + `q-sign-time "` + bad + `" is malformed; expecting "<start>;<end>" in Unix seconds, start not after end.`, nil},
			headerCase{"key time " + bad, replaceInAuth("q-key-time="+baseSignTime, "q-key-time="+bad), s3.ErrAuthorizationHeaderMalformed,
				malformed + `q-key-time "` + bad + `" is malformed; expecting "<start>;<end>" in Unix seconds, start not after end.`, nil},
		)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := wireRoundTrip(t, signedBase(t, nil))
			if _, err := testVerifier(testNow).Verify(r); err != nil {
				t.Fatalf("untampered request: %v", err)
			}
			tc.after(r)
			_, err := testVerifier(testNow).Verify(r)
			e := wantS3Error(t, err, tc.code, tc.fields...)
			if tc.message != "*" && e.Message != tc.message {
				t.Fatalf("message %q, want %q", e.Message, tc.message)
			}
		})
	}
}

func TestHeaderAuthAccepted(t *testing.T) {
	for name, after := range map[string]func(*http.Request){
		"unsigned non-COS headers": func(r *http.Request) {
			r.Header.Set("X-Other", "1")
			r.Header.Set("User-Agent", "changed")
			r.Header.Set("Content-Type", "text/plain") // not listed, so not signed
		},
		"upper-case signature hex": func(r *http.Request) {
			a := r.Header.Get("Authorization")
			i := strings.Index(a, "q-signature=") + len("q-signature=")
			r.Header.Set("Authorization", a[:i]+strings.ToUpper(a[i:]))
		},
		"fields after the algorithm reordered": func(r *http.Request) {
			parts := strings.Split(r.Header.Get("Authorization"), "&")
			for i, j := 1, len(parts)-1; i < j; i, j = i+1, j-1 {
				parts[i], parts[j] = parts[j], parts[i]
			}
			r.Header.Set("Authorization", strings.Join(parts, "&"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			r := wireRoundTrip(t, signedBase(t, nil))
			after(r)
			if ak, err := testVerifier(testNow).Verify(r); err != nil || ak != testAK {
				t.Fatalf("Verify: %q, %v", ak, err)
			}
		})
	}
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestWrongSecret(t *testing.T) {
	r := wireRoundTrip(t, signedBase(t, nil))
	v := &Verifier{Credentials: staticCredentials{testAK: testSK + "x"}, Now: func() time.Time { return testNow }}
	_, err := v.Verify(r)
	wantS3Error(t, err, s3.ErrSignatureDoesNotMatch, "FormatString", baseFormatString, "AWSAccessKeyId", testAK)
}

// Sign time bounds validity: start <= now+skew and now <= end.
func TestHeaderAuthValidity(t *testing.T) {
	start := testNow.Add(baseStart)
	end := start.Add(time.Hour)
	for _, tc := range []struct {
		name string
		now  time.Time
		code s3.ErrorCode // "" = accepted
	}{
		{"at start", start, ""},
		{"at end", end, ""},
		{"client clock 15 min fast", start.Add(-15 * time.Minute), ""},
		{"client clock 15 min 1 s fast", start.Add(-15*time.Minute - time.Second), s3.ErrRequestTimeTooSkewed},
		{"one second after end", end.Add(time.Second), s3.ErrAccessDenied},
		{"a day later", end.Add(24 * time.Hour), s3.ErrAccessDenied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := testVerifier(tc.now).Verify(wireRoundTrip(t, signedBase(t, nil)))
			switch tc.code {
			case "":
				if err != nil {
					t.Fatal(err)
				}
			case s3.ErrRequestTimeTooSkewed:
				wantS3Error(t, err, tc.code,
					"RequestTime", start.UTC().Format(serverTimeLayout),
					"ServerTime", tc.now.UTC().Format(serverTimeLayout),
					"MaxAllowedSkewMilliseconds", "900000")
			default:
				e := wantS3Error(t, err, tc.code,
					"SignTime", baseSignTime,
					"Expires", end.UTC().Format(serverTimeLayout),
					"ServerTime", tc.now.UTC().Format(serverTimeLayout))
				if e.Message != "Request has expired" {
					t.Fatalf("message %q", e.Message)
				}
			}
		})
	}
	// A custom MaxSkew applies and shows in the error.
	v := testVerifier(start.Add(-2 * time.Minute))
	v.MaxSkew = time.Minute
	_, err := v.Verify(wireRoundTrip(t, signedBase(t, nil)))
	wantS3Error(t, err, s3.ErrRequestTimeTooSkewed, "MaxAllowedSkewMilliseconds", "60000")
}

// The SDK signs q-key-time into the string to sign; when a caller gives it
// distinct key and sign periods, the signature still verifies, and both
// periods bound validity.
func TestDistinctKeyTime(t *testing.T) {
	signStart := testNow.Add(-time.Minute)
	keyStart := testNow.Add(-2 * time.Minute)
	req, _ := http.NewRequest(http.MethodGet, "http://"+baseHost+"/k", nil)
	cos.AddAuthorizationHeader(testAK, testSK, "", req, &cos.AuthTime{
		SignStartTime: signStart, SignEndTime: signStart.Add(time.Hour),
		KeyStartTime: keyStart, KeyEndTime: keyStart.Add(30 * time.Minute),
	})
	r := wireRoundTrip(t, req)
	if _, err := testVerifier(testNow).Verify(r); err != nil {
		t.Fatalf("within both periods: %v", err)
	}
	later := keyStart.Add(30*time.Minute + time.Second)
	_, err := testVerifier(later).Verify(r)
	wantS3Error(t, err, s3.ErrAccessDenied, "Expires", keyStart.Add(30*time.Minute).UTC().Format(serverTimeLayout))
}

func TestMechanismErrors(t *testing.T) {
	t.Run("header and query", func(t *testing.T) {
		r := wireRoundTrip(t, signedBase(t, nil))
		r.URL.RawQuery += "&q-sign-algorithm=sha1"
		_, err := testVerifier(testNow).Verify(r)
		wantS3Error(t, err, s3.ErrInvalidArgument, "ArgumentName", "Authorization")
	})
	t.Run("no signature", func(t *testing.T) {
		r := wireRequest(t, http.MethodGet, baseHost, "/k", nil, "")
		_, err := testVerifier(testNow).Verify(r)
		wantS3Error(t, err, s3.ErrAccessDenied)
	})
	t.Run("credential store failure", func(t *testing.T) {
		boom := errors.New("database is down")
		v := &Verifier{Credentials: failingCredentials{boom}, Now: func() time.Time { return testNow }}
		_, err := v.Verify(wireRoundTrip(t, signedBase(t, nil)))
		if !errors.Is(err, boom) {
			t.Fatalf("err %v, want it to wrap %v", err, boom)
		}
		if _, ok := s3.AsError(err); ok {
			t.Fatalf("a store failure must not be a client error: %v", err)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		v := &Verifier{Now: func() time.Time { return testNow }}
		_, err := v.Verify(wireRoundTrip(t, signedBase(t, nil)))
		if _, ok := s3.AsError(err); err == nil || ok {
			t.Fatalf("err %v, want an internal error", err)
		}
	})
}

type failingCredentials struct{ err error }

func (f failingCredentials) SecretKey(context.Context, string) (string, error) { return "", f.err }

// presignedBase is an SDK presigned PUT URL for key "dir/key" with a
// signed query parameter and x-cos header.
func presignedBase(t testing.TB, merged, signHost bool) (*url.URL, http.Header) {
	t.Helper()
	u, _ := url.Parse("http://" + baseHost)
	c := cos.NewClient(&cos.BaseURL{BucketURL: u}, nil)
	query := url.Values{"versionId": {"v1"}}
	header := http.Header{}
	header.Set("X-Cos-Meta-Color", "red")
	pu, err := c.Object.GetPresignedURL(context.Background(), http.MethodPut, "dir/key", testAK, testSK, time.Hour,
		&cos.PresignedURLOptions{Query: &query, Header: &header, SignMerged: merged, AuthTime: authTime(testNow.Add(baseStart), time.Hour)}, signHost)
	if err != nil {
		t.Fatal(err)
	}
	return pu, header
}

func presignedRequest(t testing.TB, u *url.URL, header http.Header) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, u.String(), strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	return wireRoundTrip(t, req)
}

// presignedCase edits a presigned URL and its headers, then verifies at now;
// an empty code means the request must pass.
type presignedCase struct {
	name    string
	edit    func(u *url.URL, h http.Header)
	now     time.Time
	code    s3.ErrorCode
	message string // "*": any
	fields  []string
}

func TestPresignedErrors(t *testing.T) {
	start := testNow.Add(baseStart)
	const malformed = "The authorization query parameters are malformed; "
	for _, merged := range []bool{false, true} {
		cases := []presignedCase{
			{"valid", func(*url.URL, http.Header) {}, testNow, "", "", nil},
			{"valid with unsigned plain header", func(_ *url.URL, h http.Header) { h.Set("Content-Type", "x/y") }, testNow, "", "", nil},
			{"not valid yet", func(*url.URL, http.Header) {}, start.Add(-16 * time.Minute), s3.ErrAccessDenied, "Request is not valid yet",
				[]string{"SignTime", baseSignTime, "ServerTime", start.Add(-16 * time.Minute).UTC().Format(serverTimeLayout)}},
			{"expired", func(*url.URL, http.Header) {}, start.Add(time.Hour + time.Second), s3.ErrAccessDenied, "Request has expired",
				[]string{"Expires", start.Add(time.Hour).UTC().Format(serverTimeLayout)}},
			{"unsigned parameter", func(u *url.URL, _ http.Header) { u.RawQuery = "tagging&" + u.RawQuery }, testNow, s3.ErrAccessDenied,
				"There were query parameters present in the request which were not signed", []string{"ParametersNotSigned", "tagging"}},
			{"changed signed parameter", func(u *url.URL, _ http.Header) {
				u.RawQuery = strings.Replace(u.RawQuery, "versionId=v1", "versionId=v2", 1)
			},
				testNow, s3.ErrSignatureDoesNotMatch, "", []string{"FormatString", "put\n/dir/key\nversionid=v2\nhost=" + baseHost + "&x-cos-meta-color=red\n"}},
			{"unsigned x-cos header", func(_ *url.URL, h http.Header) { h.Set("X-Cos-Copy-Source", "/b/k") }, testNow, s3.ErrAccessDenied,
				"There were headers present in the request which were not signed", []string{"HeadersNotSigned", "x-cos-copy-source"}},
			{"changed signed header", func(_ *url.URL, h http.Header) { h.Set("X-Cos-Meta-Color", "blue") }, testNow, s3.ErrSignatureDoesNotMatch, "", nil},
			{"changed host", func(u *url.URL, _ http.Header) { u.Host = "other-1250000000.cos.local" }, testNow, s3.ErrSignatureDoesNotMatch, "", nil},
			{"also an Authorization header", func(_ *url.URL, h http.Header) { h.Set("Authorization", "q-sign-algorithm=sha1") }, testNow,
				s3.ErrInvalidArgument, "*", nil},
		}
		if !merged {
			cases = append(cases, []presignedCase{
				{"repeated q-ak", func(u *url.URL, _ http.Header) { u.RawQuery += "&q-ak=" + testAK }, testNow, s3.ErrAuthorizationQueryParametersError,
					malformed + "the q-ak parameter must appear once.", nil},
				{"missing q-signature", func(u *url.URL, _ http.Header) {
					q := u.Query()
					q.Del("q-signature")
					u.RawQuery = q.Encode()
				}, testNow, s3.ErrAuthorizationQueryParametersError, "*", nil},
				{"unknown key", func(u *url.URL, _ http.Header) {
					u.RawQuery = strings.Replace(u.RawQuery, "q-ak="+testAK, "q-ak=NOPE", 1)
				}, testNow, s3.ErrInvalidAccessKeyID, "", []string{"AWSAccessKeyId", "NOPE"}},
				{"algorithm", func(u *url.URL, _ http.Header) {
					u.RawQuery = strings.Replace(u.RawQuery, "q-sign-algorithm=sha1", "q-sign-algorithm=md5", 1)
				}, testNow, s3.ErrAuthorizationQueryParametersError, malformed + `q-sign-algorithm "md5" is not supported; expecting "sha1".`, nil},
			}...)
		} else {
			cases = append(cases, []presignedCase{
				{"repeated sign", func(u *url.URL, _ http.Header) { u.RawQuery += "&sign=x" }, testNow, s3.ErrAuthorizationQueryParametersError,
					malformed + "the sign parameter must appear exactly once.", nil},
				{"truncated sign", func(u *url.URL, _ http.Header) { u.RawQuery = u.RawQuery[:strings.Index(u.RawQuery, "%26q-signature")] },
					testNow, s3.ErrAuthorizationQueryParametersError, "*", nil},
			}...)
		}
		for _, tc := range cases {
			t.Run(map[bool]string{false: "q-params/", true: "merged/"}[merged]+tc.name, func(t *testing.T) {
				u, h := presignedBase(t, merged, true)
				tc.edit(u, h)
				r := presignedRequest(t, u, h)
				ak, err := testVerifier(tc.now).Verify(r)
				if tc.code == "" {
					if err != nil || ak != testAK {
						t.Fatalf("Verify %s: %q, %v", u, ak, err)
					}
					return
				}
				e := wantS3Error(t, err, tc.code, tc.fields...)
				if tc.message != "*" && e.Message != tc.message {
					t.Fatalf("message %q, want %q", e.Message, tc.message)
				}
			})
		}
	}
	// GetPresignedURL can leave the host unsigned; such a URL would work
	// for the same key in every bucket of the signer, so it is refused.
	u, h := presignedBase(t, false, false)
	_, err := testVerifier(testNow).Verify(presignedRequest(t, u, h))
	e := wantS3Error(t, err, s3.ErrAuthorizationQueryParametersError)
	if e.Message != malformed+"q-header-list must include host." {
		t.Fatalf("message %q", e.Message)
	}
}

func TestIs(t *testing.T) {
	for _, tc := range []struct {
		authz, query string
		want         bool
	}{
		{"q-sign-algorithm=sha1&q-ak=a", "", true},
		{"q-sign-algorithm=", "", true},
		{"", "q-sign-algorithm=sha1&q-ak=a", true},
		{"", "versionId=1&q-sign-algorithm", true},
		{"", "sign=q-sign-algorithm%3Dsha1%26q-ak%3Da", true},
		{"", "a=1&sign=q-sign-algorithm", true},
		{"", "sign=other", false},
		{"", "q-ak=a&q-signature=b", false},
		{"", "Q-Sign-Algorithm=sha1", false},
		{"AWS4-HMAC-SHA256 Credential=x", "", false},
		{"bce-auth-v1/ak/2024", "", false},
		{"Q-SIGN-ALGORITHM=sha1", "", false},
		{"", "", false},
	} {
		r := &http.Request{Header: http.Header{}, URL: &url.URL{Path: "/", RawQuery: tc.query}}
		if tc.authz != "" {
			r.Header.Set("Authorization", tc.authz)
		}
		if got := Is(r); got != tc.want {
			t.Errorf("Is(Authorization %q, query %q) = %v, want %v", tc.authz, tc.query, got, tc.want)
		}
	}
	r := &http.Request{Header: http.Header{"Authorization": {"AWS4"}}, URL: &url.URL{RawQuery: "a=1&b=2&sign=q-sign-algorithm%3D"}}
	if allocs := testing.AllocsPerRun(100, func() { Is(r) }); allocs != 0 {
		t.Errorf("Is allocates %v times", allocs)
	}
}
