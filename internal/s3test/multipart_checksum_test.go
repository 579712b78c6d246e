package s3test_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"

	"github.com/cairn-s3/cairn/internal/s3test"
)

// headChecksum reads an object's checksum of alg and its type with HEAD
// and x-amz-checksum-mode: ENABLED.
func (f *fixture) headChecksum(t *testing.T, bucket, key, alg string) (string, string) {
	t.Helper()
	resp := f.raw.do(t, rawRequest{method: http.MethodHead, path: objectPath(bucket, key), header: hdr("X-Amz-Checksum-Mode", "ENABLED")})
	resp.wantStatus(t, http.StatusOK)
	return resp.header.Get("X-Amz-Checksum-" + alg), resp.header.Get("X-Amz-Checksum-Type")
}

// TestMultipartChecksumCreate checks which algorithm and type pairs
// CreateMultipartUpload accepts and the type each algorithm defaults to.
func TestMultipartChecksumCreate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	cases := []struct {
		alg, typ string
		want     string // the type answered, "" for refused
	}{
		{"CRC32", "", "COMPOSITE"}, {"CRC32", "COMPOSITE", "COMPOSITE"}, {"CRC32", "FULL_OBJECT", "FULL_OBJECT"},
		{"CRC32C", "", "COMPOSITE"}, {"CRC32C", "COMPOSITE", "COMPOSITE"}, {"CRC32C", "FULL_OBJECT", "FULL_OBJECT"},
		{"CRC64NVME", "", "FULL_OBJECT"}, {"CRC64NVME", "FULL_OBJECT", "FULL_OBJECT"}, {"CRC64NVME", "COMPOSITE", ""},
		{"SHA1", "", "COMPOSITE"}, {"SHA1", "COMPOSITE", "COMPOSITE"}, {"SHA1", "FULL_OBJECT", ""},
		{"SHA256", "", "COMPOSITE"}, {"SHA256", "COMPOSITE", "COMPOSITE"}, {"SHA256", "FULL_OBJECT", ""},
		{"", "COMPOSITE", ""}, {"", "FULL_OBJECT", ""}, {"MD4", "", ""}, {"CRC32", "PARTIAL", ""},
	}
	for _, c := range cases {
		h := make(http.Header)
		if c.alg != "" {
			h.Set("X-Amz-Checksum-Algorithm", c.alg)
		}
		if c.typ != "" {
			h.Set("X-Amz-Checksum-Type", c.typ)
		}
		resp := f.raw.do(t, rawRequest{method: http.MethodPost, path: objectPath(b, "create"), query: "uploads", header: h})
		if c.want == "" {
			d := resp.wantError(t, "InvalidRequest", http.StatusBadRequest)
			if c.alg == "SHA1" && !strings.Contains(d.Message, "The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm") {
				t.Errorf("SHA1 FULL_OBJECT: message %q", d.Message)
			}
			if c.alg == "" && d.Message != "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header." {
				t.Errorf("type alone: message %q", d.Message)
			}
			continue
		}
		resp.wantStatus(t, http.StatusOK)
		if resp.header.Get("X-Amz-Checksum-Algorithm") != c.alg || resp.header.Get("X-Amz-Checksum-Type") != c.want {
			t.Errorf("%s %q: answered %q %q, want type %s", c.alg, c.typ, resp.header.Get("X-Amz-Checksum-Algorithm"), resp.header.Get("X-Amz-Checksum-Type"), c.want)
		}
	}
	// Without an algorithm nothing is echoed.
	_, resp := f.createUpload(t, b, "plain", nil)
	if resp.header.Get("X-Amz-Checksum-Algorithm") != "" || resp.header.Get("X-Amz-Checksum-Type") != "" {
		t.Errorf("plain upload answered checksum headers %v", resp.header)
	}
}

