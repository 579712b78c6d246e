package s3test_test

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/crc64nvme"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/cairn-s3/cairn/internal/s3test"
)

// checksumOf computes an additional checksum independently of the server:
// base64 of the big-endian CRC or of the digest.
func checksumOf(alg string, data []byte) string {
	var raw []byte
	switch alg {
	case "CRC32":
		raw = binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data))
	case "CRC32C":
		raw = binary.BigEndian.AppendUint32(nil, crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
	case "CRC64NVME":
		raw = binary.BigEndian.AppendUint64(nil, crc64nvme.Checksum(data))
	case "SHA1":
		s := sha1.Sum(data)
		raw = s[:]
	case "SHA256":
		s := sha256.Sum256(data)
		raw = s[:]
	default:
		panic("unknown algorithm " + alg)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

var checksumAlgorithms = []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}

// awsChecksum picks the field of alg out of the SDK's four-plus-one.
func awsChecksum(alg string, crc32v, crc32c, crc64, sha1v, sha256v *string) string {
	return aws.ToString(map[string]*string{"CRC32": crc32v, "CRC32C": crc32c, "CRC64NVME": crc64, "SHA1": sha1v, "SHA256": sha256v}[alg])
}

// trailingMinio is a minio-go client that may send trailing checksums,
// recording what it sends in rec.
func trailingMinio(t *testing.T, srv *s3test.Server, rec *headerRecorder) *minio.Client {
	t.Helper()
	mc, err := minio.New(srv.Addr, &minio.Options{
		Creds:           miniocreds.NewStaticV4(s3test.Root.AccessKey, s3test.Root.SecretKey, ""),
		Region:          "us-east-1",
		TrailingHeaders: true,
		Transport:       rec,
	})
	mustOK(t, err, "minio client")
	return mc
}

