package s3test_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/crc64nvme"

	"github.com/cairn-s3/cairn/internal/s3test"
	"github.com/cairn-s3/cairn/internal/server"
)

// The multipart tests (multipart_*_test.go) drive CreateMultipartUpload,
// UploadPart(Copy), Complete, Abort and the listings with hand-built
// requests where exact codes, fields and headers matter, and with
// aws-sdk-go-v2 and minio-go where client behaviour matters. Every expected
// ETag and checksum is computed here, independently of the server.

// newFixtureWith starts a server with options and root's clients.
func newFixtureWith(t *testing.T, opts ...s3test.Option) *fixture {
	t.Helper()
	srv := s3test.Start(t, opts...)
	return &fixture{
		srv:   srv,
		aws:   srv.AWS(t, s3test.Root),
		minio: srv.Minio(t, s3test.Root),
		raw:   newRawClient(srv, s3test.Root),
	}
}

// minPartSize lowers the smallest part Complete accepts, so that tests can
// use small parts.
func minPartSize(n int64) s3test.Option {
	return s3test.WithConfig(func(c *server.Config) { c.MinPartSize = n })
}

type initiateResult struct {
	Bucket   string `xml:"Bucket"`
	Key      string `xml:"Key"`
	UploadID string `xml:"UploadId"`
}

// createUpload starts an upload with the given request headers.
func (f *fixture) createUpload(t testing.TB, bucket, key string, h http.Header) (string, rawResponse) {
	t.Helper()
	resp := f.raw.do(t, rawRequest{method: http.MethodPost, path: objectPath(bucket, key), query: "uploads", header: h})
	resp.wantStatus(t, http.StatusOK)
	var r initiateResult
	resp.xmlBody(t, &r)
	// A key with characters XML cannot carry comes back altered; only
	// listings with encoding-type=url can name it.
	if r.Bucket != bucket || (r.Key != key && xmlSafe(key)) || r.UploadID == "" {
		t.Fatalf("InitiateMultipartUploadResult %+v for %s/%s", r, bucket, key)
	}
	return r.UploadID, resp
}

// xmlSafe reports whether s has no control characters that XML 1.0 forbids.
func xmlSafe(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' })
}

func partQuery(uploadID string, n int) string {
	return "partNumber=" + strconv.Itoa(n) + "&uploadId=" + url.QueryEscape(uploadID)
}

func uploadQuery(uploadID string) string { return "uploadId=" + url.QueryEscape(uploadID) }

// uploadPart sends one part, whatever the answer.
func (f *fixture) uploadPart(t testing.TB, bucket, key, uploadID string, n int, data []byte, h http.Header) rawResponse {
	t.Helper()
	return f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(bucket, key), query: partQuery(uploadID, n), body: data, header: h})
}

// mustUploadPart sends one part and returns its ETag, checking it is the
// quoted MD5 of data.
func (f *fixture) mustUploadPart(t testing.TB, bucket, key, uploadID string, n int, data []byte, h http.Header) string {
	t.Helper()
	resp := f.uploadPart(t, bucket, key, uploadID, n, data, h)
	resp.wantStatus(t, http.StatusOK)
	etag := resp.header.Get("ETag")
	if etag != `"`+md5Hex(data)+`"` {
		t.Fatalf("part %d: ETag %s, want the quoted MD5 %s", n, etag, md5Hex(data))
	}
	return etag
}

// uploadParts starts an upload of key and sends parts numbered 1..N.
func (f *fixture) uploadParts(t testing.TB, bucket, key string, parts [][]byte, create http.Header) (string, []string) {
	t.Helper()
	id, _ := f.createUpload(t, bucket, key, create)
	etags := make([]string, len(parts))
	for i, p := range parts {
		etags[i] = f.mustUploadPart(t, bucket, key, id, i+1, p, nil)
	}
	return id, etags
}