// TestMultipartChecksumObjects completes an upload of every algorithm and
// type and checks the object checksum against an independent computation:
// the checksum of the part checksums for COMPOSITE, the CRC of the whole
// object for FULL_OBJECT (combined by the server from the part CRCs).
func TestMultipartChecksumObjects(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, minPartSize(1024))
	b := f.bucket(t)
	for _, c := range []struct{ alg, typ string }{
		{"CRC32", "COMPOSITE"}, {"CRC32", "FULL_OBJECT"}, {"CRC32C", "COMPOSITE"}, {"CRC32C", "FULL_OBJECT"},
		{"CRC64NVME", "FULL_OBJECT"}, {"SHA1", "COMPOSITE"}, {"SHA256", "COMPOSITE"},
	} {
		key := c.alg + "/" + c.typ
		parts := sizedParts(1500, 1100, 700)
		id, list := f.uploadChecksummed(t, b, key, c.alg, c.typ, parts)
		want := checksumOf(c.alg, concat(parts...))
		if c.typ == "COMPOSITE" {
			want = compositeChecksum(c.alg, parts...)
		}
		r := f.mustComplete(t, b, key, id, list, nil)
		if r.checksum(c.alg) != want || r.ChecksumType != c.typ || r.ETag != multipartETag(parts...) {
			t.Errorf("%s: result checksum %q %q, want %q", key, r.checksum(c.alg), r.ChecksumType, want)
		}
		if v, typ := f.headChecksum(t, b, key, c.alg); v != want || typ != c.typ {
			t.Errorf("%s: HEAD checksum %q %q, want %q", key, v, typ, want)
		}
		// The SDK checks a full-object checksum against the bytes it reads.
		get, err := f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		mustOK(t, err, "GetObject "+key)
		got, err := io.ReadAll(get.Body)
		get.Body.Close()
		if err != nil || !bytes.Equal(got, concat(parts...)) || get.ChecksumType != types.ChecksumType(c.typ) {
			t.Errorf("%s: GET %d bytes (%v), type %q", key, len(got), err, get.ChecksumType)
		}
	}

	// No algorithm: every part and the object get CRC64NVME, FULL_OBJECT.
	parts := sizedParts(1500, 1100)
	id, etags := f.uploadParts(t, b, "default", parts, nil)
	lp, _ := f.listParts(t, b, "default", id, "")
	for i, p := range lp.Parts {
		if p.ChecksumCRC64NVME != checksumOf("CRC64NVME", parts[i]) {
			t.Errorf("default part %d: crc64nvme %q", i+1, p.ChecksumCRC64NVME)
		}
	}
	r := f.mustComplete(t, b, "default", id, numbered(etags), nil)
	want := checksumOf("CRC64NVME", concat(parts...))
	if r.ChecksumCRC64NVME != want || r.ChecksumType != "FULL_OBJECT" {
		t.Errorf("default object: %q %q, want %q FULL_OBJECT", r.ChecksumCRC64NVME, r.ChecksumType, want)
	}
	if v, typ := f.headChecksum(t, b, "default", "CRC64NVME"); v != want || typ != "FULL_OBJECT" {
		t.Errorf("default HEAD: %q %q", v, typ)
	}

	// The object checksum may be sent with Complete: a match commits, a
	// mismatch is BadDigest. A composite value is accepted with or without
	// its "-N".
	for _, c := range []struct {
		alg, typ, value string
		ok              bool
	}{
		{"SHA256", "COMPOSITE", "", true},
		{"SHA256", "COMPOSITE", "-N", true},
		{"SHA256", "COMPOSITE", "bad", false},
		{"CRC32C", "FULL_OBJECT", "", true},
		{"CRC32C", "FULL_OBJECT", "bad", false},
	} {
		parts := sizedParts(1024, 10)
		key := "expected/" + c.alg + c.value
		id, list := f.uploadChecksummed(t, b, key, c.alg, c.typ, parts)
		value := checksumOf(c.alg, concat(parts...))
		switch {
		case c.typ == "COMPOSITE" && c.value == "-N":
			value = compositeChecksum(c.alg, parts...)
		case c.typ == "COMPOSITE":
			value, _, _ = strings.Cut(compositeChecksum(c.alg, parts...), "-")
		}
		if c.value == "bad" {
			value = checksumOf(c.alg, []byte("something else"))
		}
		resp := f.complete(t, b, key, id, list, hdr("X-Amz-Checksum-"+c.alg, value))
		if c.ok {
			resp.wantStatus(t, http.StatusOK)
			continue
		}
		resp.wantError(t, "BadDigest", http.StatusBadRequest)
		f.mustComplete(t, b, key, id, list, nil) // the upload is still there
	}
}

