package s3test_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairn-s3/cairn/internal/s3test"
	"github.com/cairn-s3/cairn/internal/server"
)

// TestListPartsTenThousand makes 10,000 one-byte parts concurrently
// (listScale: fewer under -race), pages through them with ListParts (raw
// and the SDK's paginator), completes all of them and reads the object's
// parts back. Every tenth part is an UploadPart; the others are
// UploadPartCopy of one byte of a source object, which makes the same
// part by reference: a one-byte UploadPart costs a blob file and two
// fsyncs here, 10,000 of them some 15 seconds.
func TestListPartsTenThousand(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, minPartSize(1), s3test.WithConfig(func(c *server.Config) { c.InlineMax = -1 }))
	b := f.bucket(t)
	const n = listScale
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7 + i/256)
	}
	f.put(t, b, "source", data)
	id, _ := f.createUpload(t, b, "tenk", nil)
	raw := pooledRaw(f)
	inParallel(t, n, 16, func(t testing.TB, i int) {
		rr := rawRequest{method: http.MethodPut, path: objectPath(b, "tenk"), query: partQuery(id, i+1), body: data[i : i+1]}
		if i%10 != 0 {
			rr.body = nil
			rr.header = hdr("X-Amz-Copy-Source", copySource(b, "source"), "X-Amz-Copy-Source-Range", fmt.Sprintf("bytes=%d-%d", i, i))
		}
		raw.do(t, rr).wantStatus(t, http.StatusOK)
	})
	owner := f.rootID(t)

	// Default pages of 1,000, each resuming after the previous one.
	marker, pages := 0, 0
	for {
		q := ""
		if marker > 0 {
			q = "part-number-marker=" + strconv.Itoa(marker)
		}
		r, _ := f.listParts(t, b, "tenk", id, q)
		pages++
		if r.PartNumberMarker != marker || r.MaxParts != 1000 || r.UploadID != id || r.Bucket != b || r.Key != "tenk" {
			t.Fatalf("page %d: marker %d max %d upload %s", pages, r.PartNumberMarker, r.MaxParts, r.UploadID)
		}
		if r.Initiator.ID != owner || r.Owner.ID != owner || r.StorageClass != "STANDARD" {
			t.Errorf("page %d: initiator %+v owner %+v class %q, want %s", pages, r.Initiator, r.Owner, r.StorageClass, owner)
		}
		if len(r.Parts) != min(1000, n-marker) {
			t.Fatalf("page %d has %d parts", pages, len(r.Parts))
		}
		for j, p := range r.Parts {
			num := marker + j + 1
			d := data[num-1 : num]
			if p.PartNumber != num || p.Size != 1 || p.ETag != `"`+md5Hex(d)+`"` || p.ChecksumCRC64NVME != checksumOf("CRC64NVME", d) || !strings.HasSuffix(p.LastModified, "Z") {
				t.Fatalf("page %d part %d: %+v", pages, num, p)
			}
		}
		last := r.Parts[len(r.Parts)-1].PartNumber
		if r.NextPartNumberMarker != last || r.IsTruncated != (last < n) {
			t.Fatalf("page %d: next %d truncated %v after part %d", pages, r.NextPartNumberMarker, r.IsTruncated, last)
		}
		if !r.IsTruncated {
			break
		}
		marker = r.NextPartNumberMarker
	}
	if pages != (n+999)/1000 {
		t.Errorf("%d pages of 1,000 for %d parts", pages, n)
	}

	// Small pages, a cap above 1,000 and bad values.
	r, _ := f.listParts(t, b, "tenk", id, "max-parts=7&part-number-marker="+strconv.Itoa(n-10))
	if len(r.Parts) != 7 || r.Parts[0].PartNumber != n-9 || r.NextPartNumberMarker != n-3 || !r.IsTruncated || r.MaxParts != 7 {
		t.Errorf("max-parts=7 after %d: %d parts, next %d, truncated %v", n-10, len(r.Parts), r.NextPartNumberMarker, r.IsTruncated)
	}
	r, _ = f.listParts(t, b, "tenk", id, "max-parts=7&part-number-marker="+strconv.Itoa(n-3))
	if len(r.Parts) != 3 || r.Parts[2].PartNumber != n || r.IsTruncated {
		t.Errorf("last page: %d parts, truncated %v", len(r.Parts), r.IsTruncated)
	}
	r, _ = f.listParts(t, b, "tenk", id, "max-parts=5000")
	if len(r.Parts) != 1000 || r.MaxParts != 1000 || !r.IsTruncated {
		t.Errorf("max-parts=5000: %d parts, MaxParts %d", len(r.Parts), r.MaxParts)
	}
	r, _ = f.listParts(t, b, "tenk", id, "part-number-marker="+strconv.Itoa(n))
	if len(r.Parts) != 0 || r.IsTruncated {
		t.Errorf("after the last part: %d parts", len(r.Parts))
	}
	for _, q := range []string{"max-parts=-1", "max-parts=abc", "part-number-marker=x", "part-number-marker=-2"} {
		f.raw.do(t, rawRequest{method: http.MethodGet, path: objectPath(b, "tenk"), query: uploadQuery(id) + "&" + q}).
			wantError(t, "InvalidArgument", http.StatusBadRequest)
	}

	// The SDK's paginator sees every part once, in order.
	count := 0
	pg := s3.NewListPartsPaginator(f.aws, &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("tenk"), UploadId: aws.String(id)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(bg)
		mustOK(t, err, "ListParts page")
		for _, p := range out.Parts {
			count++
			if aws.ToInt32(p.PartNumber) != int32(count) {
				t.Fatalf("SDK part %d numbered %d", count, aws.ToInt32(p.PartNumber))
			}
		}
	}
	if count != n {
		t.Errorf("SDK paginator saw %d parts", count)
	}

	// All 10,000 complete into one object, each part addressable.
	parts := make([]partXML, n)
	pieces := make([][]byte, n)
	for i := range parts {
		pieces[i] = data[i : i+1]
		parts[i] = partXML{PartNumber: i + 1, ETag: md5Hex(pieces[i])}
	}
	res := f.mustComplete(t, b, "tenk", id, parts, nil)
	if res.ETag != multipartETag(pieces...) || res.ChecksumCRC64NVME != checksumOf("CRC64NVME", data) || res.ChecksumType != "FULL_OBJECT" {
		t.Errorf("result %+v, want ETag %s", res, multipartETag(pieces...))
	}
	for _, num := range []int{1, n / 2, n} {
		resp := f.raw.do(t, rawRequest{method: http.MethodGet, path: objectPath(b, "tenk"), query: "partNumber=" + strconv.Itoa(num)})
		resp.wantStatus(t, http.StatusPartialContent)
		want := fmt.Sprintf("bytes %d-%d/%d", num-1, num-1, n)
		if resp.header.Get("Content-Range") != want || resp.header.Get("x-amz-mp-parts-count") != strconv.Itoa(n) || !slices.Equal(resp.body, data[num-1:num]) {
			t.Errorf("part %d: Content-Range %q parts-count %q body %x", num, resp.header.Get("Content-Range"), resp.header.Get("x-amz-mp-parts-count"), resp.body)
		}
	}
	checkAttributesParts(t, f, b, "tenk", n)
}

