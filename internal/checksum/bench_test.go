package checksum_test

import (
	"crypto/md5"
	"hash"
	"math/rand/v2"
	"testing"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/s3"
)

// BenchmarkHash reports the throughput of every hash on the PUT path over
// 1 MiB buffers.
func BenchmarkHash(b *testing.B) {
	buf := randomBytes(rand.New(rand.NewPCG(9, 9)), 1<<20)
	newHash := func(alg s3.ChecksumAlgorithm) func() hash.Hash {
		return func() hash.Hash { h, _ := checksum.New(alg); return h }
	}
	cases := []struct {
		name string
		new  func() hash.Hash
	}{
		{"md5", md5.New},
		{"sha1", newHash(s3.ChecksumSHA1)},
		{"sha256", newHash(s3.ChecksumSHA256)},
		{"crc32", newHash(s3.ChecksumCRC32)},
		{"crc32c", newHash(s3.ChecksumCRC32C)},
		{"crc64nvme", newHash(s3.ChecksumCRC64NVME)},
		{"crc64ecma", newHash(checksum.CRC64ECMA)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			h := c.new()
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				h.Reset()
				h.Write(buf)
				h.Sum(nil)
			}
		})
	}
}

// BenchmarkCombineCRC64NVME measures one combine for part lengths typical of
// multipart uploads (5 MiB, 8 MiB, 16 MiB) and a worst case (all bits set).
func BenchmarkCombineCRC64NVME(b *testing.B) {
	a, bsum := make([]byte, 8), make([]byte, 8)
	for _, n := range []struct {
		name string
		len  int64
	}{{"5MiB", 5 << 20}, {"8MiB", 8 << 20}, {"16MiB+1", 16<<20 + 1}, {"maxint64", 1<<63 - 1}} {
		b.Run(n.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := checksum.CombineCRC(s3.ChecksumCRC64NVME, a, bsum, n.len); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFullObject10000Parts is the Complete of a 10,000-part upload with
// 8 MiB parts: the cost of the FULL_OBJECT checksum without reading data.
func BenchmarkFullObject10000Parts(b *testing.B) {
	sums := make([][]byte, 10000)
	sizes := make([]int64, 10000)
	for i := range sums {
		sums[i] = []byte{byte(i), 2, 3, 4, 5, 6, 7, byte(i >> 8)}
		sizes[i] = 8 << 20
	}
	for b.Loop() {
		if _, err := checksum.FullObject(s3.ChecksumCRC64NVME, sums, sizes); err != nil {
			b.Fatal(err)
		}
	}
}