// uploadChecksummed starts an upload with a checksum algorithm (and type,
// if given), sends parts 1..N each with its checksum header, and returns
// the part list with ETags and checksums for Complete.
func (f *fixture) uploadChecksummed(t testing.TB, bucket, key, alg, typ string, parts [][]byte) (string, []partXML) {
	t.Helper()
	h := hdr("X-Amz-Checksum-Algorithm", alg)
	if typ != "" {
		h.Set("X-Amz-Checksum-Type", typ)
	}
	id, _ := f.createUpload(t, bucket, key, h)
	list := make([]partXML, len(parts))
	for i, p := range parts {
		sum := checksumOf(alg, p)
		resp := f.uploadPart(t, bucket, key, id, i+1, p, hdr("X-Amz-Checksum-"+alg, sum))
		resp.wantStatus(t, http.StatusOK)
		if got := resp.header.Get("X-Amz-Checksum-" + alg); got != sum {
			t.Fatalf("part %d: x-amz-checksum-%s %q, want %q", i+1, strings.ToLower(alg), got, sum)
		}
		list[i] = partXML{PartNumber: i + 1, ETag: resp.header.Get("ETag")}.withChecksum(alg, sum)
	}
	return id, list
}

// partXML is one <Part> of a CompleteMultipartUpload body.
type partXML struct {
	PartNumber        int    `xml:"PartNumber"`
	ETag              string `xml:"ETag,omitempty"`
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
}

// withChecksum returns p carrying the part checksum of alg.
func (p partXML) withChecksum(alg, value string) partXML {
	switch alg {
	case "CRC32":
		p.ChecksumCRC32 = value
	case "CRC32C":
		p.ChecksumCRC32C = value
	case "CRC64NVME":
		p.ChecksumCRC64NVME = value
	case "SHA1":
		p.ChecksumSHA1 = value
	case "SHA256":
		p.ChecksumSHA256 = value
	default:
		panic("unknown algorithm " + alg)
	}
	return p
}

type completeXML struct {
	XMLName xml.Name  `xml:"CompleteMultipartUpload"`
	Parts   []partXML `xml:"Part"`
}

func completeBody(parts []partXML) []byte {
	b, err := xml.Marshal(completeXML{Parts: parts})
	if err != nil {
		panic(err)
	}
	return b
}

// numbered lists parts 1..N with the given ETags.
func numbered(etags []string) []partXML {
	parts := make([]partXML, len(etags))
	for i, e := range etags {
		parts[i] = partXML{PartNumber: i + 1, ETag: e}
	}
	return parts
}

// completeRaw sends CompleteMultipartUpload with a body, whatever the answer.
func (f *fixture) completeRaw(t testing.TB, bucket, key, uploadID string, body []byte, h http.Header) rawResponse {
	t.Helper()
	return f.raw.do(t, rawRequest{method: http.MethodPost, path: objectPath(bucket, key), query: uploadQuery(uploadID), body: body, header: h})
}

// complete sends CompleteMultipartUpload for parts, whatever the answer.
func (f *fixture) complete(t testing.TB, bucket, key, uploadID string, parts []partXML, h http.Header) rawResponse {
	t.Helper()
	return f.completeRaw(t, bucket, key, uploadID, completeBody(parts), h)
}

// completeResult is CompleteMultipartUploadResult.
type completeResult struct {
	XMLName           xml.Name `xml:"CompleteMultipartUploadResult"`
	Location          string   `xml:"Location"`
	Bucket            string   `xml:"Bucket"`
	Key               string   `xml:"Key"`
	ETag              string   `xml:"ETag"`
	ChecksumCRC32     string   `xml:"ChecksumCRC32"`
	ChecksumCRC32C    string   `xml:"ChecksumCRC32C"`
	ChecksumCRC64NVME string   `xml:"ChecksumCRC64NVME"`
	ChecksumSHA1      string   `xml:"ChecksumSHA1"`
	ChecksumSHA256    string   `xml:"ChecksumSHA256"`
	ChecksumType      string   `xml:"ChecksumType"`
}