// listUploadsResult is ListMultipartUploadsResult.
type listUploadsResult struct {
	Bucket             string `xml:"Bucket"`
	KeyMarker          string `xml:"KeyMarker"`
	UploadIDMarker     string `xml:"UploadIdMarker"`
	NextKeyMarker      string `xml:"NextKeyMarker"`
	NextUploadIDMarker string `xml:"NextUploadIdMarker"`
	Delimiter          string `xml:"Delimiter"`
	Prefix             string `xml:"Prefix"`
	EncodingType       string `xml:"EncodingType"`
	MaxUploads         int    `xml:"MaxUploads"`
	IsTruncated        bool   `xml:"IsTruncated"`
	Uploads            []struct {
		Key       string `xml:"Key"`
		UploadID  string `xml:"UploadId"`
		Initiator struct {
			ID string `xml:"ID"`
		} `xml:"Initiator"`
		Owner struct {
			ID string `xml:"ID"`
		} `xml:"Owner"`
		StorageClass      string `xml:"StorageClass"`
		Initiated         string `xml:"Initiated"`
		ChecksumAlgorithm string `xml:"ChecksumAlgorithm"`
		ChecksumType      string `xml:"ChecksumType"`
	} `xml:"Upload"`
	CommonPrefixes []struct {
		Prefix string `xml:"Prefix"`
	} `xml:"CommonPrefixes"`
}