// TestMultipartChecksumRules checks the InvalidRequest, InvalidPart,
// InvalidArgument, InvalidPartOrder and BadDigest cases of part checksums.
func TestMultipartChecksumRules(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, minPartSize(1024))
	b := f.bucket(t)
	p1, p2, p3 := payload(1024), payload(1024), payload(10)

	t.Run("UploadPart", func(t *testing.T) {
		t.Parallel()
		id, _ := f.createUpload(t, b, "up", hdr("X-Amz-Checksum-Algorithm", "SHA256"))
		for _, c := range []struct {
			h       http.Header
			code    string
			message string
		}{
			{nil, "InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: null"},
			{hdr("X-Amz-Checksum-Crc32", checksumOf("CRC32", p1)), "InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32"},
			{hdr("X-Amz-Checksum-Sha256", checksumOf("SHA256", p2)), "BadDigest", ""},
			{hdr("X-Amz-Checksum-Sha256", "not base64!"), "InvalidRequest", ""},
		} {
			d := f.uploadPart(t, b, "up", id, 1, p1, c.h).wantError(t, c.code, http.StatusBadRequest)
			if c.message != "" && d.Message != c.message {
				t.Errorf("message %q, want %q", d.Message, c.message)
			}
		}
		plain, _ := f.createUpload(t, b, "up-plain", nil)
		d := f.uploadPart(t, b, "up-plain", plain, 1, p1, hdr("X-Amz-Checksum-Crc32", checksumOf("CRC32", p1))).wantError(t, "InvalidRequest", http.StatusBadRequest)
		if d.Message != "Checksum Type mismatch occurred, expected checksum Type: null, actual checksum Type: crc32" {
			t.Errorf("message %q", d.Message)
		}
		// FULL_OBJECT makes the part checksum optional, on UploadPart and
		// on Complete.
		full, _ := f.createUpload(t, b, "up-full", hdr("X-Amz-Checksum-Algorithm", "CRC32", "X-Amz-Checksum-Type", "FULL_OBJECT"))
		e1 := f.mustUploadPart(t, b, "up-full", full, 1, p1, nil)
		e2 := f.mustUploadPart(t, b, "up-full", full, 2, p3, hdr("X-Amz-Checksum-Crc32", checksumOf("CRC32", p3)))
		r := f.mustComplete(t, b, "up-full", full, []partXML{{PartNumber: 1, ETag: e1}, partXML{PartNumber: 2, ETag: e2}.withChecksum("CRC32", checksumOf("CRC32", p3))}, nil)
		if r.ChecksumCRC32 != checksumOf("CRC32", concat(p1, p3)) {
			t.Errorf("FULL_OBJECT CRC32 %q", r.ChecksumCRC32)
		}
	})

	t.Run("CompleteParts", func(t *testing.T) {
		t.Parallel()
		id, list := f.uploadChecksummed(t, b, "cp", "CRC32C", "", [][]byte{p1, p2, p3})
		missing := append([]partXML(nil), list...)
		missing[0].ChecksumCRC32C = ""
		wrong := append([]partXML(nil), list...)
		wrong[1].ChecksumCRC32C = checksumOf("CRC32C", p1)
		badBase64 := append([]partXML(nil), list...)
		badBase64[1].ChecksumCRC32C = "%%%"
		two := append([]partXML(nil), list...)
		two[2].ChecksumSHA1 = checksumOf("SHA1", p3)
		other := append([]partXML(nil), list...)
		other[2] = partXML{PartNumber: 3, ETag: list[2].ETag}.withChecksum("SHA256", checksumOf("SHA256", p3))
		for _, c := range []struct {
			name    string
			list    []partXML
			code    string
			message string
		}{
			{"Missing", missing, "InvalidRequest", "The upload was created using a crc32c checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request."},
			{"Wrong", wrong, "InvalidPart", ""},
			{"BadBase64", badBase64, "InvalidArgument", "Invalid Base64 or multiple checksums present in request"},
			{"Two", two, "InvalidArgument", "Invalid Base64 or multiple checksums present in request"},
			{"OtherAlgorithm", other, "InvalidRequest", ""},
			{"Gap", []partXML{list[0], list[2]}, "InvalidPartOrder", ""},
			{"NotFromOne", list[1:], "InvalidPartOrder", ""},
		} {
			d := f.complete(t, b, "cp", id, c.list, nil).wantError(t, c.code, http.StatusBadRequest)
			if c.message != "" && d.Message != c.message {
				t.Errorf("%s: message %q, want %q", c.name, d.Message, c.message)
			}
		}
		e := f.complete(t, b, "cp", id, wrong, nil).wantMPError(t, "InvalidPart", http.StatusBadRequest)
		if e.PartNumber != "2" || e.UploadID != id {
			t.Errorf("InvalidPart fields %+v", e)
		}
		// A prefix of the parts is consecutive from 1: allowed.
		r := f.mustComplete(t, b, "cp", id, list[:2], nil)
		if r.ChecksumCRC32C != compositeChecksum("CRC32C", p1, p2) {
			t.Errorf("composite of parts 1-2: %q", r.ChecksumCRC32C)
		}
	})

	t.Run("CompleteType", func(t *testing.T) {
		t.Parallel()
		for _, c := range []struct {
			alg, typ, sent, code string
		}{
			{"CRC32", "COMPOSITE", "FULL_OBJECT", "InvalidRequest"},
			{"CRC32", "FULL_OBJECT", "COMPOSITE", "InvalidRequest"},
			{"CRC32", "COMPOSITE", "", ""}, // absent: the upload's (versity/versitygw#1105)
			{"CRC32", "FULL_OBJECT", "FULL_OBJECT", ""},
			{"", "", "COMPOSITE", "InvalidRequest"},
			{"", "", "FULL_OBJECT", ""},
		} {
			key := "type/" + c.alg + c.typ + c.sent
			var id string
			var list []partXML
			if c.alg == "" {
				var etags []string
				id, etags = f.uploadParts(t, b, key, [][]byte{p1}, nil)
				list = numbered(etags)
			} else {
				id, list = f.uploadChecksummed(t, b, key, c.alg, c.typ, [][]byte{p1})
			}
			resp := f.complete(t, b, key, id, list, hdr("X-Amz-Checksum-Type", c.sent))
			if c.code == "" {
				resp.wantStatus(t, http.StatusOK)
				continue
			}
			d := resp.wantError(t, c.code, http.StatusBadRequest)
			if c.alg != "" && !strings.Contains(d.Message, "The complete request must use the same checksum mode") {
				t.Errorf("%s: message %q", key, d.Message)
			}
		}
		// An object checksum of another algorithm is refused too.
		id, list := f.uploadChecksummed(t, b, "type/alg", "CRC32", "", [][]byte{p1})
		f.complete(t, b, "type/alg", id, list, hdr("X-Amz-Checksum-Sha256", checksumOf("SHA256", p1))).wantError(t, "InvalidRequest", http.StatusBadRequest)
	})

	t.Run("DefaultPartChecksum", func(t *testing.T) {
		t.Parallel()
		// Clients echo UploadPart's default CRC64NVME into Complete
		// (minio-go does): a matching value is accepted, others are not.
		id, etags := f.uploadParts(t, b, "default", [][]byte{p1, p3}, nil)
		list := []partXML{
			partXML{PartNumber: 1, ETag: etags[0]}.withChecksum("CRC64NVME", checksumOf("CRC64NVME", p1)),
			partXML{PartNumber: 2, ETag: etags[1]}.withChecksum("CRC64NVME", checksumOf("CRC64NVME", p3)),
		}
		bad := append([]partXML(nil), list...)
		bad[1].ChecksumCRC64NVME = checksumOf("CRC64NVME", p1)
		f.complete(t, b, "default", id, bad, nil).wantError(t, "InvalidPart", http.StatusBadRequest)
		other := []partXML{list[0], partXML{PartNumber: 2, ETag: etags[1]}.withChecksum("CRC32", checksumOf("CRC32", p3))}
		f.complete(t, b, "default", id, other, nil).wantError(t, "InvalidRequest", http.StatusBadRequest)
		r := f.mustComplete(t, b, "default", id, list, nil)
		if r.ChecksumCRC64NVME != checksumOf("CRC64NVME", concat(p1, p3)) {
			t.Errorf("default object checksum %q", r.ChecksumCRC64NVME)
		}
		// minio-go's default client does exactly that, from a stream and
		// from a ReaderAt.
		data := payload(11 << 20)
		for _, body := range []io.Reader{struct{ io.Reader }{bytes.NewReader(data)}, bytes.NewReader(data)} {
			_, err := f.minio.PutObject(bg, b, "minio-default", body, int64(len(data)), minio.PutObjectOptions{PartSize: 5 << 20})
			mustOK(t, err, "minio multipart PutObject")
			if v, typ := f.headChecksum(t, b, "minio-default", "CRC64NVME"); v != checksumOf("CRC64NVME", data) || typ != "FULL_OBJECT" {
				t.Errorf("minio default object checksum %q %q", v, typ)
			}
		}
	})
}

