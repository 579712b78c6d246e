package s3test_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

type copyPartResult struct {
	XMLName        xml.Name `xml:"CopyPartResult"`
	ETag           string   `xml:"ETag"`
	LastModified   string   `xml:"LastModified"`
	ChecksumCRC32C string   `xml:"ChecksumCRC32C"`
	ChecksumCRC64  string   `xml:"ChecksumCRC64NVME"`
}

// copyPart sends UploadPartCopy with extra headers ("x-amz-copy-source-*").
func (f *fixture) copyPart(t testing.TB, bucket, key, uploadID string, n int, source string, kv ...string) rawResponse {
	t.Helper()
	h := hdr(kv...)
	h.Set("X-Amz-Copy-Source", source)
	return f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(bucket, key), query: partQuery(uploadID, n), header: h})
}

func (f *fixture) mustCopyPart(t testing.TB, bucket, key, uploadID string, n int, source string, kv ...string) copyPartResult {
	t.Helper()
	resp := f.copyPart(t, bucket, key, uploadID, n, source, kv...)
	resp.wantStatus(t, http.StatusOK)
	var r copyPartResult
	resp.xmlBody(t, &r)
	if !strings.HasSuffix(r.LastModified, "Z") {
		t.Errorf("CopyPartResult LastModified %q", r.LastModified)
	}
	return r
}

// TestUploadPartCopy makes parts out of whole objects and byte ranges of
// single-part, multipart and inline sources: only the inline source costs a
// new blob, the object reads back right, and it outlives its sources.
func TestUploadPartCopy(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, minPartSize(1), quietGC())
	b := f.bucket(t)
	blobData := payload(300 << 10)
	f.put(t, b, "src/blob", blobData)
	inline := payload(10 << 10)
	f.put(t, b, "src/inline", inline)
	mpParts := sizedParts(100<<10, 50<<10)
	id, etags := f.uploadParts(t, b, "src/multi part", mpParts, nil)
	f.mustComplete(t, b, "src/multi part", id, numbered(etags), nil)
	mpData := concat(mpParts...)

	dst, _ := f.createUpload(t, b, "dst", nil)
	before := countBlobFiles(t, f.srv.DataDir)
	pieces := [][]byte{blobData, blobData[1000:101000], mpData[90000:120000], inline, inline[10:20]}
	results := []copyPartResult{
		f.mustCopyPart(t, b, "dst", dst, 1, copySource(b, "src/blob")),
		f.mustCopyPart(t, b, "dst", dst, 2, copySource(b, "src/blob"), "X-Amz-Copy-Source-Range", "bytes=1000-100999"),
		f.mustCopyPart(t, b, "dst", dst, 3, "/"+copySource(b, "src/multi part"), "X-Amz-Copy-Source-Range", "bytes=90000-119999"),
		f.mustCopyPart(t, b, "dst", dst, 4, copySource(b, "src/inline")),
		f.mustCopyPart(t, b, "dst", dst, 5, copySource(b, "src/inline"), "X-Amz-Copy-Source-Range", "bytes=10-19"),
	}
	for i, r := range results {
		if r.ETag != `"`+md5Hex(pieces[i])+`"` || r.ChecksumCRC64 != checksumOf("CRC64NVME", pieces[i]) {
			t.Errorf("part %d: %+v, want ETag %s", i+1, r, md5Hex(pieces[i]))
		}
	}
	if after := countBlobFiles(t, f.srv.DataDir); after != before+2 {
		t.Errorf("part copies wrote %d blob files, want 2 (the inline source's)", after-before)
	}
	lp, _ := f.listParts(t, b, "dst", dst, "")
	if len(lp.Parts) != len(pieces) || lp.Parts[2].Size != 30000 {
		t.Fatalf("ListParts after copies: %+v", lp.Parts)
	}
	var list []partXML
	for i, r := range results {
		list = append(list, partXML{PartNumber: i + 1, ETag: r.ETag})
	}
	res := f.mustComplete(t, b, "dst", dst, list, nil)
	if res.ETag != multipartETag(pieces...) || res.ChecksumCRC64NVME != checksumOf("CRC64NVME", concat(pieces...)) {
		t.Errorf("result %+v", res)
	}

	// The sources go; the copy stays whole.
	for _, k := range []string{"src/blob", "src/multi part", "src/inline"} {
		_, err := f.aws.DeleteObject(bg, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(k)})
		mustOK(t, err, "DeleteObject "+k)
	}
	f.collect(t)
	if got := f.get(t, b, "dst"); !bytes.Equal(got, concat(pieces...)) {
		t.Fatal("the assembled copy reads back wrong after its sources were collected")
	}
}