// uploads lists a page's uploads as "key#uploadID".
func (r listUploadsResult) uploads() []string {
	var out []string
	for _, u := range r.Uploads {
		out = append(out, u.Key+"#"+u.UploadID)
	}
	return out
}

func (f *fixture) listUploads(t testing.TB, bucket string, q url.Values) listUploadsResult {
	t.Helper()
	q.Set("uploads", "")
	resp := f.raw.do(t, rawRequest{method: http.MethodGet, path: "/" + bucket, query: strings.Replace(q.Encode(), "uploads=", "uploads", 1)})
	resp.wantStatus(t, http.StatusOK)
	var r listUploadsResult
	resp.xmlBody(t, &r)
	return r
}

// decodedUploads lists a url-encoded page as "key#uploadID", decoded.
func decodedUploads(t *testing.T, r listUploadsResult) []string {
	t.Helper()
	var out []string
	for _, u := range r.Uploads {
		k, err := url.QueryUnescape(u.Key)
		mustOK(t, err, "unescape "+u.Key)
		out = append(out, k+"#"+u.UploadID)
	}
	return out
}

func decodedPrefixes(t *testing.T, r listUploadsResult) []string {
	t.Helper()
	var out []string
	for _, p := range r.CommonPrefixes {
		d, err := url.QueryUnescape(p.Prefix)
		mustOK(t, err, "unescape "+p.Prefix)
		out = append(out, d)
	}
	return out
}

