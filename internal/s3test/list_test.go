package s3test_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// listResult is the ListBucketResult body of both versions.
type listResult struct {
	Name                  string  `xml:"Name"`
	Prefix                string  `xml:"Prefix"`
	Marker                *string `xml:"Marker"`
	NextMarker            string  `xml:"NextMarker"`
	ContinuationToken     string  `xml:"ContinuationToken"`
	NextContinuationToken string  `xml:"NextContinuationToken"`
	StartAfter            string  `xml:"StartAfter"`
	KeyCount              *int    `xml:"KeyCount"`
	MaxKeys               int     `xml:"MaxKeys"`
	Delimiter             string  `xml:"Delimiter"`
	EncodingType          string  `xml:"EncodingType"`
	IsTruncated           bool    `xml:"IsTruncated"`
	Contents              []struct {
		Key   string `xml:"Key"`
		ETag  string `xml:"ETag"`
		Size  int64  `xml:"Size"`
		Owner *struct {
			ID string `xml:"ID"`
		} `xml:"Owner"`
		StorageClass string `xml:"StorageClass"`
	} `xml:"Contents"`
	CommonPrefixes []struct {
		Prefix string `xml:"Prefix"`
	} `xml:"CommonPrefixes"`
}

func (l listResult) keys() []string {
	var out []string
	for _, c := range l.Contents {
		out = append(out, c.Key)
	}
	return out
}

func (l listResult) prefixes() []string {
	var out []string
	for _, p := range l.CommonPrefixes {
		out = append(out, p.Prefix)
	}
	return out
}

// rawList sends a ListObjects request with the given query parameters.
func (f *fixture) rawList(t *testing.T, bucket string, q url.Values) listResult {
	t.Helper()
	resp := f.raw.do(t, rawRequest{method: http.MethodGet, path: "/" + bucket, query: q.Encode()})
	resp.wantStatus(t, http.StatusOK)
	var l listResult
	resp.xmlBody(t, &l)
	return l
}