// TestUploadPartCopyChecksumsAndErrors checks part copies into a checksum
// upload, the copy-source conditionals and the refused ranges and sources.
func TestUploadPartCopyChecksumsAndErrors(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, minPartSize(1))
	b := f.bucket(t)
	data := payload(200 << 10)
	put := f.put(t, b, "src", data)
	etag := aws.ToString(put.ETag)

	// Into a CRC32C upload the part's checksum is the range's.
	id, _ := f.createUpload(t, b, "crc", hdr("X-Amz-Checksum-Algorithm", "CRC32C"))
	r1 := f.mustCopyPart(t, b, "crc", id, 1, copySource(b, "src"), "X-Amz-Copy-Source-Range", "bytes=0-65535")
	r2 := f.mustCopyPart(t, b, "crc", id, 2, copySource(b, "src"), "X-Amz-Copy-Source-Range", "bytes=65536-204799")
	if r1.ChecksumCRC32C != checksumOf("CRC32C", data[:65536]) || r2.ChecksumCRC32C != checksumOf("CRC32C", data[65536:]) {
		t.Errorf("part checksums %q %q", r1.ChecksumCRC32C, r2.ChecksumCRC32C)
	}
	res := f.mustComplete(t, b, "crc", id, []partXML{
		partXML{PartNumber: 1, ETag: r1.ETag}.withChecksum("CRC32C", r1.ChecksumCRC32C),
		partXML{PartNumber: 2, ETag: r2.ETag}.withChecksum("CRC32C", r2.ChecksumCRC32C),
	}, nil)
	if res.ChecksumCRC32C != compositeChecksum("CRC32C", data[:65536], data[65536:]) {
		t.Errorf("composite of copied parts %q", res.ChecksumCRC32C)
	}

	id, _ = f.createUpload(t, b, "dst", nil)
	src := copySource(b, "src")
	lm := time.Now().UTC()
	past, future := lm.Add(-time.Hour).Format(http.TimeFormat), lm.Add(time.Hour).Format(http.TimeFormat)
	for _, c := range []struct {
		name string
		kv   []string
		ok   bool
	}{
		{"IfMatch", []string{"X-Amz-Copy-Source-If-Match", etag}, true},
		{"IfMatchFalse", []string{"X-Amz-Copy-Source-If-Match", `"0123"`}, false},
		{"IfNoneMatchFalse", []string{"X-Amz-Copy-Source-If-None-Match", etag}, false},
		{"IfModifiedSinceFalse", []string{"X-Amz-Copy-Source-If-Modified-Since", future}, false},
		{"IfUnmodifiedSinceFalse", []string{"X-Amz-Copy-Source-If-Unmodified-Since", past}, false},
		{"MatchTrueUnmodifiedFalse", []string{"X-Amz-Copy-Source-If-Match", etag, "X-Amz-Copy-Source-If-Unmodified-Since", past}, true},
		{"NoneMatchFalseModifiedTrue", []string{"X-Amz-Copy-Source-If-None-Match", etag, "X-Amz-Copy-Source-If-Modified-Since", past}, false},
	} {
		resp := f.copyPart(t, b, "dst", id, 1, src, c.kv...)
		if c.ok {
			resp.wantStatus(t, http.StatusOK)
		} else {
			resp.wantError(t, "PreconditionFailed", http.StatusPreconditionFailed)
		}
		if t.Failed() {
			t.Fatalf("case %s", c.name)
		}
	}
	for _, rng := range []string{"bytes=0-", "bytes=10-5", "bytes=-5", "items=0-1", "bytes=a-b", "bytes=0-204800", "bytes=204800-204801"} {
		d := f.copyPart(t, b, "dst", id, 1, src, "X-Amz-Copy-Source-Range", rng).wantError(t, "InvalidArgument", http.StatusBadRequest)
		if rng == "bytes=0-204800" && d.Message != "Range specified is not valid for source object of size: 204800" {
			t.Errorf("out-of-range message %q", d.Message)
		}
	}
	f.copyPart(t, b, "dst", id, 1, copySource(b, "absent")).wantError(t, "NoSuchKey", http.StatusNotFound)
	f.copyPart(t, b, "dst", id, 1, copySource("no-such-bucket-"+randomHex(3), "src")).wantError(t, "NoSuchBucket", http.StatusNotFound)
	f.copyPart(t, b, "dst", id, 0, src).wantError(t, "InvalidArgument", http.StatusBadRequest)
	f.copyPart(t, b, "dst", "AAAAAAAA", 1, src).wantError(t, "NoSuchUpload", http.StatusNotFound)

	// The SDK's UploadPartCopy.
	out, err := f.aws.UploadPartCopy(bg, &s3.UploadPartCopyInput{
		Bucket: aws.String(b), Key: aws.String("dst"), UploadId: aws.String(id), PartNumber: aws.Int32(2),
		CopySource: aws.String(src), CopySourceRange: aws.String("bytes=0-99"),
	})
	mustOK(t, err, "SDK UploadPartCopy")
	if aws.ToString(out.CopyPartResult.ETag) != `"`+md5Hex(data[:100])+`"` {
		t.Errorf("SDK copy ETag %s", aws.ToString(out.CopyPartResult.ETag))
	}
}

