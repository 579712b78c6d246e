package bceauth

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/baidubce/bce-sdk-go/util"
)

// UriEncode must agree with the SDK's util.UriEncode on every byte, with and
// without '/' kept.
func TestURIEncodeMatchesSDK(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, s := range []string{string(all), "dir/a b+c%.txt", "日本語/🙂~", ""} {
		for _, keepSlash := range []bool{true, false} {
			if got, want := string(appendURIEncoded(nil, s, keepSlash)), util.UriEncode(s, !keepSlash); got != want {
				t.Fatalf("UriEncode(%q, keepSlash=%v) = %q, want %q", s, keepSlash, got, want)
			}
		}
	}
}

// queryUnescape must decode as url.QueryUnescape for well-formed input, and
// keep a malformed escape literally.
func TestQueryUnescape(t *testing.T) {
	for _, s := range []string{"", "plain", "a+b", "a%20b%2B", "%E6%97%A5", "%7e", "~!*'()"} {
		want, err := url.QueryUnescape(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := queryUnescape(s); got != want {
			t.Fatalf("queryUnescape(%q) = %q, want %q", s, got, want)
		}
	}
	for s, want := range map[string]string{"%": "%", "%2": "%2", "%zz+": "%zz ", "a%2%41": "a%2A", "100%": "100%"} {
		if got := queryUnescape(s); got != want {
			t.Fatalf("queryUnescape(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestCanonicalURI(t *testing.T) {
	for path, want := range map[string]string{
		"":                  "/",
		"/":                 "/",
		"*":                 "/%2A",
		"/bkt":              "/bkt",
		"/bkt/":             "/bkt/",
		"/bkt/dir/a b+c%.x": "/bkt/dir/a%20b%2Bc%25.x",
		"/bkt//k":           "/bkt//k",
		"//k":               "//k",
		"/bkt/日":            "/bkt/%E6%97%A5",
		"/bkt/~-_.":         "/bkt/~-_.",
	} {
		if got := string(appendCanonicalURI(nil, path)); got != want {
			t.Errorf("canonical URI of %q = %q, want %q", path, got, want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	for raw, want := range map[string]string{
		"":                                 "",
		"uploads":                          "uploads=",
		"uploads=":                         "uploads=",
		"&&uploads&&":                      "uploads=",
		"b=2&a=1&c":                        "a=1&b=2&c=",
		"prefix=a+b&delimiter=%2F":         "delimiter=%2F&prefix=a%20b",
		"k=%7e&k=a&k=":                     "k=&k=a&k=~",
		"authorization=x&Authorization=y":  "",
		"AUTHORIZATION=x&a=1":              "a=1",
		"%61uthorization=x&a=1":            "a=1",
		"x-bce-security-token=t%2Bk":       "x-bce-security-token=t%2Bk",
		"weird%20key%2B%25=v%26%3D%3F%23":  "weird%20key%2B%25=v%26%3D%3F%23",
		"bad=%zz&a%2=1":                    "a%252=1&bad=%25zz",
		"responseContentType=text%2Fplain": "responseContentType=text%2Fplain",
		"Z=1&a=1&_=1&~=1&-=1":              "-=1&Z=1&_=1&a=1&~=1",
	} {
		if got := string(appendCanonicalQuery(nil, raw)); got != want {
			t.Errorf("canonical query of %q = %q, want %q", raw, got, want)
		}
	}
}

func TestCanonicalHeaders(t *testing.T) {
	r := &http.Request{Host: "bkt.bos.local:9000", Header: http.Header{
		"X-Bce-Meta-A":      {"1"},
		"X-Bce-Meta-A-B":    {"2"},
		"Content-Type":      {"  text/plain; charset=utf-8 "},
		"X-Bce-Meta-Multi":  {" one ", "two"},
		"X-Bce-Meta-Empty":  {"  "},
		"X-Bce-Request-Id":  {"r"},
		"Cache-Control":     {"no-cache"},
		"X-Bce-Meta-Nbsp":   {"\u00a0v\u00a0"},
		"X-Bce-Meta-Ключ":   {"v"}, // not a token: never canonicalised by Go
		"Content-Md5":       {"abc=="},
		"X-Bce-Meta-Spaced": {"a  b"},
	}}
	signed := []string{"x-bce-meta-a", "x-bce-meta-a-b", "content-type", "host", "x-bce-meta-multi", "x-bce-meta-empty", "x-bce-meta-nbsp", "x-bce-meta-absent"}
	// Lines sort as strings: "x-bce-meta-a-b:" before "x-bce-meta-a:".
	want := "content-type:text%2Fplain%3B%20charset%3Dutf-8\n" +
		"host:bkt.bos.local%3A9000\n" +
		"x-bce-meta-a-b:2\n" +
		"x-bce-meta-a:1\n" +
		"x-bce-meta-multi:one%2Ctwo\n" +
		"x-bce-meta-nbsp:v"
	if got := string(appendCanonicalHeaders(nil, r, signed)); got != want {
		t.Fatalf("canonical headers:\n%s\nwant:\n%s", got, want)
	}

	// The default set: host, the content headers and every x-bce-* header.
	want = "content-md5:abc%3D%3D\n" +
		"content-type:text%2Fplain%3B%20charset%3Dutf-8\n" +
		"host:bkt.bos.local%3A9000\n" +
		"x-bce-meta-%D0%BA%D0%BB%D1%8E%D1%87:v\n" +
		"x-bce-meta-a-b:2\n" +
		"x-bce-meta-a:1\n" +
		"x-bce-meta-multi:one%2Ctwo\n" +
		"x-bce-meta-nbsp:v\n" +
		"x-bce-meta-spaced:a%20%20b\n" +
		"x-bce-request-id:r"
	if got := string(appendCanonicalHeaders(nil, r, nil)); got != want {
		t.Fatalf("default canonical headers:\n%s\nwant:\n%s", got, want)
	}

	if got := unsignedBceHeaders(r.Header, signed); len(got) != 2 || got[0] != "x-bce-meta-spaced" || got[1] != "x-bce-meta-ключ" {
		t.Fatalf("unsigned: %q", got)
	}
	if got := unsignedBceHeaders(r.Header, nil); got != nil {
		t.Fatalf("unsigned under the default set: %q", got)
	}
}
