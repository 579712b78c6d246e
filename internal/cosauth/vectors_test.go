package cosauth

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	cos "github.com/tencentyun/cos-go-sdk-v5"

	"github.com/cairn-s3/cairn/internal/s3"
)

// steps are the intermediates of one verification.
type steps struct {
	auth                                   authorization
	signKey, formatString, stringToSign    string
	signature                              string
	headerList, paramList, signatureHeader string
}

// computeSteps runs the verification pipeline on a header-signed request
// and returns every intermediate.
func computeSteps(t *testing.T, r *http.Request, secret string) steps {
	t.Helper()
	a, err := parseAuthorization(r.Header.Get("Authorization"), headerFlavour())
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	params, err := formatParameters(r.URL.Query(), listNames(a.paramList))
	if err != nil {
		t.Fatalf("parameters: %v", err)
	}
	s := steps{auth: a, headerList: a.headerList, paramList: a.paramList, signatureHeader: a.signature}
	s.formatString = formatString(r.Method, r.URL.Path, params, formatHeaders(r, listNames(a.headerList)))
	s.signKey = signKey(secret, a.keyTime)
	s.stringToSign = stringToSign(a.signTime, s.formatString)
	sig := signature(s.signKey, s.stringToSign)
	s.signature = hex.EncodeToString(sig[:])
	return s
}

// TestWorkedExample is dialects.md worked example 1, the SDK's own test
// vector (auth_test.go: TestNewAuthorization), as it arrives on the wire.
func TestWorkedExample(t *testing.T) {
	const (
		secretID  = "QmFzZTY0IGlzIGEgZ2VuZXJp"
		secretKey = "AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM"
		authz     = "q-sign-algorithm=sha1&q-ak=QmFzZTY0IGlzIGEgZ2VuZXJp&q-sign-time=1480932292;1481012292&q-key-time=1480932292;1481012292&q-header-list=host;x-cos-content-sha1;x-cos-stroage-class&q-url-param-list=&q-signature=ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a"
	)
	r := wireRequest(t, http.MethodPut, "testbucket-125000000.cos.ap-guangzhou.myqcloud.com", "/testfile2", [][2]string{
		{"x-cos-content-sha1", "db8ac1c259eb89d4a131b253bacfca5f319d54f2"},
		{"x-cos-stroage-class", "nearline"},
		{"Authorization", authz},
	}, "")
	got := computeSteps(t, r, secretKey)
	for _, c := range []struct{ name, got, want string }{
		{"SignKey", got.signKey, "95d110a8ead64cac52083100db75b7e3f369e72f"},
		{"FormatString", got.formatString, "put\n/testfile2\n\nhost=testbucket-125000000.cos.ap-guangzhou.myqcloud.com&x-cos-content-sha1=db8ac1c259eb89d4a131b253bacfca5f319d54f2&x-cos-stroage-class=nearline\n"},
		{"StringToSign", got.stringToSign, "sha1\n1480932292;1481012292\n113b22e92b74237531fafbfc8bb9e67be55645c7\n"},
		{"Signature", got.signature, "ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a"},
	} {
		if c.got != c.want {
			t.Errorf("%s:\n%q\nwant\n%q", c.name, c.got, c.want)
		}
	}

	// The whole verifier accepts it anywhere in the signed period, and
	// reports the same strings when the signature is flipped.
	for _, now := range []time.Time{time.Unix(1480932292, 0), time.Unix(1481012292, 0), time.Unix(1480932292-60, 0)} {
		v := &Verifier{Credentials: staticCredentials{secretID: secretKey}, Now: func() time.Time { return now }}
		ak, err := v.Verify(r)
		if err != nil || ak != secretID {
			t.Fatalf("Verify at %v: %q, %v", now, ak, err)
		}
	}
	v := &Verifier{Credentials: staticCredentials{secretID: secretKey}, Now: func() time.Time { return time.Unix(1480932292, 0) }}
	bad := strings.Replace(authz, "q-signature=ce4a", "q-signature=ce4b", 1)
	r.Header.Set("Authorization", bad)
	_, err := v.Verify(r)
	wantS3Error(t, err, s3.ErrSignatureDoesNotMatch,
		"AWSAccessKeyId", secretID,
		"SignatureProvided", "ce4bc0ecbcdb30538b3fee0a97cc6389694ce53a",
		"StringToSign", got.stringToSign,
		"FormatString", got.formatString)
}