// checksum is the result's value of alg.
func (r completeResult) checksum(alg string) string {
	return map[string]string{"CRC32": r.ChecksumCRC32, "CRC32C": r.ChecksumCRC32C, "CRC64NVME": r.ChecksumCRC64NVME, "SHA1": r.ChecksumSHA1, "SHA256": r.ChecksumSHA256}[alg]
}

// mustComplete completes an upload and returns the decoded result, checking
// its bucket and key.
func (f *fixture) mustComplete(t testing.TB, bucket, key, uploadID string, parts []partXML, h http.Header) completeResult {
	t.Helper()
	resp := f.complete(t, bucket, key, uploadID, parts, h)
	resp.wantStatus(t, http.StatusOK)
	var r completeResult
	resp.xmlBody(t, &r)
	if r.Bucket != bucket || r.Key != key {
		t.Errorf("result names %s/%s, want %s/%s", r.Bucket, r.Key, bucket, key)
	}
	return r
}

// mpErrorFields are the extra fields of the multipart error documents.
type mpErrorFields struct {
	UploadID            string `xml:"UploadId"`
	PartNumber          string `xml:"PartNumber"`
	ETag                string `xml:"ETag"`
	ProposedSize        string `xml:"ProposedSize"`
	MinSizeAllowed      string `xml:"MinSizeAllowed"`
	MaxSizeAllowed      string `xml:"MaxSizeAllowed"`
	PartNumberRequested string `xml:"PartNumberRequested"`
	ActualPartCount     string `xml:"ActualPartCount"`
}

// wantMPError checks an error answer and returns its multipart fields.
func (r rawResponse) wantMPError(t testing.TB, code string, status int) mpErrorFields {
	t.Helper()
	r.wantError(t, code, status)
	var e mpErrorFields
	if err := xml.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error document: %v", err)
	}
	return e
}

// multipartETag is S3's ETag of an object made of parts: the MD5 of the
// concatenated binary part MD5s, hex, "-N", quoted.
func multipartETag(parts ...[]byte) string {
	h := md5.New()
	for _, p := range parts {
		s := md5.Sum(p)
		h.Write(s[:])
	}
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(h.Sum(nil)), len(parts))
}

// checksumRaw is the binary checksum of data in alg.
func checksumRaw(alg string, data []byte) []byte {
	raw, err := base64.StdEncoding.DecodeString(checksumOf(alg, data))
	if err != nil {
		panic(err)
	}
	return raw
}

// compositeChecksum is S3's COMPOSITE object checksum: the checksum, in the
// same algorithm, of the concatenated binary part checksums, base64, "-N".
func compositeChecksum(alg string, parts ...[]byte) string {
	var cat []byte
	for _, p := range parts {
		cat = append(cat, checksumRaw(alg, p)...)
	}
	var raw []byte
	switch alg {
	case "CRC32":
		raw = binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(cat))
	case "CRC32C":
		raw = binary.BigEndian.AppendUint32(nil, crc32.Checksum(cat, crc32.MakeTable(crc32.Castagnoli)))
	case "CRC64NVME":
		raw = binary.BigEndian.AppendUint64(nil, crc64nvme.Checksum(cat))
	case "SHA1":
		s := sha1.Sum(cat)
		raw = s[:]
	case "SHA256":
		s := sha256.Sum256(cat)
		raw = s[:]
	}
	return fmt.Sprintf("%s-%d", base64.StdEncoding.EncodeToString(raw), len(parts))
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// listPartsResult is ListPartsResult.
type listPartsResult struct {
	Bucket               string `xml:"Bucket"`
	Key                  string `xml:"Key"`
	UploadID             string `xml:"UploadId"`
	PartNumberMarker     int    `xml:"PartNumberMarker"`
	NextPartNumberMarker int    `xml:"NextPartNumberMarker"`
	MaxParts             int    `xml:"MaxParts"`
	IsTruncated          bool   `xml:"IsTruncated"`
	Initiator            struct {
		ID          string `xml:"ID"`
		DisplayName string `xml:"DisplayName"`
	} `xml:"Initiator"`
	Owner struct {
		ID          string `xml:"ID"`
		DisplayName string `xml:"DisplayName"`
	} `xml:"Owner"`
	StorageClass      string `xml:"StorageClass"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm"`
	ChecksumType      string `xml:"ChecksumType"`
	Parts             []struct {
		PartNumber        int    `xml:"PartNumber"`
		LastModified      string `xml:"LastModified"`
		ETag              string `xml:"ETag"`
		Size              int64  `xml:"Size"`
		ChecksumCRC32     string `xml:"ChecksumCRC32"`
		ChecksumCRC32C    string `xml:"ChecksumCRC32C"`
		ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME"`
		ChecksumSHA1      string `xml:"ChecksumSHA1"`
		ChecksumSHA256    string `xml:"ChecksumSHA256"`
	} `xml:"Part"`
}

