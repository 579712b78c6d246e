package s3test_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"

	"github.com/cairn-s3/cairn/internal/s3test"
)

// bigPartSize is the part size of both clients' uploads: minio-go picks
// 16 MiB for this size by itself, and the AWS uploader is told the same.
const bigPartSize = 16 << 20

// genObject is deterministic pseudo-random content of any size, made on the
// fly as an AES-CTR keystream: any range can be produced without the rest,
// so parts go up in parallel and the object is never held in memory or on
// disk by the test.
type genObject struct {
	size  int64
	block cipher.Block
}

func newGenObject(seed string, size int64) *genObject {
	key := sha256.Sum256([]byte(seed))
	block, err := aes.NewCipher(key[:16])
	if err != nil {
		panic(err)
	}
	return &genObject{size: size, block: block}
}

// ReadAt implements io.ReaderAt: byte i of the object is byte i of the
// keystream.
func (g *genObject) ReadAt(p []byte, off int64) (int, error) {
	if off >= g.size {
		return 0, io.EOF
	}
	n := len(p)
	if int64(n) > g.size-off {
		n = int(g.size - off)
	}
	var iv [aes.BlockSize]byte
	binary.BigEndian.PutUint64(iv[8:], uint64(off/aes.BlockSize))
	ctr := cipher.NewCTR(g.block, iv[:])
	var skip [aes.BlockSize]byte
	ctr.XORKeyStream(skip[:off%aes.BlockSize], skip[:off%aes.BlockSize])
	clear(p[:n])
	ctr.XORKeyStream(p[:n], p[:n])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// reader is the whole object as a plain stream, without ReadAt or Seek.
func (g *genObject) reader() io.Reader {
	return struct{ io.Reader }{io.NewSectionReader(g, 0, g.size)}
}

// digest computes the object's SHA-256 and, per part of partSize bytes,
// the CRC of the given table, in one sequential pass.
func (g *genObject) digest(partSize int64, table *crc32.Table) ([]byte, [][]byte) {
	h := sha256.New()
	var crcs [][]byte
	buf := make([]byte, 1<<20)
	for off := int64(0); off < g.size; off += partSize {
		c := crc32.New(table)
		part := io.NewSectionReader(g, off, min(partSize, g.size-off))
		if _, err := io.CopyBuffer(io.MultiWriter(h, c), part, buf); err != nil {
			panic(err)
		}
		crcs = append(crcs, c.Sum(nil))
	}
	return h.Sum(nil), crcs
}

// compositeCRC is the COMPOSITE checksum of parts with the given CRCs.
func compositeCRC(table *crc32.Table, crcs [][]byte) string {
	c := crc32.New(table)
	for _, s := range crcs {
		c.Write(s)
	}
	return fmt.Sprintf("%s-%d", base64.StdEncoding.EncodeToString(c.Sum(nil)), len(crcs))
}

// skipBig skips the multi-gigabyte tests in -short mode.
func skipBig(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads over 2 GiB; skipped in -short mode")
	}
}