// putKeys stores small objects at every key, a few at a time.
func (f *fixture) putKeys(t *testing.T, bucket string, keys []string) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for _, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			resp := f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(bucket, k), body: []byte("v")})
			if resp.status != http.StatusOK {
				t.Errorf("PUT %q: %d %s", k, resp.status, resp.body)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

func TestListObjects(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	// Byte order differs from UTF-16 order for the last two: U+FF61 is EF BD A1,
	// U+1F600 is F0 9F 98 80 (UTF-16 would put the surrogate pair first).
	keys := []string{"a", "a/b", "a/c/d", "a/c/e", "b", "b/", "c d", "c+d", "c%d", "Z", "é", "\uff61", "😀"}
	f.putKeys(t, b, keys)
	sorted := slices.Clone(keys)
	sort.Strings(sorted) // Go compares strings bytewise: UTF-8 byte order

	t.Run("Order", func(t *testing.T) {
		t.Parallel()
		out, err := f.aws.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		mustOK(t, err, "ListObjectsV2")
		var got []string
		for _, o := range out.Contents {
			got = append(got, aws.ToString(o.Key))
			if aws.ToInt64(o.Size) != 1 || aws.ToString(o.ETag) == "" || o.StorageClass != types.ObjectStorageClassStandard || o.LastModified == nil {
				t.Errorf("entry %+v", o)
			}
		}
		if !slices.Equal(got, sorted) {
			t.Errorf("v2 order %q, want %q", got, sorted)
		}
		v1, err := f.aws.ListObjects(bg, &s3.ListObjectsInput{Bucket: aws.String(b)})
		mustOK(t, err, "ListObjects")
		got = got[:0]
		for _, o := range v1.Contents {
			got = append(got, aws.ToString(o.Key))
		}
		if !slices.Equal(got, sorted) {
			t.Errorf("v1 order %q", got)
		}
		got = got[:0]
		for o := range f.minio.ListObjects(bg, b, minio.ListObjectsOptions{Recursive: true}) {
			mustOK(t, o.Err, "minio ListObjects")
			got = append(got, o.Key)
		}
		if !slices.Equal(got, sorted) {
			t.Errorf("minio order %q", got)
		}
	})

	t.Run("Delimiter", func(t *testing.T) {
		t.Parallel()
		cases := []struct {
			prefix, delim string
			keys, cps     []string
		}{
			{"", "/", []string{"Z", "a", "b", "c d", "c%d", "c+d", "é", "\uff61", "😀"}, []string{"a/", "b/"}},
			{"a/", "/", []string{"a/b"}, []string{"a/c/"}},
			{"a", "/", []string{"a"}, []string{"a/"}},
			{"a/c/", "/", []string{"a/c/d", "a/c/e"}, nil},
			{"", "c", []string{"Z", "a", "a/b", "b", "b/", "é", "\uff61", "😀"}, []string{"a/c", "c"}},
			{"c", "d", nil, []string{"c d", "c%d", "c+d"}},
			{"b", "", []string{"b", "b/"}, nil},
			{"nothing", "/", nil, nil},
		}
		for _, c := range cases {
			v2, err := f.aws.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String(c.prefix), Delimiter: aws.String(c.delim)})
			mustOK(t, err, "ListObjectsV2")
			var gotKeys, gotCPs []string
			for _, o := range v2.Contents {
				gotKeys = append(gotKeys, aws.ToString(o.Key))
			}
			for _, p := range v2.CommonPrefixes {
				gotCPs = append(gotCPs, aws.ToString(p.Prefix))
			}
			if !slices.Equal(gotKeys, c.keys) || !slices.Equal(gotCPs, c.cps) {
				t.Errorf("prefix %q delimiter %q: keys %q prefixes %q, want %q %q", c.prefix, c.delim, gotKeys, gotCPs, c.keys, c.cps)
			}
			if aws.ToInt32(v2.KeyCount) != int32(len(c.keys)+len(c.cps)) {
				t.Errorf("prefix %q delimiter %q: KeyCount %d", c.prefix, c.delim, aws.ToInt32(v2.KeyCount))
			}
			v1 := f.rawList(t, b, url.Values{"prefix": {c.prefix}, "delimiter": {c.delim}})
			if !slices.Equal(v1.keys(), c.keys) || !slices.Equal(v1.prefixes(), c.cps) || v1.Prefix != c.prefix || v1.Delimiter != c.delim {
				t.Errorf("v1 prefix %q delimiter %q: %+v", c.prefix, c.delim, v1)
			}
		}
		// minio-go's non-recursive listing is delimiter "/".
		var got []string
		for o := range f.minio.ListObjects(bg, b, minio.ListObjectsOptions{Prefix: "a/"}) {
			mustOK(t, o.Err, "minio ListObjects")
			got = append(got, o.Key)
		}
		if !slices.Equal(got, []string{"a/b", "a/c/"}) {
			t.Errorf("minio non-recursive %q", got)
		}
	})

	t.Run("PaginationV2", func(t *testing.T) {
		t.Parallel()
		var got []string
		in := &s3.ListObjectsV2Input{Bucket: aws.String(b), MaxKeys: aws.Int32(2), Delimiter: aws.String("/")}
		pages := 0
		p := s3.NewListObjectsV2Paginator(f.aws, in)
		for p.HasMorePages() {
			out, err := p.NextPage(bg)
			mustOK(t, err, "ListObjectsV2 page")
			pages++
			n := len(out.Contents) + len(out.CommonPrefixes)
			if n > 2 || (aws.ToBool(out.IsTruncated) && n != 2) || aws.ToInt32(out.MaxKeys) != 2 {
				t.Errorf("page %d: %d entries, truncated %v, MaxKeys %d", pages, n, aws.ToBool(out.IsTruncated), aws.ToInt32(out.MaxKeys))
			}
			var page []string
			for _, o := range out.Contents {
				page = append(page, aws.ToString(o.Key))
			}
			for _, c := range out.CommonPrefixes {
				page = append(page, aws.ToString(c.Prefix))
			}
			slices.Sort(page) // keys and prefixes interleave in key order
			got = append(got, page...)
		}
		want := []string{"Z", "a", "a/", "b", "b/", "c d", "c%d", "c+d", "é", "\uff61", "😀"}
		if !slices.Equal(got, want) || pages != 6 {
			t.Errorf("paginated %q in %d pages, want %q in 6", got, pages, want)
		}
		// Tokens and start-after are echoed.
		first := f.rawList(t, b, url.Values{"list-type": {"2"}, "max-keys": {"3"}, "start-after": {"a/b"}})
		if first.StartAfter != "a/b" || !first.IsTruncated || first.NextContinuationToken == "" || *first.KeyCount != 3 || first.MaxKeys != 3 {
			t.Fatalf("first page %+v", first)
		}
		if !slices.Equal(first.keys(), []string{"a/c/d", "a/c/e", "b"}) {
			t.Errorf("start-after page %q", first.keys())
		}
		second := f.rawList(t, b, url.Values{"list-type": {"2"}, "max-keys": {"3"}, "start-after": {"a/b"}, "continuation-token": {first.NextContinuationToken}})
		if second.ContinuationToken != first.NextContinuationToken || !slices.Equal(second.keys(), []string{"b/", "c d", "c%d"}) {
			t.Errorf("second page %+v", second)
		}
	})

	t.Run("PaginationV1", func(t *testing.T) {
		t.Parallel()
		// With a delimiter S3 returns NextMarker, which may be a common prefix.
		l := f.rawList(t, b, url.Values{"delimiter": {"/"}, "max-keys": {"3"}})
		if !l.IsTruncated || l.NextMarker != "a/" || !slices.Equal(l.keys(), []string{"Z", "a"}) || !slices.Equal(l.prefixes(), []string{"a/"}) {
			t.Fatalf("first v1 page %+v", l)
		}
		l = f.rawList(t, b, url.Values{"delimiter": {"/"}, "max-keys": {"3"}, "marker": {l.NextMarker}})
		if l.Marker == nil || *l.Marker != "a/" || !slices.Equal(l.keys(), []string{"b", "c d"}) || !slices.Equal(l.prefixes(), []string{"b/"}) || l.NextMarker != "c d" {
			t.Errorf("second v1 page %+v", l)
		}
		// Without one, clients continue from the last key.
		l = f.rawList(t, b, url.Values{"max-keys": {"4"}})
		if !l.IsTruncated || l.NextMarker != "" || len(l.Contents) != 4 {
			t.Fatalf("v1 without delimiter %+v", l)
		}
		var got []string
		p := s3.NewListObjectsV2Paginator(f.aws, &s3.ListObjectsV2Input{Bucket: aws.String(b), MaxKeys: aws.Int32(4)})
		for p.HasMorePages() {
			out, err := p.NextPage(bg)
			mustOK(t, err, "page")
			for _, o := range out.Contents {
				got = append(got, aws.ToString(o.Key))
			}
		}
		marker := ""
		var v1 []string
		for {
			out, err := f.aws.ListObjects(bg, &s3.ListObjectsInput{Bucket: aws.String(b), MaxKeys: aws.Int32(4), Marker: aws.String(marker)})
			mustOK(t, err, "ListObjects")
			for _, o := range out.Contents {
				v1 = append(v1, aws.ToString(o.Key))
				marker = aws.ToString(o.Key)
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
		}
		if !slices.Equal(got, sorted) || !slices.Equal(v1, sorted) {
			t.Errorf("v2 %q v1 %q, want %q", got, v1, sorted)
		}
	})

	t.Run("FetchOwner", func(t *testing.T) {
		t.Parallel()
		with := f.rawList(t, b, url.Values{"list-type": {"2"}, "fetch-owner": {"true"}, "max-keys": {"1"}})
		without := f.rawList(t, b, url.Values{"list-type": {"2"}, "max-keys": {"1"}})
		v1 := f.rawList(t, b, url.Values{"max-keys": {"1"}})
		if with.Contents[0].Owner == nil || with.Contents[0].Owner.ID == "" {
			t.Errorf("fetch-owner=true: no owner")
		}
		if without.Contents[0].Owner != nil {
			t.Errorf("v2 without fetch-owner has an owner")
		}
		if v1.Contents[0].Owner == nil || v1.Contents[0].Owner.ID != with.Contents[0].Owner.ID {
			t.Errorf("v1 owner %+v", v1.Contents[0].Owner)
		}
		out, err := f.aws.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(b), FetchOwner: aws.Bool(true), MaxKeys: aws.Int32(1)})
		mustOK(t, err, "ListObjectsV2")
		if out.Contents[0].Owner == nil || aws.ToString(out.Contents[0].Owner.ID) == "" {
			t.Errorf("SDK FetchOwner: %+v", out.Contents[0].Owner)
		}
	})

	t.Run("MaxKeysZero", func(t *testing.T) {
		t.Parallel()
		l := f.rawList(t, b, url.Values{"list-type": {"2"}, "max-keys": {"0"}})
		if len(l.Contents) != 0 || len(l.CommonPrefixes) != 0 || l.MaxKeys != 0 {
			t.Errorf("max-keys=0: %+v", l)
		}
	})

	t.Run("BadParameters", func(t *testing.T) {
		t.Parallel()
		for _, q := range []url.Values{
			{"max-keys": {"abc"}},
			{"max-keys": {"-1"}},
			{"max-keys": {"99999999999999999999"}},
			{"list-type": {"2"}, "max-keys": {"1.5"}},
			{"encoding-type": {"xml"}},
			{"list-type": {"3"}},
			{"list-type": {"2"}, "continuation-token": {"!!not-a-token!!"}},
			{"list-type": {"2"}, "continuation-token": {"_w"}}, // base64url of 0xff: not UTF-8
			{"prefix": {"\xff"}},
		} {
			d := f.raw.do(t, rawRequest{method: http.MethodGet, path: "/" + b, query: q.Encode()}).wantError(t, "InvalidArgument", http.StatusBadRequest)
			if d.ArgumentName == "" && q.Get("prefix") == "" {
				t.Errorf("%v: no ArgumentName", q)
			}
		}
		_, err := f.aws.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(b), ContinuationToken: aws.String("%%%")})
		wantAWSError(t, err, "InvalidArgument", http.StatusBadRequest)
	})
}