// TestListMultipartUploads checks prefix, delimiter, both markers, page
// size and URL encoding of ListMultipartUploads, raw and through both SDKs.
func TestListMultipartUploads(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	owner := f.rootID(t)
	created := map[string][]string{}
	for _, k := range []string{"z", "a/1", "a/2", "b", "a/1", "a/b/1", "sp ace+plus", "ctl\x01key"} {
		var h http.Header
		if k == "b" {
			h = hdr("X-Amz-Checksum-Algorithm", "CRC32C")
		}
		id, _ := f.createUpload(t, b, k, h)
		created[k] = append(created[k], id)
	}
	// By key in byte order, then by initiation.
	entry := func(k string, i int) string { return k + "#" + created[k][i] }
	all := []string{entry("a/1", 0), entry("a/1", 1), entry("a/2", 0), entry("a/b/1", 0), entry("b", 0), entry("ctl\x01key", 0), entry("sp ace+plus", 0), entry("z", 0)}
	list := func(kv ...string) listUploadsResult {
		q := url.Values{"encoding-type": {"url"}}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return f.listUploads(t, b, q)
	}

	r := list()
	if got := decodedUploads(t, r); !slices.Equal(got, all) || r.IsTruncated || len(r.CommonPrefixes) != 0 || r.MaxUploads != 1000 || r.EncodingType != "url" || r.Bucket != b {
		t.Errorf("all uploads %q (truncated %v), want %q", got, r.IsTruncated, all)
	}
	for _, u := range r.Uploads {
		if u.Initiator.ID != owner || u.Owner.ID != owner || u.StorageClass != "STANDARD" || !strings.HasSuffix(u.Initiated, "Z") {
			t.Errorf("upload %s: %+v", u.Key, u)
		}
		wantAlg, wantType := "", ""
		if u.Key == "b" {
			wantAlg, wantType = "CRC32C", "COMPOSITE"
		}
		if u.ChecksumAlgorithm != wantAlg || u.ChecksumType != wantType {
			t.Errorf("upload %s: checksum %q %q", u.Key, u.ChecksumAlgorithm, u.ChecksumType)
		}
	}
	cases := []struct {
		name     string
		query    []string
		uploads  []string
		prefixes []string
	}{
		{"PrefixDelimiter", []string{"prefix", "a/", "delimiter", "/"}, all[:3], []string{"a/b/"}},
		{"Delimiter", []string{"delimiter", "/"}, all[4:], []string{"a/"}},
		{"KeyMarker", []string{"key-marker", "a/1"}, all[2:], nil},
		{"KeyAndUploadIDMarker", []string{"key-marker", "a/1", "upload-id-marker", created["a/1"][0]}, all[1:], nil},
		{"UploadIDMarkerAlone", []string{"upload-id-marker", created["a/1"][0]}, all, nil},
		{"PrefixNotGreaterThanMarker", []string{"delimiter", "/", "key-marker", "a/"}, all[4:], nil},
		{"EncodedPrefix", []string{"prefix", "sp "}, all[6:7], nil},
		{"NoMatch", []string{"prefix", "nothing"}, nil, nil},
	}
	for _, c := range cases {
		r := list(c.query...)
		if got, gotP := decodedUploads(t, r), decodedPrefixes(t, r); !slices.Equal(got, c.uploads) || !slices.Equal(gotP, c.prefixes) || r.IsTruncated {
			t.Errorf("%s: uploads %q prefixes %q, want %q %q", c.name, got, gotP, c.uploads, c.prefixes)
		}
	}
	// The echoed request is encoded too.
	r = list("prefix", "sp ", "key-marker", "a b")
	if r.Prefix != "sp+" || r.KeyMarker != "a+b" {
		t.Errorf("encoded echo: Prefix %q KeyMarker %q", r.Prefix, r.KeyMarker)
	}
	if len(r.Uploads) != 1 || r.Uploads[0].Key != "sp+ace%2Bplus" {
		t.Errorf("encoded key %+v", r.Uploads)
	}

	// Pages of one and two entries resume from the markers they return.
	for _, c := range []struct {
		max, delimiter string
		want           []string
	}{
		{"2", "", all},
		{"1", "/", append([]string{"a/"}, all[4:]...)},
	} {
		var got []string
		keyMarker, idMarker := "", ""
		for page := 0; ; page++ {
			r := list("max-uploads", c.max, "delimiter", c.delimiter, "key-marker", keyMarker, "upload-id-marker", idMarker)
			got = append(got, decodedPrefixes(t, r)...)
			got = append(got, decodedUploads(t, r)...)
			if !r.IsTruncated {
				break
			}
			if page > len(c.want) {
				t.Fatalf("max-uploads=%s: no end", c.max)
			}
			keyMarker, _ = url.QueryUnescape(r.NextKeyMarker)
			idMarker = r.NextUploadIDMarker
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("max-uploads=%s delimiter %q: %q, want %q", c.max, c.delimiter, got, c.want)
		}
	}
	for _, v := range []string{"-1", "abc"} {
		f.raw.do(t, rawRequest{method: http.MethodGet, path: "/" + b, query: "uploads&max-uploads=" + v}).wantError(t, "InvalidArgument", http.StatusBadRequest)
	}

	// Finished uploads leave the listing.
	f.abort(t, b, "z", created["z"][0]).wantStatus(t, http.StatusNoContent)
	etag := f.mustUploadPart(t, b, "a/2", created["a/2"][0], 1, []byte("x"), nil)
	f.mustComplete(t, b, "a/2", created["a/2"][0], []partXML{{PartNumber: 1, ETag: etag}}, nil)
	remaining := []string{all[0], all[1], all[3], all[4], all[5], all[6]}
	if got := decodedUploads(t, list()); !slices.Equal(got, remaining) {
		t.Errorf("after an abort and a complete: %q, want %q", got, remaining)
	}

	// The SDKs agree.
	out, err := f.aws.ListMultipartUploads(bg, &s3.ListMultipartUploadsInput{Bucket: aws.String(b), Prefix: aws.String("a/"), Delimiter: aws.String("/")})
	mustOK(t, err, "ListMultipartUploads")
	if len(out.Uploads) != 2 || len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "a/b/" || aws.ToString(out.Uploads[1].UploadId) != created["a/1"][1] {
		t.Errorf("SDK: %d uploads, prefixes %+v", len(out.Uploads), out.CommonPrefixes)
	}
	var minioKeys []string
	for u := range f.minio.ListIncompleteUploads(bg, b, "a/", true) {
		mustOK(t, u.Err, "minio ListIncompleteUploads")
		minioKeys = append(minioKeys, u.Key+"#"+u.UploadID)
	}
	if want := []string{all[0], all[1], all[3]}; !slices.Equal(minioKeys, want) {
		t.Errorf("minio: %q, want %q", minioKeys, want)
	}
}