// listParts sends ListParts with extra query parameters ("" for none).
func (f *fixture) listParts(t testing.TB, bucket, key, uploadID, extra string) (listPartsResult, rawResponse) {
	t.Helper()
	q := uploadQuery(uploadID)
	if extra != "" {
		q += "&" + extra
	}
	resp := f.raw.do(t, rawRequest{method: http.MethodGet, path: objectPath(bucket, key), query: q})
	resp.wantStatus(t, http.StatusOK)
	var r listPartsResult
	resp.xmlBody(t, &r)
	return r, resp
}

// abort sends AbortMultipartUpload.
func (f *fixture) abort(t testing.TB, bucket, key, uploadID string) rawResponse {
	t.Helper()
	return f.raw.do(t, rawRequest{method: http.MethodDelete, path: objectPath(bucket, key), query: uploadQuery(uploadID)})
}

// collect runs the server's garbage collector to the end.
func (f *fixture) collect(t testing.TB) {
	t.Helper()
	if _, err := f.srv.Server().Service().CollectGarbage(bg); err != nil {
		t.Fatalf("CollectGarbage: %v", err)
	}
}

// sizedParts returns parts of the given sizes, each random.
func sizedParts(sizes ...int) [][]byte {
	parts := make([][]byte, len(sizes))
	for i, n := range sizes {
		parts[i] = payload(n)
	}
	return parts
}

// goroutineTB adapts a test for helpers called off its goroutine: a fatal
// failure is recorded and ends only that goroutine, whose deferred calls
// still run.
type goroutineTB struct{ testing.TB }

func (g goroutineTB) Fatalf(format string, args ...any) {
	g.TB.Errorf(format, args...)
	runtime.Goexit()
}
func (g goroutineTB) Fatal(args ...any) { g.TB.Error(args...); runtime.Goexit() }
func (g goroutineTB) FailNow()          { g.TB.Fail(); runtime.Goexit() }

// inParallel runs fn(0..n-1) on workers goroutines and waits; after a
// failure the remaining calls are skipped.
func inParallel(t testing.TB, n, workers int, fn func(t testing.TB, i int)) {
	t.Helper()
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if t.Failed() {
					continue
				}
				// Its own goroutine, so that a fatal failure of one
				// call does not take the worker with it.
				done := make(chan struct{})
				go func() { defer close(done); fn(goroutineTB{t}, i) }()
				<-done
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

// pooledRaw is a raw client that keeps enough idle connections for
// concurrent requests.
func pooledRaw(f *fixture) *rawClient {
	c := newRawClient(f.srv, f.raw.creds)
	c.http = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	return c
}

// rootID is root's canonical user ID as ListBuckets reports it.
func (f *fixture) rootID(t *testing.T) string {
	t.Helper()
	out, err := f.aws.ListBuckets(bg, &s3.ListBucketsInput{})
	mustOK(t, err, "ListBuckets")
	return aws.ToString(out.Owner.ID)
}