// TestObservedFormatStrings rebuilds requests observed from the live SDK
// (dialects.md §1.1, §1.2): the SDK signs them, the format string must be
// the observed one, and our signature must be the SDK's.
func TestObservedFormatStrings(t *testing.T) {
	cases := []struct {
		name, method, url, host string
		body                    string
		headerList, paramList   string
		formatString            string
	}{
		{
			name: "UploadPart", method: http.MethodPut,
			url: "http://127.0.0.1:9000/mp/obj?partNumber=1&uploadId=upload000001", host: "b-1250000000.cos.local",
			body:       strings.Repeat("x", 1048576),
			headerList: "content-length;host", paramList: "partnumber;uploadid",
			formatString: "put\n/mp/obj\npartnumber=1&uploadid=upload000001\ncontent-length=1048576&host=b-1250000000.cos.local\n",
		},
		{
			name: "PutObject key with escaped slash", method: http.MethodPut,
			url: "http://127.0.0.1:9000/dir%2Fa%20b%2Bc%25.txt", host: "b-1250000000.cos.local",
			body:       "hello",
			headerList: "content-length;host", paramList: "",
			formatString: "put\n/dir/a b+c%.txt\n\ncontent-length=5&host=b-1250000000.cos.local\n",
		},
		{
			name: "ListMultipartUploads", method: http.MethodGet,
			url: "http://127.0.0.1:9000/?uploads", host: "b-1250000000.cos.local:9000",
			headerList: "host", paramList: "uploads",
			formatString: "get\n/\nuploads=\nhost=b-1250000000.cos.local%3A9000\n",
		},
	}
	start := time.Unix(1764000000, 0)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.body == "" {
				req.Body, req.ContentLength = nil, 0
			} else {
				// newRequest puts Content-Length into the header map.
				req.Header.Set("Content-Length", strconv.Itoa(len(tc.body)))
			}
			req.Host = tc.host
			cos.AddAuthorizationHeader(testAK, testSK, "", req, &cos.AuthTime{SignStartTime: start, SignEndTime: start.Add(time.Hour), KeyStartTime: start, KeyEndTime: start.Add(time.Hour)})
			r := wireRoundTrip(t, req)
			got := computeSteps(t, r, testSK)
			if got.headerList != tc.headerList || got.paramList != tc.paramList {
				t.Fatalf("lists %q / %q, want %q / %q", got.headerList, got.paramList, tc.headerList, tc.paramList)
			}
			if got.formatString != tc.formatString {
				t.Fatalf("FormatString\n%q\nwant\n%q", got.formatString, tc.formatString)
			}
			if got.signature != got.signatureHeader {
				t.Fatalf("signature %s, SDK %s", got.signature, got.signatureHeader)
			}
			if ak, err := testVerifier(start.Add(time.Minute)).Verify(r); err != nil || ak != testAK {
				t.Fatalf("Verify: %q, %v", ak, err)
			}
		})
	}
}

// TestEncoding pins the encoding rules: strict RFC 3986, upper-case hex
// in values, lower-cased whole names.
func TestEncoding(t *testing.T) {
	for _, c := range []struct{ in, value, name string }{
		{"abcXYZ019-_.~", "abcXYZ019-_.~", "abcxyz019-_.~"},
		{"a b+c%/", "a%20b%2Bc%25%2F", "a%20b%2bc%25%2f"},
		{"!'()*", "%21%27%28%29%2A", "%21%27%28%29%2a"},
		{"=;:&", "%3D%3B%3A%26", "%3d%3b%3a%26"},
		{"日", "%E6%97%A5", "%e6%97%a5"},
		{"uploadId", "uploadId", "uploadid"},
		{"", "", ""},
	} {
		if got := string(appendEncoded(nil, c.in)); got != c.value {
			t.Errorf("encode(%q) = %q, want %q", c.in, got, c.value)
		}
		if got := encodedName(c.in); got != c.name {
			t.Errorf("encodedName(%q) = %q, want %q", c.in, got, c.name)
		}
		if !nameMatches(c.in, c.name) {
			t.Errorf("nameMatches(%q, %q) = false", c.in, c.name)
		}
	}
	for _, c := range [][2]string{{"ab", "a"}, {"a", "ab"}, {"a b", "a b"}, {"a b", "a%20"}, {"A", "A"}, {"*", "%2A"}} {
		if nameMatches(c[0], c[1]) {
			t.Errorf("nameMatches(%q, %q) = true", c[0], c[1])
		}
	}
}