// TestListMultipartUploadsTenThousand creates 10,000 uploads concurrently
// (listScale under -race), some of one key, and pages through all of them.
func TestListMultipartUploadsTenThousand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	const dups = 10
	n := listScale - dups
	raw := pooledRaw(f)
	ids := make([]string, n)
	inParallel(t, n, 16, func(t testing.TB, i int) {
		resp := raw.do(t, rawRequest{method: http.MethodPost, path: objectPath(b, fmt.Sprintf("many/%05d", i)), query: "uploads"})
		resp.wantStatus(t, http.StatusOK)
		var r initiateResult
		resp.xmlBody(t, &r)
		ids[i] = r.UploadID
	})
	want := make([]string, 0, listScale)
	for i, id := range ids {
		want = append(want, fmt.Sprintf("many/%05d#%s", i, id))
	}
	// One key's uploads are listed in the order they were initiated.
	for range dups {
		id, _ := f.createUpload(t, b, "many/dup", nil)
		want = append(want, "many/dup#"+id)
	}
	var got []string
	keyMarker, idMarker := "", ""
	for {
		q := url.Values{}
		if keyMarker != "" {
			q.Set("key-marker", keyMarker)
			q.Set("upload-id-marker", idMarker)
		}
		r := f.listUploads(t, b, q)
		if r.KeyMarker != keyMarker || r.UploadIDMarker != idMarker {
			t.Fatalf("markers echoed %q %q, sent %q %q", r.KeyMarker, r.UploadIDMarker, keyMarker, idMarker)
		}
		got = append(got, r.uploads()...)
		if !r.IsTruncated {
			break
		}
		last := r.Uploads[len(r.Uploads)-1]
		if len(r.Uploads) != 1000 || r.NextKeyMarker != last.Key || r.NextUploadIDMarker != last.UploadID {
			t.Fatalf("truncated page of %d ends at %s#%s, next markers %q %q", len(r.Uploads), last.Key, last.UploadID, r.NextKeyMarker, r.NextUploadIDMarker)
		}
		keyMarker, idMarker = r.NextKeyMarker, r.NextUploadIDMarker
	}
	if !slices.Equal(got, want) {
		t.Errorf("listed %d uploads, want %d in key then initiation order", len(got), len(want))
	}
	count := 0
	pg := s3.NewListMultipartUploadsPaginator(f.aws, &s3.ListMultipartUploadsInput{Bucket: aws.String(b)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(bg)
		mustOK(t, err, "ListMultipartUploads page")
		count += len(out.Uploads)
	}
	if count != listScale {
		t.Errorf("SDK paginator saw %d uploads, want %d", count, listScale)
	}
}
