package checksum

import (
	"fmt"
	"sync"

	"github.com/cairn-s3/cairn/internal/s3"
)

// CRC describes a reflected CRC whose initial value and final XOR are both
// all ones (CRC-32/ISO-HDLC, CRC-32C, CRC-64/NVME and CRC-64/XZ all are), in
// enough detail to combine values: crc(A‖B) from crc(A), crc(B) and len(B).
//
// The method is zlib's crc32_combine idea: for such a CRC,
// crc(A‖B) = crc(A)·x^(8·len(B)) ⊕ crc(B) in GF(2)[x] mod P, and x^(8n) is a
// product of the precomputed powers x^(2^k) for the bits of n, so a combine
// costs at most 63 polynomial multiplications whatever the length.
//
// A CRC is immutable after construction and safe for concurrent use. The zero
// value is not usable; get one from NewCRC or CRCFor.
type CRC struct {
	width uint   // bits, 2..64
	poly  uint64 // reflected polynomial without its x^width term
	// x2k[k] is x^(2^k) mod P; 66 entries cover x^(8n) for every int64 n.
	x2k [66]uint64
}

// NewCRC returns the combiner of the reflected CRC of the given width (2..64
// bits) and reflected polynomial (for example 0xEDB88320 for CRC-32 or
// 0xC96C5795D7870F42 for CRC-64/XZ), whose initial value and final XOR are
// all ones.
func NewCRC(width int, reflectedPoly uint64) (*CRC, error) {
	if width < 2 || width > 64 {
		return nil, fmt.Errorf("checksum: CRC width %d is not within 2..64", width)
	}
	if width < 64 && reflectedPoly>>uint(width) != 0 {
		return nil, fmt.Errorf("checksum: polynomial %#x is wider than %d bits", reflectedPoly, width)
	}
	return newCRC(uint(width), reflectedPoly), nil
}

func newCRC(width uint, poly uint64) *CRC {
	c := &CRC{width: width, poly: poly}
	c.x2k[0] = c.one() >> 1 // x^1
	for k := 1; k < len(c.x2k); k++ {
		c.x2k[k] = c.mul(c.x2k[k-1], c.x2k[k-1])
	}
	return c
}

// crcCatalogue holds the CRCs of the algorithms Cairn combines. It is built
// on first use and only read afterwards.
var crcCatalogue = sync.OnceValue(func() map[s3.ChecksumAlgorithm]*CRC {
	return map[s3.ChecksumAlgorithm]*CRC{
		s3.ChecksumCRC32:     newCRC(32, 0xEDB88320),
		s3.ChecksumCRC32C:    newCRC(32, 0x82F63B78),
		s3.ChecksumCRC64NVME: newCRC(64, 0x9A6C9329AC4BC9B5),
		CRC64ECMA:            newCRC(64, 0xC96C5795D7870F42),
	}
})

// CRCFor returns the combiner of a CRC algorithm (CRC32, CRC32C, CRC64NVME or
// CRC64ECMA); ok is false for any other algorithm.
func CRCFor(alg s3.ChecksumAlgorithm) (c *CRC, ok bool) {
	c, ok = crcCatalogue()[alg]
	return c, ok
}

// Size is the length of the CRC's value in bytes, rounded up.
func (c *CRC) Size() int { return int(c.width+7) / 8 }

// Combine returns crc(A‖B) given crcA = crc(A), crcB = crc(B) and
// lenB = len(B) in bytes. Bits above the CRC's width are ignored. lenB MUST
// NOT be negative; Combine panics if it is, as it would for a bad index.
func (c *CRC) Combine(crcA, crcB uint64, lenB int64) uint64 {
	if lenB < 0 {
		panic(fmt.Sprintf("checksum: CRC combine with negative length %d", lenB))
	}
	return c.mul(c.xPow8n(uint64(lenB)), crcA) ^ (crcB & c.mask())
}

// one is the polynomial 1 (x^0) in reflected form: the top bit.
func (c *CRC) one() uint64 { return 1 << (c.width - 1) }

// mask has the low width bits set.
func (c *CRC) mask() uint64 { return ^uint64(0) >> (64 - c.width) }