// TestListEncodingURL lists keys that XML cannot carry verbatim with
// encoding-type=url and checks that every client gets them back exactly.
func TestListEncodingURL(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	keys := []string{"sp ace/x", "plus+sign", "per%cent", "ünï/cödé", "ctl\x01\x02\x1f", "tab\there", "del\x7f", "amp&lt<gt>", "quote\"'", "semi;colon=eq?q#h"}
	f.putKeys(t, b, keys)
	sorted := slices.Clone(keys)
	sort.Strings(sorted)

	// The wire form: query escaping with "/" kept, so space is "+" and "+" is %2B.
	l := f.rawList(t, b, url.Values{"list-type": {"2"}, "encoding-type": {"url"}})
	if l.EncodingType != "url" {
		t.Errorf("EncodingType %q", l.EncodingType)
	}
	var decoded []string
	for _, k := range l.keys() {
		d, err := url.QueryUnescape(k)
		mustOK(t, err, "unescape "+k)
		decoded = append(decoded, d)
	}
	if !slices.Equal(decoded, sorted) {
		t.Errorf("decoded keys %q, want %q", decoded, sorted)
	}
	wire := map[string]string{"sp ace/x": "sp+ace/x", "plus+sign": "plus%2Bsign", "per%cent": "per%25cent", "ctl\x01\x02\x1f": "ctl%01%02%1F"}
	for _, k := range l.keys() {
		d, _ := url.QueryUnescape(k)
		if w, ok := wire[d]; ok && k != w {
			t.Errorf("key %q sent as %q, want %q", d, k, w)
		}
	}
	// Prefix, delimiter and common prefixes are encoded too.
	l = f.rawList(t, b, url.Values{"encoding-type": {"url"}, "prefix": {"sp "}, "delimiter": {"/"}, "marker": {"sp !"}})
	if l.Prefix != "sp+" || l.Delimiter != "/" || l.Marker == nil || *l.Marker != "sp+%21" || !slices.Equal(l.prefixes(), []string{"sp+ace/"}) {
		t.Errorf("encoded v1 echo %+v", l)
	}

	// minio-go always asks for url encoding and decodes.
	var got []string
	for o := range f.minio.ListObjects(bg, b, minio.ListObjectsOptions{Recursive: true}) {
		mustOK(t, o.Err, "minio ListObjects")
		got = append(got, o.Key)
	}
	if !slices.Equal(got, sorted) {
		t.Errorf("minio keys %q, want %q", got, sorted)
	}
	got = got[:0]
	for o := range f.minio.ListObjects(bg, b, minio.ListObjectsOptions{Recursive: true, UseV1: true}) {
		mustOK(t, o.Err, "minio ListObjects v1")
		got = append(got, o.Key)
	}
	if !slices.Equal(got, sorted) {
		t.Errorf("minio v1 keys %q, want %q", got, sorted)
	}

	// The AWS SDK returns the encoded form; decoding it gives the keys.
	out, err := f.aws.ListObjectsV2(bg, &s3.ListObjectsV2Input{Bucket: aws.String(b), EncodingType: types.EncodingTypeUrl})
	mustOK(t, err, "ListObjectsV2")
	got = got[:0]
	for _, o := range out.Contents {
		d, err := url.QueryUnescape(aws.ToString(o.Key))
		mustOK(t, err, "unescape")
		got = append(got, d)
	}
	if !slices.Equal(got, sorted) {
		t.Errorf("AWS SDK keys %q, want %q", got, sorted)
	}

	// Every key reads back by the name the listing gave.
	for _, k := range sorted {
		if string(f.get(t, b, k)) != "v" {
			t.Errorf("GET %q", k)
		}
	}
}

