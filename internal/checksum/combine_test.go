package checksum_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/s3"
)

// crcAlgorithms are the algorithms CombineCRC supports.
var crcAlgorithms = []s3.ChecksumAlgorithm{s3.ChecksumCRC32, s3.ChecksumCRC32C, s3.ChecksumCRC64NVME, checksum.CRC64ECMA}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// checkCombine asserts CombineCRC(crc(A), crc(B), len(B)) == crc(A‖B).
func checkCombine(t *testing.T, alg s3.ChecksumAlgorithm, a, b []byte) {
	t.Helper()
	got, err := checksum.CombineCRC(alg, sum(t, alg, a), sum(t, alg, b), int64(len(b)))
	if err != nil {
		t.Fatalf("CombineCRC(%s, len(A)=%d, len(B)=%d): %v", alg, len(a), len(b), err)
	}
	if want := sum(t, alg, append(append([]byte(nil), a...), b...)); !bytes.Equal(got, want) {
		t.Errorf("%s: combine of len(A)=%d, len(B)=%d = %x, one-shot = %x", alg, len(a), len(b), got, want)
	}
}

func TestCombineCRCSplits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, 2, 3, 7, 8, 9, 63, 64, 65, 255, 1000, 4096, 65537}
	for _, alg := range crcAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			for _, n := range sizes {
				data := randomBytes(rng, n)
				// Every edge split, including empty A and empty B, and a few random ones.
				splits := []int{0, n, n / 2, min(1, n), max(n-1, 0)}
				for range 4 {
					splits = append(splits, rng.IntN(n+1))
				}
				for _, s := range splits {
					checkCombine(t, alg, data[:s], data[s:])
				}
			}
		})
	}
}

func TestCombineCRCLargeB(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	big := randomBytes(rng, 5<<20+12345) // multi-MiB B with an odd tail
	for _, alg := range crcAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			checkCombine(t, alg, []byte("prefix"), big)
			checkCombine(t, alg, nil, big)
			checkCombine(t, alg, big[:3<<20], big[3<<20:])
			checkCombine(t, alg, big, nil)
		})
	}
}

// Combining many parts one after another equals the one-shot CRC, both by
// chaining CombineCRC and through FullObject.
func TestCombineChained(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var parts [][]byte
	for range 500 {
		parts = append(parts, randomBytes(rng, rng.IntN(3000)))
	}
	parts = append(parts, nil, randomBytes(rng, 1<<20), nil)
	whole := bytes.Join(parts, nil)
	for _, alg := range crcAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			want := sum(t, alg, whole)
			acc := sum(t, alg, nil)
			sums := make([][]byte, len(parts))
			sizes := make([]int64, len(parts))
			for i, p := range parts {
				sums[i], sizes[i] = sum(t, alg, p), int64(len(p))
				var err error
				if acc, err = checksum.CombineCRC(alg, acc, sums[i], sizes[i]); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(acc, want) {
				t.Errorf("chained combine = %x, one-shot = %x", acc, want)
			}
			full, err := checksum.FullObject(alg, sums, sizes)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(full, want) {
				t.Errorf("FullObject = %x, one-shot = %x", full, want)
			}
		})
	}
}

func TestFullObjectKnownValues(t *testing.T) {
	parts := [][]byte{[]byte("hello"), []byte("world"), []byte("!")}
	// Computed independently (Python zlib and bitwise CRCs) over "helloworld!".
	want := map[s3.ChecksumAlgorithm]string{
		s3.ChecksumCRC32:     "NvXLpg==",
		s3.ChecksumCRC32C:    "AguuQA==",
		s3.ChecksumCRC64NVME: "HqdSgrE63XI=",
		checksum.CRC64ECMA:   "2sEM19S04mM=",
	}
	for alg, w := range want {
		var sums [][]byte
		var sizes []int64
		for _, p := range parts {
			sums, sizes = append(sums, sum(t, alg, p)), append(sizes, int64(len(p)))
		}
		got, err := checksum.FullObject(alg, sums, sizes)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if checksum.Encode(got) != w {
			t.Errorf("%s: FullObject = %s, want %s", alg, checksum.Encode(got), w)
		}
	}
	empty, err := checksum.FullObject(s3.ChecksumCRC32, nil, nil)
	if err != nil || !bytes.Equal(empty, []byte{0, 0, 0, 0}) {
		t.Errorf("FullObject of no parts = %x, %v; want the CRC of nothing, 00000000", empty, err)
	}
}