// mul returns a·b mod P, both in reflected form.
func (c *CRC) mul(a, b uint64) uint64 {
	a &= c.mask()
	b &= c.mask()
	var p uint64
	for m := c.one(); a != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
			a ^= m
		}
		// b *= x: the bit shifted out is the x^(width-1) coefficient, and
		// x^width ≡ poly.
		if b&1 != 0 {
			b = b>>1 ^ c.poly
		} else {
			b >>= 1
		}
	}
	return p
}

// xPow8n returns x^(8n) mod P: the product of x^(2^k) over the bits k of 8n.
func (c *CRC) xPow8n(n uint64) uint64 {
	p, started := c.one(), false
	for k := 3; n != 0; k, n = k+1, n>>1 {
		if n&1 == 0 {
			continue
		}
		if started {
			p = c.mul(c.x2k[k], p)
		} else {
			p, started = c.x2k[k], true // skip multiplying by 1
		}
	}
	return p
}

// CombineCRC returns the CRC of A‖B, big-endian, given the big-endian CRCs of
// A and B and the length of B in bytes, for CRC32, CRC32C, CRC64NVME and
// CRC64ECMA. It fails with ErrUnsupportedAlgorithm for another algorithm,
// ErrBadLength when a value is not Size(alg) bytes long, and an error for a
// negative lenB.
func CombineCRC(alg s3.ChecksumAlgorithm, crcA, crcB []byte, lenB int64) ([]byte, error) {
	c, ok := CRCFor(alg)
	if !ok {
		return nil, fmt.Errorf("combine %s: %w", alg, ErrUnsupportedAlgorithm)
	}
	if len(crcA) != c.Size() || len(crcB) != c.Size() {
		return nil, fmt.Errorf("combine %s: %d and %d bytes, want %d: %w", alg, len(crcA), len(crcB), c.Size(), ErrBadLength)
	}
	if lenB < 0 {
		return nil, fmt.Errorf("combine %s: negative length %d", alg, lenB)
	}
	v := c.Combine(bigEndian(crcA), bigEndian(crcB), lenB)
	return appendBigEndian(make([]byte, 0, c.Size()), v, c.Size()), nil
}

// FullObject returns the FULL_OBJECT checksum of a multipart upload, raw and
// big-endian: the CRC of the parts' bytes in order, combined from each part's
// raw CRC and size without reading data. Zero parts give the CRC of no bytes.
// Errors are those of CombineCRC, and an error when the slices' lengths
// differ.
func FullObject(alg s3.ChecksumAlgorithm, partSums [][]byte, partSizes []int64) ([]byte, error) {
	c, ok := CRCFor(alg)
	if !ok {
		return nil, fmt.Errorf("full-object checksum %s: %w", alg, ErrUnsupportedAlgorithm)
	}
	if len(partSums) != len(partSizes) {
		return nil, fmt.Errorf("full-object checksum %s: %d checksums for %d parts", alg, len(partSums), len(partSizes))
	}
	var acc uint64 // the CRC of no bytes is 0 when init equals the final XOR
	// All parts but the last usually have one size: reuse its x^(8n).
	lastSize, pow := int64(0), c.one()
	for i, sum := range partSums {
		if len(sum) != c.Size() {
			return nil, fmt.Errorf("full-object checksum %s: part %d has %d bytes, want %d: %w", alg, i+1, len(sum), c.Size(), ErrBadLength)
		}
		if partSizes[i] < 0 {
			return nil, fmt.Errorf("full-object checksum %s: part %d has negative size %d", alg, i+1, partSizes[i])
		}
		if partSizes[i] != lastSize {
			lastSize, pow = partSizes[i], c.xPow8n(uint64(partSizes[i]))
		}
		acc = c.mul(pow, acc) ^ (bigEndian(sum) & c.mask())
	}
	return appendBigEndian(make([]byte, 0, c.Size()), acc, c.Size()), nil
}

func bigEndian(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

func appendBigEndian(dst []byte, v uint64, size int) []byte {
	for i := size - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*uint(i))))
	}
	return dst
}