// TestAWSParallelUploadBig uploads a 2 GiB + 123 byte object (bigObjectSize) with the AWS
// SDK's client calls directly, sending trailing checksums as the SDK does
// over TLS: CreateMultipartUpload with the SDK's default
// CRC32, parts in parallel streamed with trailing checksums, Complete with
// the part checksums; then downloads it in parallel ranges and compares
// SHA-256s.
func TestAWSParallelUploadBig(t *testing.T) {
	skipBig(t)
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	g := newGenObject("aws", bigObjectSize)
	want, crcs := g.digest(bigPartSize, crc32.IEEETable)

	rec := &headerRecorder{}
	sdk := f.srv.AWS(t, s3test.Root, asIfTLS(f.srv, rec))
	start := time.Now()
	up, err := sdk.CreateMultipartUpload(bg, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("big"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	mustOK(t, err, "CreateMultipartUpload")
	nparts := int((g.size + bigPartSize - 1) / bigPartSize)
	completed := make([]types.CompletedPart, nparts)
	inParallel(t, nparts, 4, func(tb testing.TB, i int) {
		off := int64(i) * bigPartSize
		out, err := sdk.UploadPart(bg, &s3.UploadPartInput{
			Bucket: aws.String(b), Key: aws.String("big"), UploadId: up.UploadId, PartNumber: aws.Int32(int32(i + 1)),
			Body: io.NewSectionReader(g, off, min(bigPartSize, g.size-off)), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		})
		if err != nil {
			tb.Fatalf("UploadPart %d: %v", i+1, err)
		}
		completed[i] = types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32}
	})
	done, err := sdk.CompleteMultipartUpload(bg, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(b), Key: aws.String("big"), UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: completed},
	})
	mustOK(t, err, "CompleteMultipartUpload")
	t.Logf("uploaded %d bytes in %d parts in %v", g.size, nparts, time.Since(start))
	if rec.last() == "" {
		t.Error("no request recorded")
	}
	if got := aws.ToString(done.ChecksumCRC32); got != compositeCRC(crc32.IEEETable, crcs) || done.ChecksumType != types.ChecksumTypeComposite {
		t.Errorf("object checksum %q %q, want %q COMPOSITE", got, done.ChecksumType, compositeCRC(crc32.IEEETable, crcs))
	}
	if etag := aws.ToString(done.ETag); !strings.HasSuffix(etag, fmt.Sprintf("-%d\"", nparts)) {
		t.Errorf("ETag %s does not count %d parts", etag, nparts)
	}
	head, err := f.aws.HeadObject(bg, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("big")})
	mustOK(t, err, "HeadObject")
	if aws.ToInt64(head.ContentLength) != g.size {
		t.Fatalf("size %d, want %d", aws.ToInt64(head.ContentLength), g.size)
	}

	start = time.Now()
	got := parallelDownload(t, f.aws, b, "big", g.size, bigPartSize, 4)
	t.Logf("downloaded in parallel ranges in %v", time.Since(start))
	if string(got) != string(want) {
		t.Fatal("the downloaded object's SHA-256 differs")
	}
}

// parallelDownload reads an object in ranges of chunk bytes on workers
// goroutines, as the SDK's download manager does, hashing the ranges in
// order as they arrive. Range buffers are reused: the race detector makes
// every fresh large allocation expensive.
func parallelDownload(t *testing.T, c *s3.Client, bucket, key string, size, chunk int64, workers int) []byte {
	t.Helper()
	n := int((size + chunk - 1) / chunk)
	free := make(chan []byte, workers+1)
	for range workers + 1 {
		free <- make([]byte, chunk)
	}
	results := make([]chan []byte, n)
	for i := range results {
		results[i] = make(chan []byte, 1)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	go func() {
		for i := range n {
			buf := <-free
			wg.Go(func() {
				off := int64(i) * chunk
				end := min(off+chunk, size) - 1
				out, err := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Range: aws.String(fmt.Sprintf("bytes=%d-%d", off, end))})
				if err != nil {
					t.Errorf("GET range %d: %v", i, err)
					results[i] <- nil
					return
				}
				defer out.Body.Close()
				data := buf[:end-off+1]
				if _, err := io.ReadFull(out.Body, data); err != nil {
					t.Errorf("GET range %d: %v", i, err)
					data = nil
				} else if k, _ := out.Body.Read(make([]byte, 1)); k != 0 {
					t.Errorf("GET range %d: more than %d bytes", i, len(data))
					data = nil
				}
				results[i] <- data
			})
		}
	}()
	h := sha256.New()
	for i := range n {
		data := <-results[i]
		if data == nil {
			t.FailNow()
		}
		h.Write(data)
		free <- data[:cap(data)]
	}
	return h.Sum(nil)
}

// TestMinioPutObjectBig uploads a 2 GiB + 123 byte stream (bigObjectSize) with minio-go's
// PutObject, its own multipart upload with its default CRC32C part
// checksums, and reads it back as one stream.
func TestMinioPutObjectBig(t *testing.T) {
	skipBig(t)
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	g := newGenObject("minio", bigObjectSize)
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	want, crcs := g.digest(bigPartSize, castagnoli)

	mc := trailingMinio(t, f.srv, &headerRecorder{})
	start := time.Now()
	info, err := mc.PutObject(bg, b, "big", g.reader(), g.size, minio.PutObjectOptions{})
	mustOK(t, err, "minio PutObject")
	t.Logf("uploaded %d bytes in %v", info.Size, time.Since(start))
	if info.Size != g.size {
		t.Errorf("uploaded %d bytes, want %d", info.Size, g.size)
	}
	st, err := mc.StatObject(bg, b, "big", minio.StatObjectOptions{Checksum: true})
	mustOK(t, err, "StatObject")
	if st.Size != g.size || st.ChecksumCRC32C != compositeCRC(castagnoli, crcs) || st.ChecksumMode != "COMPOSITE" {
		t.Errorf("stat: size %d crc32c %q %q, want %q COMPOSITE", st.Size, st.ChecksumCRC32C, st.ChecksumMode, compositeCRC(castagnoli, crcs))
	}

	start = time.Now()
	obj, err := mc.GetObject(bg, b, "big", minio.GetObjectOptions{})
	mustOK(t, err, "minio GetObject")
	defer obj.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, obj, make([]byte, 1<<20))
	mustOK(t, err, "read the object")
	t.Logf("downloaded in %v", time.Since(start))
	if n != g.size || string(h.Sum(nil)) != string(want) {
		t.Fatalf("read %d bytes; SHA-256 differs: %v", n, string(h.Sum(nil)) != string(want))
	}
}

