package cosauth

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
)

// mustBeS3Error fails unless err is nil or carries an *s3.Error or s3.ErrorCode.
func mustBeS3Error(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if _, ok := s3.AsError(err); !ok {
		t.Fatalf("not an S3 error: %T %v", err, err)
	}
	if errors.Is(err, io.EOF) {
		t.Fatalf("failure wraps io.EOF: %v", err)
	}
}

// fuzzVerifier knows the worked example's key and runs at a time inside
// its signature's period, so that fuzzed inputs reach the signature check.
func fuzzVerifier() *Verifier {
	return &Verifier{
		Credentials: staticCredentials{"QmFzZTY0IGlzIGEgZ2VuZXJp": "AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM", testAK: testSK},
		Now:         func() time.Time { return time.Unix(1480932292, 0) },
	}
}

func FuzzParseAuthorization(f *testing.F) {
	for _, seed := range []string{
		"q-sign-algorithm=sha1&q-ak=QmFzZTY0IGlzIGEgZ2VuZXJp&q-sign-time=1480932292;1481012292&q-key-time=1480932292;1481012292&q-header-list=host;x-cos-content-sha1;x-cos-stroage-class&q-url-param-list=&q-signature=ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a",
		"q-sign-algorithm=sha1&q-ak=a&q-sign-time=1;2&q-key-time=1;2&q-header-list=content-length;host&q-url-param-list=partnumber;uploadid&q-signature=00",
		"q-sign-algorithm=sha1&q-ak=&q-sign-time=;&q-key-time=2;1&q-header-list=&q-url-param-list=;;&q-signature=",
		"q-sign-algorithm=sha1&&&q-ak==&q-ak=b",
		"q-sign-algorithm=",
		"q-sign-algorithm=sha256&q-ak=a",
		"AWS4-HMAC-SHA256 Credential=a/b/c/s3/aws4_request, SignedHeaders=host, Signature=00",
		"",
	} {
		f.Add(seed)
	}
	v := fuzzVerifier()
	f.Fuzz(func(t *testing.T, h string) {
		a, err := parseAuthorization(h, headerFlavour())
		mustBeS3Error(t, err)
		if err == nil {
			if a.accessKey == "" || a.sign.start > a.sign.end || a.key.start > a.key.end || !strings.Contains(";"+a.headerList+";", ";host;") {
				t.Fatalf("accepted %q as %+v", h, a)
			}
		}
		if strings.ContainsAny(h, "\r\n\x00") {
			return
		}
		r, _ := http.NewRequest(http.MethodGet, "http://testbucket-125000000.cos.ap-guangzhou.myqcloud.com/other?x=1", nil)
		r.Header.Set("Authorization", h)
		if Is(r) != strings.HasPrefix(h, authorizationPrefix) {
			t.Fatalf("Is disagrees with the prefix for %q", h)
		}
		_, err = v.Verify(r)
		mustBeS3Error(t, err)
		if err == nil {
			t.Fatalf("accepted a fuzzed header %q", h)
		}
	})
}

func FuzzPresignedQuery(f *testing.F) {
	f.Add("/a%20b/c", "versionId=v%2B1&x-cos-security-token=tok+en&q-sign-algorithm=sha1&q-ak=AKIDcairnTEST&q-sign-time=1480932292%3B1481012292&q-key-time=1480932292%3B1481012292&q-header-list=content-type%3Bhost%3Bx-cos-meta-owner&q-url-param-list=versionid%3Bx-cos-security-token&q-signature=6b86b332da95898a150666d8238b7f465fd107d3")
	f.Add("/a%20b/c", "versionId=v%2B1&sign=q-sign-algorithm%3Dsha1%26q-ak%3DAKIDcairnTEST%26q-sign-time%3D1480932292%3B1481012292%26q-key-time%3D1480932292%3B1481012292%26q-header-list%3Dhost%26q-url-param-list%3Dversionid%26q-signature%3D6b86b332da95898a150666d8238b7f465fd107d3")
	f.Add("/", "q-sign-algorithm=sha1&q-sign-algorithm=sha1&q-ak=&q-sign-time=&q-key-time=&q-header-list=&q-url-param-list=&q-signature=")
	f.Add("/k", "sign=q-sign-algorithm&sign=x&%zz=%&&=&q-ak")
	f.Add("/k", "sign=q-sign-algorithm%3Dsha1%26%26%26")
	f.Add("/k", "Q-SIGN-ALGORITHM=sha1&uploads")
	v := fuzzVerifier()
	f.Fuzz(func(t *testing.T, path, rawQuery string) {
		u, err := url.Parse("http://testbucket-125000000.cos.ap-guangzhou.myqcloud.com" + path)
		if err != nil || strings.ContainsAny(rawQuery, "\r\n #\x00") {
			return
		}
		u.RawQuery = rawQuery
		r, err := http.NewRequest(http.MethodGet, u.String(), nil)
		if err != nil {
			return
		}
		is := Is(r)
		_, err = v.Verify(r)
		mustBeS3Error(t, err)
		if err == nil {
			t.Fatalf("accepted %s", u)
		}
		if is != (queryForm(r.URL.RawQuery) != formNone) {
			t.Fatalf("Is = %v for %q", is, r.URL.RawQuery)
		}
	})
}

// FuzzNameMatches checks the allocation-free comparison against the
// straightforward one.
func FuzzNameMatches(f *testing.F) {
	f.Add("X-Cos-Meta-A", "x-cos-meta-a")
	f.Add("a b*", "a%20b%2a")
	f.Add("日", "%e6%97%a5")
	f.Add("uploadId", "uploadId")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, raw, enc string) {
		if got, want := nameMatches(raw, enc), encodedName(raw) == enc; got != want {
			t.Fatalf("nameMatches(%q, %q) = %v, encodedName = %q", raw, enc, got, encodedName(raw))
		}
		if !nameMatches(raw, encodedName(raw)) {
			t.Fatalf("nameMatches(%q, encodedName) = false", raw)
		}
	})
}
