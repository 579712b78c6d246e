package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
)

func TestCanonicalURI(t *testing.T) {
	cases := []struct{ escaped, want string }{
		{"", "/"},
		{"/", "/"},
		{"/bucket/key", "/bucket/key"},
		{"/b/a%20b", "/b/a%20b"},
		{"/b/a b", "/b/a%20b"},
		{"/b/a+b", "/b/a%2Bb"},
		{"/b/a%2Bb", "/b/a%2Bb"},
		{"/b/%7Etilde~", "/b/~tilde~"},
		{"/b/%e6%97%a5", "/b/%E6%97%A5"},
		{"/b/日", "/b/%E6%97%A5"},
		{"/b//double//", "/b//double//"},
		{"/b/a%2Fb", "/b/a%2Fb"},
		{"/b/100%", "/b/100%25"},
		{"/b/%zz", "/b/%25zz"},
		{"/b/$&'()*,;=:@!", "/b/%24%26%27%28%29%2A%2C%3B%3D%3A%40%21"},
		{"/b/./c/../d", "/b/./c/../d"},
	}
	for _, tc := range cases {
		if got := string(appendCanonicalURI(nil, tc.escaped)); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.escaped, got, tc.want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	cases := []struct {
		raw       string
		presigned bool
		want      string
	}{
		{"", false, ""},
		{"acl", false, "acl="},
		{"uploads&", false, "uploads="},
		{"prefix=J&max-keys=2", false, "max-keys=2&prefix=J"},
		{"a=2&a=1&b=&a=10", false, "a=1&a=10&a=2&b="},
		{"k=a+b&k2=a%20b&k3=a%2Bb", false, "k=a%20b&k2=a%20b&k3=a%2Bb"},
		{"delimiter=/&prefix=x/y", false, "delimiter=%2F&prefix=x%2Fy"},
		{"x=%7e~&y=%e6%97%a5", false, "x=~~&y=%E6%97%A5"},
		{"bad=%zz&semi=a;b", false, "bad=%25zz&semi=a%3Bb"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", true, "X-Amz-Date=1"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", false, "X-Amz-Date=1&X-Amz-Signature=abc"},
		// Sorted by encoded key: "%5B" (from '[') sorts before "A".
		{"A=1&[=2", false, "%5B=2&A=1"},
		// Key then value: "a" sorts before "a-b" even though '=' > '-'.
		{"a-b=1&a=2", false, "a=2&a-b=1"},
		{strings.Repeat("p=1&", 20) + "o=0", false, "o=0" + strings.Repeat("&p=1", 20)},
	}
	for _, tc := range cases {
		var c canonicalRequest
		if got := string(c.appendQuery(nil, tc.raw, tc.presigned)); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestCanonicalHeaderValues(t *testing.T) {
	r, _ := http.NewRequest(http.MethodPut, "http://example.com:8080/b/k", strings.NewReader("abc"))
	r.Header.Set("X-Amz-Meta-A", "  lots   of   space \t")
	r.Header.Add("X-Amz-Meta-Multi", "one")
	r.Header.Add("X-Amz-Meta-Multi", " two ")
	r.Header["x-amz-meta-raw"] = []string{"stored non-canonically"}
	r.TransferEncoding = []string{"chunked"}
	got := string(appendCanonicalHeaders(nil, r, "content-length;host;transfer-encoding;x-amz-meta-a;x-amz-meta-absent;x-amz-meta-multi;x-amz-meta-raw"))
	want := "content-length:3\nhost:example.com:8080\ntransfer-encoding:chunked\nx-amz-meta-a:lots of space\nx-amz-meta-absent:\nx-amz-meta-multi:one,two\nx-amz-meta-raw:stored non-canonically\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestCanonicalHeaderKey(t *testing.T) {
	for _, name := range []string{"x-amz-date", "content-md5", "x-amz-meta-a-b-c", "etag", "x_underscore", "a--b"} {
		got, ok := canonicalHeaderKey(make([]byte, 0, 64), name)
		if !ok || string(got) != http.CanonicalHeaderKey(name) {
			t.Errorf("%q: got %q, want %q", name, got, http.CanonicalHeaderKey(name))
		}
	}
	if _, ok := canonicalHeaderKey(make([]byte, 0, 64), "bad name"); ok {
		t.Error("a name with a space is not canonicalised")
	}
}

func TestParseAuthorizationSeparators(t *testing.T) {
	const cred = "AK/20260101/us-east-1/s3/aws4_request"
	sig := strings.Repeat("0", 64)
	for _, h := range []string{
		"AWS4-HMAC-SHA256 Credential=" + cred + ",SignedHeaders=host;x-amz-date,Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=host;x-amz-date, Signature=" + sig,
		"AWS4-HMAC-SHA256   Credential=" + cred + " ,  SignedHeaders=host;x-amz-date ,Signature=" + sig + " ",
		"AWS4-HMAC-SHA256 Signature=" + sig + ", Credential=" + cred + ", SignedHeaders=host;x-amz-date",
		"AWS4-HMAC-SHA256 Credential=" + cred + " SignedHeaders=host;x-amz-date Signature=" + sig,
	} {
		a, err := parseAuthorization(h)
		if err != nil {
			t.Fatalf("%q: %v", h, err)
		}
		if a.credential.accessKey != "AK" || a.credential.region != "us-east-1" || a.signedHeaders != "host;x-amz-date" || a.signature != sig {
			t.Fatalf("%q: %+v", h, a)
		}
	}
	// An access key may itself contain a slash: the scope is parsed from the right.
	a, err := parseAuthorization("AWS4-HMAC-SHA256 Credential=team/alice/20260101/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=" + sig)
	if err != nil || a.credential.accessKey != "team/alice" || a.credential.scope != "20260101/eu-west-1/s3/aws4_request" {
		t.Fatalf("%+v %v", a, err)
	}
}

func TestHMACMatchesCryptoHMAC(t *testing.T) {
	var key [32]byte
	var buf []byte
	for n := 0; n < 300; n += 7 {
		for i := range key {
			key[i] = byte(n + i*31)
		}
		msg := []byte(strings.Repeat("m", n))
		var got [32]byte
		got, buf = hmacSHA256(buf, &key, msg)
		mac := hmac.New(sha256.New, key[:])
		mac.Write(msg)
		if want := mac.Sum(nil); !hmac.Equal(got[:], want) {
			t.Fatalf("length %d: %x != %x", n, got, want)
		}
	}
}

func TestSigningKeyCacheIsBounded(t *testing.T) {
	var c signingKeyCache
	for i := 0; i < maxCachedSigningKeys+50; i++ {
		region := "r" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		got := c.get("secret", "20260101", region, "s3")
		if got != deriveSigningKey("secret", "20260101", region, "s3") {
			t.Fatalf("wrong key for %s", region)
		}
	}
	if n := len(c.keys); n > maxCachedSigningKeys {
		t.Fatalf("cache holds %d keys", n)
	}
	// A published derivation: the AWS example key for 20130524/us-east-1/s3.
	k := deriveSigningKey(exampleSecretKey, "20130524", "us-east-1", "s3")
	if hexString(k[:]) != "dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378" {
		t.Fatalf("signing key %x", k)
	}
}