// TestMinioComposeMultipart composes and copies a multipart object with
// minio-go, which uses UploadPartCopy and CopyObject.
func TestMinioComposeMultipart(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, quietGC())
	b := f.bucket(t)
	parts := sizedParts(5<<20, 5<<20, 1<<20)
	id, etags := f.uploadParts(t, b, "mp", parts, nil)
	f.mustComplete(t, b, "mp", id, numbered(etags), nil)
	data := concat(parts...)
	before := countBlobFiles(t, f.srv.DataDir)

	_, err := f.minio.ComposeObject(bg, minio.CopyDestOptions{Bucket: b, Object: "composed"},
		minio.CopySrcOptions{Bucket: b, Object: "mp"},
		minio.CopySrcOptions{Bucket: b, Object: "mp", MatchRange: true, Start: 1 << 20, End: 7<<20 - 1},
	)
	mustOK(t, err, "minio ComposeObject")
	copied, err := f.minio.CopyObject(bg, minio.CopyDestOptions{Bucket: b, Object: "copied"}, minio.CopySrcOptions{Bucket: b, Object: "mp"})
	mustOK(t, err, "minio CopyObject")
	if after := countBlobFiles(t, f.srv.DataDir); after != before {
		t.Errorf("compose and copy wrote %d blob files", after-before)
	}
	if got := f.get(t, b, "composed"); !bytes.Equal(got, concat(data, data[1<<20:7<<20])) {
		t.Error("composed object differs")
	}
	if got := f.get(t, b, "copied"); !bytes.Equal(got, data) {
		t.Errorf("copied object differs: %d bytes read, want %d", len(got), len(data))
	}
	// The copy of a multipart object is whole, with an ETag its HEAD agrees on.
	st, err := f.minio.StatObject(bg, b, "copied", minio.StatObjectOptions{})
	mustOK(t, err, "StatObject")
	if st.ETag != copied.ETag {
		t.Errorf("copy ETag %s, HEAD %s", copied.ETag, st.ETag)
	}
}