func TestChecksums(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)

	t.Run("AWSEveryAlgorithm", func(t *testing.T) {
		t.Parallel()
		for _, alg := range checksumAlgorithms {
			for _, size := range []int{0, 10, 100 << 10} {
				data := payload(size)
				key := "aws/" + alg + "/" + itoa(size)
				want := checksumOf(alg, data)
				put, err := f.aws.PutObject(bg, &s3.PutObjectInput{
					Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(data),
					ChecksumAlgorithm: types.ChecksumAlgorithm(alg),
				})
				mustOK(t, err, "PutObject "+key)
				if got := awsChecksum(alg, put.ChecksumCRC32, put.ChecksumCRC32C, put.ChecksumCRC64NVME, put.ChecksumSHA1, put.ChecksumSHA256); got != want {
					t.Errorf("%s: PutObject returned %q, want %q", key, got, want)
				}
				head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
				mustOK(t, err, "HeadObject "+key)
				if got := awsChecksum(alg, head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME, head.ChecksumSHA1, head.ChecksumSHA256); got != want {
					t.Errorf("%s: HEAD returned %q, want %q", key, got, want)
				}
				if head.ChecksumType != types.ChecksumTypeFullObject {
					t.Errorf("%s: checksum type %q", key, head.ChecksumType)
				}
				// The SDK validates the returned checksum against the body.
				get, err := f.aws.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
				mustOK(t, err, "GetObject "+key)
				got, err := io.ReadAll(get.Body)
				get.Body.Close()
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("%s: GET %d bytes, %v", key, len(got), err)
				}
				if c := awsChecksum(alg, get.ChecksumCRC32, get.ChecksumCRC32C, get.ChecksumCRC64NVME, get.ChecksumSHA1, get.ChecksumSHA256); c != want {
					t.Errorf("%s: GET checksum %q, want %q", key, c, want)
				}
			}
		}
	})

	t.Run("RawHeaders", func(t *testing.T) {
		t.Parallel()
		data := []byte("checksummed by hand")
		for _, alg := range checksumAlgorithms {
			name := "x-amz-checksum-" + strings.ToLower(alg)
			key := "raw/" + alg
			resp := f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, key), body: data, header: hdr(name, checksumOf(alg, data))})
			resp.wantStatus(t, http.StatusOK)
			if resp.header.Get(name) != checksumOf(alg, data) {
				t.Errorf("%s: PUT answered %s=%q", alg, name, resp.header.Get(name))
			}
			// Mismatch: BadDigest, and nothing stored.
			f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, key+"-bad"), body: data, header: hdr(name, checksumOf(alg, []byte("different")))}).
				wantError(t, "BadDigest", http.StatusBadRequest)
			f.raw.do(t, rawRequest{method: http.MethodHead, path: objectPath(b, key+"-bad")}).wantStatus(t, http.StatusNotFound)
			// Malformed values are InvalidRequest.
			for _, v := range []string{"@@@", base64.StdEncoding.EncodeToString([]byte("123456789012345678901234567890123"))} {
				f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, key+"-bad"), body: data, header: hdr(name, v)}).
					wantError(t, "InvalidRequest", http.StatusBadRequest)
			}
			// Returned only with x-amz-checksum-mode: ENABLED, and not for a range.
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				on := f.raw.do(t, rawRequest{method: method, path: objectPath(b, key), header: hdr("X-Amz-Checksum-Mode", "ENABLED")})
				off := f.raw.do(t, rawRequest{method: method, path: objectPath(b, key)})
				rng := f.raw.do(t, rawRequest{method: method, path: objectPath(b, key), header: hdr("X-Amz-Checksum-Mode", "ENABLED", "Range", "bytes=0-3")})
				if on.header.Get(name) != checksumOf(alg, data) || on.header.Get("x-amz-checksum-type") != "FULL_OBJECT" {
					t.Errorf("%s %s with mode: %v", method, alg, on.header)
				}
				if off.header.Get(name) != "" || rng.header.Get(name) != "" {
					t.Errorf("%s %s: checksum without mode %q, with range %q", method, alg, off.header.Get(name), rng.header.Get(name))
				}
			}
		}
	})

	t.Run("DefaultCRC64NVME", func(t *testing.T) {
		t.Parallel()
		for _, size := range []int{0, 1, 70 << 10} {
			data := payload(size)
			key := "default/" + itoa(size)
			f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, key), body: data}).wantStatus(t, http.StatusOK)
			resp := f.raw.do(t, rawRequest{method: http.MethodHead, path: objectPath(b, key), header: hdr("X-Amz-Checksum-Mode", "ENABLED")})
			if got := resp.header.Get("x-amz-checksum-crc64nvme"); got != checksumOf("CRC64NVME", data) {
				t.Errorf("size %d: crc64nvme %q, want %q", size, got, checksumOf("CRC64NVME", data))
			}
		}
		// minio-go without trailing headers sends no checksum at all.
		data := payload(3000)
		_, err := f.minio.PutObject(bg, b, "default/minio", bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{})
		mustOK(t, err, "minio PutObject")
		head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("default/minio"), ChecksumMode: types.ChecksumModeEnabled})
		mustOK(t, err, "HeadObject")
		if aws.ToString(head.ChecksumCRC64NVME) != checksumOf("CRC64NVME", data) {
			t.Errorf("minio upload: crc64nvme %q", aws.ToString(head.ChecksumCRC64NVME))
		}
	})

	t.Run("MinioTrailers", func(t *testing.T) {
		t.Parallel()
		rec := &headerRecorder{}
		mc := trailingMinio(t, f.srv, rec)
		types := map[string]minio.ChecksumType{
			"CRC32": minio.ChecksumCRC32, "CRC32C": minio.ChecksumCRC32C, "CRC64NVME": minio.ChecksumCRC64NVME,
			"SHA1": minio.ChecksumSHA1, "SHA256": minio.ChecksumSHA256,
		}
		for _, alg := range checksumAlgorithms {
			data := payload(150<<10 + 3)
			key := "minio/" + alg
			_, err := mc.PutObject(bg, b, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{Checksum: types[alg], DisableMultipart: true})
			mustOK(t, err, "minio PutObject "+key)
			if rec.last() != "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" {
				t.Errorf("%s: minio-go sent %q", key, rec.last())
			}
			st, err := mc.StatObject(bg, b, key, minio.StatObjectOptions{Checksum: true})
			mustOK(t, err, "StatObject "+key)
			got := map[string]string{"CRC32": st.ChecksumCRC32, "CRC32C": st.ChecksumCRC32C, "CRC64NVME": st.ChecksumCRC64NVME, "SHA1": st.ChecksumSHA1, "SHA256": st.ChecksumSHA256}[alg]
			if got != checksumOf(alg, data) {
				t.Errorf("%s: stored %q, want %q", key, got, checksumOf(alg, data))
			}
		}
	})

	t.Run("LargeSHA256", func(t *testing.T) {
		t.Parallel()
		data := payload(5<<20 + 1)
		_, err := f.aws.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("large-sha"), Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
		mustOK(t, err, "PutObject")
		head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("large-sha"), ChecksumMode: types.ChecksumModeEnabled})
		mustOK(t, err, "HeadObject")
		if aws.ToString(head.ChecksumSHA256) != checksumOf("SHA256", data) {
			t.Errorf("sha256 %q", aws.ToString(head.ChecksumSHA256))
		}
	})

	t.Run("BadRequests", func(t *testing.T) {
		t.Parallel()
		data := []byte("two checksums")
		f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "two"), body: data, header: hdr(
			"x-amz-checksum-crc32", checksumOf("CRC32", data), "x-amz-checksum-sha1", checksumOf("SHA1", data))}).
			wantError(t, "InvalidRequest", http.StatusBadRequest)
		f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "algo"), body: data, header: hdr("x-amz-sdk-checksum-algorithm", "MD4")}).
			wantError(t, "InvalidRequest", http.StatusBadRequest)
		f.raw.do(t, rawRequest{method: http.MethodPut, path: objectPath(b, "algo"), body: data, header: hdr(
			"x-amz-sdk-checksum-algorithm", "SHA1", "x-amz-checksum-crc32", checksumOf("CRC32", data))}).
			wantError(t, "InvalidRequest", http.StatusBadRequest)
		// The SDK's own checksum, corrupted on the way: BadDigest.
		_, err := f.aws.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("sdk-bad"), Body: bytes.NewReader(data), ChecksumCRC32C: aws.String(checksumOf("CRC32C", []byte("x")))})
		wantAWSError(t, err, "BadDigest", http.StatusBadRequest)
	})
}