// TestListMaxKeysCap lists more than 1,000 keys: pages stop at 1,000
// whatever max-keys asks for, and every client paginates to the end.
func TestListMaxKeysCap(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	keys := make([]string, 1003)
	for i := range keys {
		keys[i] = fmt.Sprintf("k/%04d", i)
	}
	f.putKeys(t, b, keys)
	for _, q := range []url.Values{{}, {"max-keys": {"5000"}}, {"list-type": {"2"}}, {"list-type": {"2"}, "max-keys": {"1001"}}} {
		l := f.rawList(t, b, q)
		if len(l.Contents) != 1000 || !l.IsTruncated || l.MaxKeys != 1000 {
			t.Errorf("%v: %d keys, truncated %v, MaxKeys %d", q, len(l.Contents), l.IsTruncated, l.MaxKeys)
		}
	}
	n := 0
	p := s3.NewListObjectsV2Paginator(f.aws, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		mustOK(t, err, "page")
		for _, o := range out.Contents {
			if aws.ToString(o.Key) != keys[n] {
				t.Fatalf("key %d: %q", n, aws.ToString(o.Key))
			}
			n++
		}
	}
	m := 0
	for o := range f.minio.ListObjects(bg, b, minio.ListObjectsOptions{Recursive: true}) {
		mustOK(t, o.Err, "minio ListObjects")
		m++
	}
	if n != len(keys) || m != len(keys) {
		t.Errorf("listed %d (AWS) and %d (minio) of %d", n, m, len(keys))
	}
	// A folder of 1,003 keys is one common prefix.
	l := f.rawList(t, b, url.Values{"delimiter": {"/"}})
	if len(l.Contents) != 0 || !slices.Equal(l.prefixes(), []string{"k/"}) || l.IsTruncated {
		t.Errorf("delimited: %+v", l.prefixes())
	}
}
