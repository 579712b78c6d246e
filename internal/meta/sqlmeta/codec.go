package sqlmeta

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/cairn-s3/cairn/internal/s3"
)

// The extent and part lists are stored as compact binary columns rather than
// rows: an object's lists are always read and written whole, and a
// 10,000-part object is then one row, not 10,000. Each encoding starts with
// a format version byte so that a later release can change the layout and
// still read old rows.
//
//	extents v1: 0x01 uvarint(count) { blob[16] uvarint(offset) uvarint(length) }
//	parts   v1: 0x01 uvarint(count) { uvarint(number) uvarint(size) str(etag) str(checksum) }
//	str:        uvarint(len) bytes
//
// An empty list encodes as nil (a NULL column) and decodes back to nil.
const (
	extentsFormatV1 = 1
	partsFormatV1   = 1

	// minExtentLen and minPartLen are the fewest bytes one encoded element
	// takes; the decoders bound a claimed count by them before allocating.
	minExtentLen = len(s3.BlobID{}) + 2
	minPartLen   = 4
)

// errCorrupt marks a stored list that does not decode.
var errCorrupt = errors.New("sqlmeta: corrupt encoded list")

// encodeExtents encodes ex; it fails on a negative offset or length, which
// no valid extent has.
func encodeExtents(ex []s3.Extent) ([]byte, error) {
	if len(ex) == 0 {
		return nil, nil
	}
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(ex)*(len(s3.BlobID{})+8))
	b = append(b, extentsFormatV1)
	b = binary.AppendUvarint(b, uint64(len(ex)))
	for i, e := range ex {
		if e.Offset < 0 || e.Length < 0 {
			return nil, fmt.Errorf("sqlmeta: extent %d: negative offset %d or length %d", i, e.Offset, e.Length)
		}
		b = append(b, e.Blob[:]...)
		b = binary.AppendUvarint(b, uint64(e.Offset))
		b = binary.AppendUvarint(b, uint64(e.Length))
	}
	return b, nil
}

// decodeExtents decodes what encodeExtents wrote.
func decodeExtents(b []byte) ([]s3.Extent, error) {
	return decodeExtentsFrom(b, nil)
}

// decodeExtentsFrom is decodeExtents taking the list's memory from slab,
// if not nil.
func decodeExtentsFrom(b []byte, slab *extentSlab) ([]s3.Extent, error) {
	if len(b) == 0 {
		return nil, nil
	}
	d := listDecoder{b: b}
	n, err := d.header(extentsFormatV1, minExtentLen)
	if err != nil || n == 0 {
		return nil, err
	}
	var ex []s3.Extent
	if slab != nil {
		ex = slab.alloc(n)
	} else {
		ex = make([]s3.Extent, n)
	}
	for i := range ex {
		copy(ex[i].Blob[:], d.bytes(len(s3.BlobID{})))
		ex[i].Offset = d.int64()
		ex[i].Length = d.int64()
	}
	return ex, d.finish()
}

// concatExtents joins encoded extent lists into one, as encodeExtents
// would encode their concatenation, without decoding the elements; it
// returns the joined list and its length in extents.
func concatExtents(lists [][]byte) ([]byte, int, error) {
	total, size := 0, 0
	bodies := make([][]byte, 0, len(lists))
	for _, b := range lists {
		if len(b) == 0 {
			continue
		}
		d := listDecoder{b: b}
		n, err := d.header(extentsFormatV1, minExtentLen)
		if err != nil {
			return nil, 0, err
		}
		total += n
		size += len(d.b)
		bodies = append(bodies, d.b)
	}
	if total == 0 {
		return nil, 0, nil
	}
	out := make([]byte, 0, 1+binary.MaxVarintLen64+size)
	out = append(out, extentsFormatV1)
	out = binary.AppendUvarint(out, uint64(total))
	for _, b := range bodies {
		out = append(out, b...)
	}
	return out, total, nil
}

// extentSlab hands out extent slices cut from shared chunks, so that
// decoding the lists of 10,000 parts costs a few allocations rather than
// one a part. Each slice's capacity ends at its length, so an append to one
// copies it rather than overwrite its neighbour.
type extentSlab struct {
	free []s3.Extent
	next int // size of the next chunk
}

// extentSlabMax bounds a chunk, so that a little unused tail is all a
// slab wastes.
const extentSlabMax = 4096

func (s *extentSlab) alloc(n int) []s3.Extent {
	if n > len(s.free) {
		s.next = min(max(2*s.next, 64), extentSlabMax)
		if n >= s.next {
			return make([]s3.Extent, n)
		}
		s.free = make([]s3.Extent, s.next)
	}
	ex := s.free[:n:n]
	s.free = s.free[n:]
	return ex
}

// encodeParts encodes ps; it fails on a negative number or size.
func encodeParts(ps []s3.PartInfo) ([]byte, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(ps)*48)
	b = append(b, partsFormatV1)
	b = binary.AppendUvarint(b, uint64(len(ps)))
	for i, p := range ps {
		if p.Number < 0 || p.Size < 0 {
			return nil, fmt.Errorf("sqlmeta: part %d: negative number %d or size %d", i, p.Number, p.Size)
		}
		b = binary.AppendUvarint(b, uint64(p.Number))
		b = binary.AppendUvarint(b, uint64(p.Size))
		b = appendString(b, p.ETag)
		b = appendString(b, p.Checksum)
	}
	return b, nil
}

// decodeParts decodes what encodeParts wrote.
func decodeParts(b []byte) ([]s3.PartInfo, error) {
	if len(b) == 0 {
		return nil, nil
	}
	d := listDecoder{b: b}
	n, err := d.header(partsFormatV1, minPartLen)
	if err != nil || n == 0 {
		return nil, err
	}
	ps := make([]s3.PartInfo, n)
	for i := range ps {
		ps[i].Number = int(d.uint(math.MaxInt))
		ps[i].Size = d.int64()
		ps[i].ETag = d.string()
		ps[i].Checksum = d.string()
	}
	return ps, d.finish()
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// listDecoder reads an encoded list. The first malformed read sets err and
// every later read returns zero values, so the loops above need no checks.
type listDecoder struct {
	b   []byte
	err error
}

// header checks the version byte and reads the element count, rejecting a
// count the remaining bytes cannot hold.
func (d *listDecoder) header(version byte, minElemLen int) (int, error) {
	if d.b[0] != version {
		return 0, fmt.Errorf("%w: unknown format version %d", errCorrupt, d.b[0])
	}
	d.b = d.b[1:]
	n := d.uint(uint64(len(d.b) / minElemLen))
	if d.err != nil {
		return 0, d.err
	}
	if n == 0 {
		return 0, d.finish()
	}
	return int(n), nil
}

func (d *listDecoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", errCorrupt, what)
	}
	d.b = nil
}

// uint reads a uvarint no larger than max.
func (d *listDecoder) uint(max uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > max {
		d.fail("integer")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *listDecoder) int64() int64 { return int64(d.uint(math.MaxInt64)) }

func (d *listDecoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if len(d.b) < n {
		d.fail("length")
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *listDecoder) string() string {
	n := d.uint(uint64(len(d.b)))
	return string(d.bytes(int(n)))
}

// finish reports the first error, or trailing bytes after the last element.
func (d *listDecoder) finish() error {
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(d.b))
	}
	return d.err
}