func TestCombineCRCErrors(t *testing.T) {
	four, eight := make([]byte, 4), make([]byte, 8)
	tests := []struct {
		name       string
		alg        s3.ChecksumAlgorithm
		a, b       []byte
		lenB       int64
		wantSentin error
	}{
		{"sha256", s3.ChecksumSHA256, make([]byte, 32), make([]byte, 32), 1, checksum.ErrUnsupportedAlgorithm},
		{"sha1", s3.ChecksumSHA1, make([]byte, 20), make([]byte, 20), 1, checksum.ErrUnsupportedAlgorithm},
		{"unknown", "XXHASH64", eight, eight, 1, checksum.ErrUnsupportedAlgorithm},
		{"short A", s3.ChecksumCRC32, four[:3], four, 1, checksum.ErrBadLength},
		{"long B", s3.ChecksumCRC32, four, eight, 1, checksum.ErrBadLength},
		{"crc32 value for crc64", s3.ChecksumCRC64NVME, four, eight, 1, checksum.ErrBadLength},
		{"negative length", s3.ChecksumCRC32C, four, four, -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checksum.CombineCRC(tt.alg, tt.a, tt.b, tt.lenB)
			if err == nil {
				t.Fatalf("CombineCRC = %x, want an error", got)
			}
			if tt.wantSentin != nil && !errors.Is(err, tt.wantSentin) {
				t.Errorf("error %v is not %v", err, tt.wantSentin)
			}
		})
	}
	if _, err := checksum.FullObject(s3.ChecksumCRC32, [][]byte{four}, nil); err == nil {
		t.Error("FullObject with mismatched slices: no error")
	}
	if _, err := checksum.FullObject(s3.ChecksumCRC32, [][]byte{eight}, []int64{1}); !errors.Is(err, checksum.ErrBadLength) {
		t.Errorf("FullObject with a bad part checksum: %v, want ErrBadLength", err)
	}
	if _, err := checksum.FullObject(s3.ChecksumCRC32, [][]byte{four}, []int64{-1}); err == nil {
		t.Error("FullObject with a negative size: no error")
	}
	if _, err := checksum.FullObject(s3.ChecksumSHA256, nil, nil); !errors.Is(err, checksum.ErrUnsupportedAlgorithm) {
		t.Errorf("FullObject with SHA256: %v, want ErrUnsupportedAlgorithm", err)
	}
}

// reflectedCRC is a bit-at-a-time reference for any reflected CRC with
// initial value and final XOR all ones.
func reflectedCRC(width uint, poly uint64, data []byte) uint64 {
	mask := ^uint64(0) >> (64 - width)
	crc := mask
	for _, b := range data {
		crc ^= uint64(b)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ poly
			} else {
				crc >>= 1
			}
		}
	}
	return crc ^ mask
}

// The generic CRC type works for widths and polynomials outside the S3 set,
// e.g. CRC-16/IBM-SDLC (X.25).
func TestCRCGeneric(t *testing.T) {
	const width, poly = 16, 0x8408
	if got := reflectedCRC(width, poly, []byte("123456789")); got != 0x906e {
		t.Fatalf("reference CRC-16/IBM-SDLC check = %#x, want 0x906e", got)
	}
	c, err := checksum.NewCRC(width, poly)
	if err != nil {
		t.Fatal(err)
	}
	if c.Size() != 2 {
		t.Errorf("Size = %d, want 2", c.Size())
	}
	rng := rand.New(rand.NewPCG(7, 8))
	data := randomBytes(rng, 10000)
	for range 50 {
		s := rng.IntN(len(data) + 1)
		a, b := data[:s], data[s:]
		got := c.Combine(reflectedCRC(width, poly, a), reflectedCRC(width, poly, b), int64(len(b)))
		if want := reflectedCRC(width, poly, data); got != want {
			t.Fatalf("split at %d: combine = %#x, want %#x", s, got, want)
		}
	}

	for _, bad := range []struct {
		width int
		poly  uint64
	}{{0, 1}, {1, 1}, {65, 1}, {16, 0x18408}, {32, 1 << 32}} {
		if _, err := checksum.NewCRC(bad.width, bad.poly); err == nil {
			t.Errorf("NewCRC(%d, %#x): no error", bad.width, bad.poly)
		}
	}
}

func TestCRCFor(t *testing.T) {
	for _, alg := range crcAlgorithms {
		c, ok := checksum.CRCFor(alg)
		if !ok || c.Size() != checksum.Size(alg) {
			t.Errorf("CRCFor(%s) = %v, %v", alg, c, ok)
		}
		if !alg.IsCRC() && alg != checksum.CRC64ECMA {
			t.Errorf("%s is not a CRC according to package s3", alg)
		}
	}
	for _, alg := range []s3.ChecksumAlgorithm{s3.ChecksumSHA1, s3.ChecksumSHA256, ""} {
		if _, ok := checksum.CRCFor(alg); ok {
			t.Errorf("CRCFor(%q) ok", alg)
		}
	}
}

func TestCombinePanicsOnNegativeLength(t *testing.T) {
	c, _ := checksum.CRCFor(s3.ChecksumCRC32)
	defer func() {
		if recover() == nil {
			t.Error("Combine with a negative length did not panic")
		}
	}()
	c.Combine(0, 0, -5)
}

// Combining with a huge length must stay fast and well defined: the result
// is whatever x^(8n) gives, here checked against two half-length combines.
func TestCombineHugeLength(t *testing.T) {
	for _, alg := range crcAlgorithms {
		c, _ := checksum.CRCFor(alg)
		const n = int64(1) << 62
		// crc(A‖Z‖Z) for a virtual B: combining twice with n equals once with 2n
		// when crc(B) is zero, because Combine(a, 0, n) = a·x^(8n).
		twice := c.Combine(c.Combine(0x1234, 0, n), 0, n)
		once := c.Combine(0x1234, 0, n-1+n)
		once = c.Combine(once, 0, 1)
		if twice != once {
			t.Errorf("%s: a·x^(8n)·x^(8n) = %#x, a·x^(8(2n-1))·x^8 = %#x", alg, twice, once)
		}
	}
}
