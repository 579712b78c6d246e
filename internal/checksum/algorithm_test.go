package checksum_test

import (
	"encoding/hex"
	"testing"

	"github.com/cairn-s3/cairn/internal/checksum"
	"github.com/cairn-s3/cairn/internal/s3"
)

// sum is the one-shot checksum of data with alg.
func sum(t testing.TB, alg s3.ChecksumAlgorithm, data []byte) []byte {
	t.Helper()
	h, ok := checksum.New(alg)
	if !ok {
		t.Fatalf("New(%s): unknown algorithm", alg)
	}
	h.Write(data)
	return h.Sum(nil)
}

// The catalogue check values: each algorithm over "123456789".
func TestCheckValues(t *testing.T) {
	tests := []struct {
		alg    s3.ChecksumAlgorithm
		hex    string
		base64 string
	}{
		{s3.ChecksumCRC32, "cbf43926", "y/Q5Jg=="},
		{s3.ChecksumCRC32C, "e3069283", "4waSgw=="},
		{s3.ChecksumCRC64NVME, "ae8b14860a799888", "rosUhgp5mIg="},
		{checksum.CRC64ECMA, "995dc9bbdf1939fa", "mV3Ju98ZOfo="},
		{s3.ChecksumSHA1, "f7c3bc1d808e04732adf679965ccc34ca7ae3441", "98O8HYCOBHMq32eZZczDTKeuNEE="},
		{s3.ChecksumSHA256, "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225", "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU="},
		// The 2026 algorithms; xxHash values in canonical (big-endian) form,
		// as the xxhsum tool prints them.
		{s3.ChecksumSHA512, "d9e6762dd1c8eaf6d61b3c6192fc408d4d6d5f1176d0c29169bc24e71c3f274ad27fcd5811b313d681f7e55ec02d73d499c95455b6b5bb503acf574fba8ffe85", "2eZ2LdHI6vbWGzxhkvxAjU1tXxF20MKRabwk5xw/J0rSf81YEbMT1oH35V7ALXPUmclUVba1u1A6z1dPuo/+hQ=="}, // Python hashlib
		{s3.ChecksumMD5, "25f9e794323b453885f5181f1b624d0b", "JfnnlDI7RTiF9RgfG2JNCw=="},       // Python hashlib
		{s3.ChecksumXXHASH64, "8cb841db40e6ae83", "jLhB20DmroM="},                              // xxhsum
		{s3.ChecksumXXHASH3, "72dcb18b67a17dff", "ctyxi2ehff8="},                               // xxhsum
		{s3.ChecksumXXHASH128, "33119477ede5dcd5e9716427681d5860", "MxGUd+3l3NXpcWQnaB1YYA=="}, // xxhsum
	}
	for _, tt := range tests {
		t.Run(string(tt.alg), func(t *testing.T) {
			got := sum(t, tt.alg, []byte("123456789"))
			if h := hex.EncodeToString(got); h != tt.hex {
				t.Errorf("sum = %s, want %s", h, tt.hex)
			}
			if n := checksum.Size(tt.alg); n != len(got) {
				t.Errorf("Size = %d, Sum has %d bytes", n, len(got))
			}
			if e := checksum.Encode(got); e != tt.base64 {
				t.Errorf("Encode = %q, want %q", e, tt.base64)
			}
			raw, err := checksum.Decode(tt.alg, tt.base64)
			if err != nil || hex.EncodeToString(raw) != tt.hex {
				t.Errorf("Decode(%q) = %x, %v; want %s", tt.base64, raw, err, tt.hex)
			}
		})
	}
}

func TestCRC64XZ(t *testing.T) {
	h := checksum.NewCRC64XZ()
	h.Write([]byte("1234"))
	h.Write([]byte("56789"))
	if got := h.Sum64(); got != 0x995dc9bbdf1939fa {
		t.Errorf("Sum64 = %#x, want 0x995dc9bbdf1939fa", got)
	}
	h.Reset()
	if got := h.Sum64(); got != 0 {
		t.Errorf("Sum64 of nothing = %#x, want 0", got)
	}
}

func TestSizes(t *testing.T) {
	want := map[s3.ChecksumAlgorithm]int{
		s3.ChecksumCRC32: 4, s3.ChecksumCRC32C: 4, s3.ChecksumCRC64NVME: 8,
		checksum.CRC64ECMA: 8, s3.ChecksumSHA1: 20, s3.ChecksumSHA256: 32,
		s3.ChecksumSHA512: 64, s3.ChecksumMD5: 16, s3.ChecksumXXHASH64: 8, s3.ChecksumXXHASH3: 8, s3.ChecksumXXHASH128: 16,
		"BLAKE3": 0, "": 0, "crc32": 0,
	}
	for alg, n := range want {
		if got := checksum.Size(alg); got != n {
			t.Errorf("Size(%q) = %d, want %d", alg, got, n)
		}
		h, ok := checksum.New(alg)
		if ok != (n > 0) {
			t.Errorf("New(%q) ok = %v, want %v", alg, ok, n > 0)
		}
		if ok && h.Size() != n {
			t.Errorf("New(%q).Size() = %d, want %d", alg, h.Size(), n)
		}
	}
	// Every algorithm S3 names must be known here.
	for _, alg := range s3.ChecksumAlgorithms() {
		if checksum.Size(alg) == 0 {
			t.Errorf("s3 algorithm %s is unknown to package checksum", alg)
		}
	}
}

func TestNewReturnsFreshHashes(t *testing.T) {
	for _, alg := range append(s3.ChecksumAlgorithms(), checksum.CRC64ECMA) {
		a, _ := checksum.New(alg)
		b, _ := checksum.New(alg)
		a.Write([]byte("x"))
		empty := b.Sum(nil)
		b.Write([]byte("x"))
		if string(a.Sum(nil)) != string(b.Sum(nil)) {
			t.Errorf("%s: two hashes of the same input differ", alg)
		}
		if string(empty) == string(b.Sum(nil)) {
			t.Errorf("%s: hash did not change after a write", alg)
		}
	}
}