// TestGenObject checks that the generator gives the same bytes however a
// range is cut.
func TestGenObject(t *testing.T) {
	t.Parallel()
	g := newGenObject("check", 100_003)
	whole := make([]byte, g.size)
	if n, err := g.ReadAt(whole, 0); n != len(whole) || err != nil {
		t.Fatalf("ReadAt whole: %d, %v", n, err)
	}
	for _, c := range []struct{ off, n int64 }{{0, 1}, {1, 15}, {15, 17}, {4099, 60000}, {100_000, 3}} {
		p := make([]byte, c.n)
		if _, err := g.ReadAt(p, c.off); err != nil || string(p) != string(whole[c.off:c.off+c.n]) {
			t.Errorf("ReadAt(%d, %d) differs (%v)", c.off, c.n, err)
		}
	}
	if n, err := g.ReadAt(make([]byte, 10), 100_000); n != 3 || err != io.EOF {
		t.Errorf("ReadAt past the end: %d, %v", n, err)
	}
	if other := newGenObject("other", 16); func() bool { p := make([]byte, 16); other.ReadAt(p, 0); return string(p) == string(whole[:16]) }() {
		t.Error("seeds do not differ")
	}
}

// TestAWSUploadManagerBig uploads bigObjectSize bytes with the SDK's upload
// manager (parallel parts, the SDK's default checksum behaviour) from a
// plain stream, then downloads them with its download manager into a writer
// that checks every byte against the generator.
func TestAWSUploadManagerBig(t *testing.T) {
	skipBig(t)
	t.Parallel()
	f := newFixture(t)
	b := f.bucket(t)
	g := newGenObject("aws-manager", bigObjectSize)

	start := time.Now()
	up := manager.NewUploader(f.aws, func(u *manager.Uploader) {
		u.PartSize = bigPartSize
		u.Concurrency = 4
	})
	res, err := up.Upload(bg, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("big"), Body: g.reader()})
	mustOK(t, err, "Upload")
	nparts := int((g.size + bigPartSize - 1) / bigPartSize)
	t.Logf("upload manager: %d bytes in %d parts in %v", g.size, nparts, time.Since(start))
	if etag := aws.ToString(res.ETag); !strings.HasSuffix(etag, fmt.Sprintf("-%d\"", nparts)) {
		t.Errorf("ETag %s does not count %d parts", etag, nparts)
	}

	start = time.Now()
	w := &verifyingWriterAt{g: g}
	n, err := manager.NewDownloader(f.aws, func(d *manager.Downloader) {
		d.PartSize = bigPartSize
		d.Concurrency = 4
	}).Download(bg, w, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("big")})
	mustOK(t, err, "Download")
	t.Logf("download manager: %d bytes in %v", n, time.Since(start))
	if n != g.size || w.written.Load() != g.size {
		t.Fatalf("downloaded %d bytes (%d written), want %d", n, w.written.Load(), g.size)
	}
	if err := w.err(); err != nil {
		t.Fatal(err)
	}
}

// verifyingWriterAt compares what is written at each offset with the
// generator's bytes there, keeping nothing.
type verifyingWriterAt struct {
	g       *genObject
	written atomic.Int64
	mu      sync.Mutex
	first   error
}

func (w *verifyingWriterAt) WriteAt(p []byte, off int64) (int, error) {
	want := make([]byte, len(p))
	if n, err := w.g.ReadAt(want, off); n != len(p) {
		w.fail(fmt.Errorf("write of %d bytes at %d runs past the object (%v)", len(p), off, err))
		return len(p), nil
	}
	if !bytes.Equal(p, want) {
		w.fail(fmt.Errorf("bytes at offset %d differ", off))
	}
	w.written.Add(int64(len(p)))
	return len(p), nil
}

func (w *verifyingWriterAt) fail(err error) {
	w.mu.Lock()
	if w.first == nil {
		w.first = err
	}
	w.mu.Unlock()
}

func (w *verifyingWriterAt) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.first
}
