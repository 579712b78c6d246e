package s3api

import (
	"encoding/xml"
	"net/url"
	"testing"
	"unicode/utf8"

	"github.com/cairn-s3/cairn/internal/s3"
)

// isS3Error fails the test when err is not a client-facing S3 error: every
// parser here reads client input and must answer bad input with a 4xx, or
// NotImplemented for a feature Cairn deliberately does not offer.
func isS3Error(t *testing.T, err error) {
	t.Helper()
	e, ok := s3.AsError(err)
	if !ok || !e.Code.Known() || e.Status() >= 500 && e.Code != s3.ErrNotImplemented {
		t.Fatalf("bad input gave %v, not a 4xx S3 error", err)
	}
}

// FuzzParseRange: a Range header is either ignored (nil, as S3 ignores a
// malformed one) or a well-formed single range. Resolving ranges against
// object sizes is fuzzed in package object (FuzzRangeResolve).
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-9", "bytes=5-", "bytes=-3", "bytes=9-5", "bytes=0-0,2-3", "bytes= 1 - 2", "bytes=-0", "items=0-1", "bytes=99999999999999999999-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r := parseRange(v)
		if r == nil {
			return
		}
		if r.Suffix && r.SuffixLength < 0 || !r.Suffix && (r.Start < 0 || r.End != -1 && r.End < r.Start) {
			t.Fatalf("parseRange(%q) = %+v", v, *r)
		}
	})
}

// FuzzListQuery: any query string either parses into bounds that are valid
// UTF-8 with a sane page size, or is refused with an S3 error; so are
// continuation tokens.
func FuzzListQuery(f *testing.F) {
	for _, s := range []string{"prefix=a/&delimiter=/&max-keys=10", "max-keys=-1", "max-keys=abc", "encoding-type=url", "encoding-type=xml", "marker=%ff", "prefix=%00", "start-after=x&list-type=2"} {
		f.Add(s, "YQ")
	}
	f.Fuzz(func(t *testing.T, raw, token string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http would not hand such a query to a handler
		}
		lq, err := parseListQuery(q)
		if err != nil {
			isS3Error(t, err)
		} else {
			if lq.maxKeys < 0 || lq.maxKeys > s3.MaxListKeys {
				t.Fatalf("max-keys %d from %q", lq.maxKeys, raw)
			}
			if !utf8.ValidString(lq.prefix) || !utf8.ValidString(lq.delimiter) {
				t.Fatalf("invalid UTF-8 accepted from %q", raw)
			}
			_ = lq.encoder()(lq.prefix)
		}
		after, err := decodeToken(token)
		if err != nil {
			isS3Error(t, err)
		} else if !listText(after) || encodeToken(after) != token && decodeMust(t, encodeToken(after)) != after {
			t.Fatalf("token %q decoded to %q", token, after)
		}
	})
}

func decodeMust(t *testing.T, tok string) string {
	t.Helper()
	s, err := decodeToken(tok)
	if err != nil {
		t.Fatalf("re-encoded token %q: %v", tok, err)
	}
	return s
}

// FuzzCopyHeaders: x-amz-copy-source, x-amz-copy-source-range and
// x-amz-tagging either parse into usable values or are S3 errors.
func FuzzCopyHeaders(f *testing.F) {
	for _, s := range []string{"b/k", "/b/k", "b/a%20b", "b/k?versionId=null", "b/k?versionId=x", "b", "%zz", "b/k?x=y"} {
		f.Add(s, "bytes=0-9", "a=1&b=2")
	}
	f.Fuzz(func(t *testing.T, src, rng, tagging string) {
		b, k, err := copySource(src)
		if err != nil {
			isS3Error(t, err)
		} else if b == "" || k == "" {
			t.Fatalf("copySource(%q) = %q, %q", src, b, k)
		}
		r, err := copySourceRange(rng)
		if err != nil {
			isS3Error(t, err)
		} else if r != nil && (r.First < 0 || r.Last < r.First) {
			t.Fatalf("copySourceRange(%q) = %+v", rng, *r)
		}
		tags, err := tagsHeader(tagging)
		if err != nil {
			isS3Error(t, err)
			return
		}
		if _, err := s3.ValidateTags(tags); err != nil {
			isS3Error(t, err)
		}
	})
}

// FuzzLifecycleXML: a lifecycle document either maps onto rules Cairn
// honours or is refused with an S3 error.
func FuzzLifecycleXML(f *testing.F) {
	f.Add(`<LifecycleConfiguration><Rule><ID>a</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>`)
	f.Add(`<LifecycleConfiguration><Rule><Prefix></Prefix><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`)
	f.Add(`<LifecycleConfiguration><Rule><Filter><Tag><Key>a</Key><Value>b</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>-1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>`)
	f.Fuzz(func(t *testing.T, doc string) {
		var cfg lifecycleConfiguration
		if err := xml.Unmarshal([]byte(doc), &cfg); err != nil {
			return // answered MalformedXML by decodeXML
		}
		lc, err := cfg.toLifecycle()
		if err != nil {
			isS3Error(t, err)
			return
		}
		for _, r := range lc.Rules {
			if r.AbortAfterDays <= 0 {
				t.Fatalf("rule without a positive abort action accepted: %+v", r)
			}
		}
	})
}