// TestMultipartChecksumTrailers sends part checksums as aws-chunked
// trailers, the way current SDKs do by default.
func TestMultipartChecksumTrailers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)

	// The AWS SDK over "TLS" streams parts with a trailing checksum.
	rec := &headerRecorder{}
	sdk := f.srv.AWS(t, s3test.Root, asIfTLS(f.srv, rec))
	up, err := sdk.CreateMultipartUpload(bg, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("sdk"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
	mustOK(t, err, "CreateMultipartUpload")
	parts := sizedParts(5<<20, 3000)
	var completed []types.CompletedPart
	for i, p := range parts {
		out, err := sdk.UploadPart(bg, &s3.UploadPartInput{
			Bucket: aws.String(b), Key: aws.String("sdk"), UploadId: up.UploadId, PartNumber: aws.Int32(int32(i + 1)),
			Body: bytes.NewReader(p), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c,
		})
		mustOK(t, err, "UploadPart")
		if rec.last() != "STREAMING-UNSIGNED-PAYLOAD-TRAILER" {
			t.Errorf("part %d sent as %q", i+1, rec.last())
		}
		if aws.ToString(out.ChecksumCRC32C) != checksumOf("CRC32C", p) {
			t.Errorf("part %d: crc32c %q", i+1, aws.ToString(out.ChecksumCRC32C))
		}
		completed = append(completed, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32C: out.ChecksumCRC32C})
	}
	done, err := sdk.CompleteMultipartUpload(bg, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(b), Key: aws.String("sdk"), UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: completed},
	})
	mustOK(t, err, "CompleteMultipartUpload")
	if aws.ToString(done.ChecksumCRC32C) != compositeChecksum("CRC32C", parts...) || done.ChecksumType != types.ChecksumTypeComposite {
		t.Errorf("SDK result %q %q", aws.ToString(done.ChecksumCRC32C), done.ChecksumType)
	}

	// Raw unsigned trailers: right and wrong values.
	id, _ := f.createUpload(t, b, "raw", hdr("X-Amz-Checksum-Algorithm", "CRC32", "X-Amz-Checksum-Type", "FULL_OBJECT"))
	data := payload(3000)
	trailerPart := func(n int, value string) rawResponse {
		rr := unsignedTrailerRequest(b, "raw", unsignedChunked(data, 1000, "x-amz-checksum-crc32:"+value), "3000", "x-amz-checksum-crc32")
		rr.query = partQuery(id, n)
		return f.raw.do(t, rr)
	}
	trailerPart(1, checksumOf("CRC32", []byte("not the data"))).wantError(t, "BadDigest", http.StatusBadRequest)
	ok := trailerPart(1, checksumOf("CRC32", data))
	ok.wantStatus(t, http.StatusOK)
	r := f.mustComplete(t, b, "raw", id, []partXML{{PartNumber: 1, ETag: ok.header.Get("ETag")}}, nil)
	if r.ChecksumCRC32 != checksumOf("CRC32", data) {
		t.Errorf("raw trailer object crc32 %q", r.ChecksumCRC32)
	}

	// minio-go with trailing headers adds CRC32C to each part by default.
	mc := trailingMinio(t, f.srv, &headerRecorder{})
	big := payload(11 << 20)
	_, err = mc.PutObject(bg, b, "minio", bytes.NewReader(big), int64(len(big)), minio.PutObjectOptions{PartSize: 5 << 20})
	mustOK(t, err, "minio multipart PutObject")
	want := compositeChecksum("CRC32C", big[:5<<20], big[5<<20:10<<20], big[10<<20:])
	if v, typ := f.headChecksum(t, b, "minio", "CRC32C"); v != want || typ != "COMPOSITE" {
		t.Errorf("minio object checksum %q %q, want %q COMPOSITE", v, typ, want)
	}
	if got := f.get(t, b, "minio"); !bytes.Equal(got, big) {
		t.Error("minio object reads back wrong")
	}
}
