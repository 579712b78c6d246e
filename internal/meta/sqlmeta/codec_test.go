package sqlmeta

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

func TestExtentsRoundTrip(t *testing.T) {
	id1, id2 := s3.BlobID{1, 2, 3}, s3.BlobID{0xff, 0xfe}
	many := make([]s3.Extent, 10000)
	for i := range many {
		many[i] = s3.Extent{Blob: id1, Offset: int64(i) << 20, Length: 5 << 20}
	}
	for _, tc := range []struct {
		name string
		ex   []s3.Extent
	}{
		{"nil", nil},
		{"one", []s3.Extent{{Blob: id1, Offset: 0, Length: 1}}},
		{"zero values", []s3.Extent{{}}},
		{"extremes", []s3.Extent{{Blob: id2, Offset: math.MaxInt64, Length: math.MaxInt64}, {Blob: id1}}},
		{"many", many},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := encodeExtents(tc.ex)
			if err != nil {
				t.Fatalf("encodeExtents: %v", err)
			}
			got, err := decodeExtents(b)
			if err != nil {
				t.Fatalf("decodeExtents: %v", err)
			}
			if !slices.Equal(tc.ex, got) {
				t.Errorf("round trip of %d extents gave %d different ones", len(tc.ex), len(got))
			}
		})
	}
	if b, _ := encodeExtents([]s3.Extent{}); b != nil {
		t.Errorf("empty list encodes as %x, want nil", b)
	}
	// 16 bytes of id and two one-byte varints: 18 bytes an extent.
	if b, _ := encodeExtents(many[:1]); len(b) != 2+16+1+4 {
		t.Errorf("one extent takes %d bytes", len(b))
	}
}

func TestPartsRoundTrip(t *testing.T) {
	many := make([]s3.PartInfo, s3.MaxPartNumber)
	for i := range many {
		many[i] = s3.PartInfo{Number: i + 1, Size: 5 << 20, ETag: "0123456789abcdef0123456789abcdef", Checksum: "AAAAAA=="}
	}
	for _, tc := range []struct {
		name string
		ps   []s3.PartInfo
	}{
		{"nil", nil},
		{"one", []s3.PartInfo{{Number: 1, Size: 1, ETag: "e", Checksum: ""}}},
		{"zero values", []s3.PartInfo{{}}},
		{"odd strings", []s3.PartInfo{{Number: math.MaxInt32, Size: math.MaxInt64, ETag: "\x00\xff\"", Checksum: "ü😀"}}},
		{"many", many},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := encodeParts(tc.ps)
			if err != nil {
				t.Fatalf("encodeParts: %v", err)
			}
			got, err := decodeParts(b)
			if err != nil {
				t.Fatalf("decodeParts: %v", err)
			}
			if !slices.Equal(tc.ps, got) {
				t.Errorf("round trip of %d parts gave %d different ones", len(tc.ps), len(got))
			}
		})
	}
}

func TestEncodeRejectsNegative(t *testing.T) {
	for _, ex := range [][]s3.Extent{{{Offset: -1}}, {{Length: -1}}} {
		if _, err := encodeExtents(ex); err == nil {
			t.Errorf("encodeExtents(%+v) succeeded", ex)
		}
	}
	for _, ps := range [][]s3.PartInfo{{{Number: -1}}, {{Size: -1}}} {
		if _, err := encodeParts(ps); err == nil {
			t.Errorf("encodeParts(%+v) succeeded", ps)
		}
	}
}

func TestDecodeCorrupt(t *testing.T) {
	valid, _ := encodeExtents([]s3.Extent{{Blob: s3.BlobID{9}, Offset: 300, Length: 70000}})
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"unknown version", append([]byte{2}, valid[1:]...)},
		{"truncated", valid[:len(valid)-1]},
		{"trailing byte", append(valid[:len(valid):len(valid)], 0)},
		{"count larger than data", []byte{extentsFormatV1, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"varint overflow", append([]byte{extentsFormatV1, 1}, append(make([]byte, 16), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0)...)},
		{"offset above MaxInt64", append([]byte{extentsFormatV1, 1}, append(make([]byte, 16), 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0)...)},
	} {
		if _, err := decodeExtents(tc.b); !errors.Is(err, errCorrupt) {
			t.Errorf("decodeExtents(%s) = %v, want errCorrupt", tc.name, err)
		}
	}
	for _, b := range [][]byte{{partsFormatV1, 1, 1, 1, 5, 'a'}, {partsFormatV1, 1, 1, 1, 0}, {9}} {
		if _, err := decodeParts(b); !errors.Is(err, errCorrupt) {
			t.Errorf("decodeParts(%x) = %v, want errCorrupt", b, err)
		}
	}
}

func FuzzDecodeExtents(f *testing.F) {
	for _, ex := range [][]s3.Extent{
		{{Blob: s3.BlobID{1}, Offset: 0, Length: 1}},
		{{Blob: s3.BlobID{0xff}, Offset: math.MaxInt64, Length: 127}, {Blob: s3.BlobID{2}, Offset: 128, Length: 16384}},
	} {
		b, _ := encodeExtents(ex)
		f.Add(b)
	}
	f.Add([]byte{extentsFormatV1, 0})
	f.Add([]byte{extentsFormatV1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		ex, err := decodeExtents(b)
		if err != nil {
			return
		}
		// What decodes re-encodes to something that decodes the same.
		again, err := encodeExtents(ex)
		if err != nil {
			t.Fatalf("re-encoding decoded extents: %v", err)
		}
		ex2, err := decodeExtents(again)
		if err != nil {
			t.Fatalf("decoding re-encoded extents: %v", err)
		}
		if d := cmp.Diff(ex, ex2); d != "" {
			t.Fatalf("re-encoding changed the extents (-first +second):\n%s", d)
		}
	})
}

func FuzzDecodeParts(f *testing.F) {
	for _, ps := range [][]s3.PartInfo{
		{{Number: 1, Size: 5 << 20, ETag: "0123456789abcdef0123456789abcdef", Checksum: "AAAAAA=="}},
		{{Number: 10000, Size: 0}, {Number: 2, Size: math.MaxInt64, ETag: "ü"}},
	} {
		b, _ := encodeParts(ps)
		f.Add(b)
	}
	f.Add([]byte{partsFormatV1, 1, 1, 1, 0xff, 0x01})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := decodeParts(b)
		if err != nil {
			return
		}
		again, err := encodeParts(ps)
		if err != nil {
			t.Fatalf("re-encoding decoded parts: %v", err)
		}
		ps2, err := decodeParts(again)
		if err != nil {
			t.Fatalf("decoding re-encoded parts: %v", err)
		}
		if d := cmp.Diff(ps, ps2); d != "" {
			t.Fatalf("re-encoding changed the parts (-first +second):\n%s", d)
		}
	})
}

func TestAttrsRoundTrip(t *testing.T) {
	for _, o := range []meta.Object{
		{},
		{Headers: meta.ObjectHeaders{ContentType: "a/b", Expires: "x"}},
		{UserMetadata: map[string]string{"k": "v", "": "", "ü": "\x00\x01\"<>&"}},
		{Tags: []s3.Tag{{Key: "b", Value: ""}, {Key: "a", Value: "1"}}},
		{Checksum: s3.Checksum{Type: s3.ChecksumTypeComposite}},
		{Checksum: s3.Checksum{Algorithm: s3.ChecksumSHA256, Type: s3.ChecksumTypeComposite, Value: "abc=-3"}, UploadID: "u"},
		{ExtraChecksums: map[s3.ChecksumAlgorithm]string{"CRC64ECMA": "AAAAAAAAAAA="}},
		{Checksum: s3.Checksum{Algorithm: s3.ChecksumCRC32, Type: s3.ChecksumTypeFullObject, Value: "AAAAAA=="},
			ExtraChecksums: map[s3.ChecksumAlgorithm]string{"CRC64ECMA": "Ab+/cdEFgh0=", s3.ChecksumSHA1: "2jmj7l5rSw0yVb/vlWAYkK/YBwk=", "ü": "\\x00\""}},
	} {
		s, err := encodeAttrs(&o)
		if err != nil {
			t.Fatalf("encodeAttrs(%+v): %v", o, err)
		}
		var got meta.Object
		if err := decodeAttrs(s, &got); err != nil {
			t.Fatalf("decodeAttrs(%s): %v", s, err)
		}
		if d := cmp.Diff(o, got); d != "" {
			t.Errorf("attrs %s round trip (-want +got):\n%s", s, d)
		}
	}
	// Empty maps and slices normalise to nil.
	s, _ := encodeAttrs(&meta.Object{UserMetadata: map[string]string{}, Tags: []s3.Tag{},
		ExtraChecksums: map[s3.ChecksumAlgorithm]string{}})
	if s != "{}" {
		t.Errorf("empty attributes encode as %s, want {}", s)
	}
}

func FuzzDecodeAttrs(f *testing.F) {
	for _, o := range []meta.Object{
		{},
		{Headers: meta.ObjectHeaders{ContentType: "application/octet-stream", CacheControl: "no-cache"}},
		{UserMetadata: map[string]string{"k": "v", "ü": "😀", "q": `"quoted"`}},
		{Tags: []s3.Tag{{Key: "a", Value: ""}, {Key: "b", Value: "c"}}, UploadID: "up"},
		{Checksum: s3.Checksum{Algorithm: s3.ChecksumCRC32, Type: s3.ChecksumTypeFullObject, Value: "AAAA/+=="}},
		{ExtraChecksums: map[s3.ChecksumAlgorithm]string{"CRC64ECMA": "AAAAAAAAAAA=", s3.ChecksumSHA256: "47DEQpj8=="}},
	} {
		s, _ := encodeAttrs(&o)
		f.Add(s)
	}
	for _, s := range []string{`{"t":[["a","b"]],"t":[]}`, `{"c":{"a":"x"},"c":{"v":"y"}}`, `{"H":{"CT":"x"}}`,
		`{"m":null}`, `{"h":{"ct":"a\u0000"}}`, `{"u":"\xff"}`, `{"t":[["a"]]}`, ` {}`, `{}x`,
		`{"s":"GLACIER","c":{"a":"SHA1","t":"COMPOSITE"}}`, `{"s":1}`, `{"s":"a","s":"b"}`,
		`{"x":{}}`, `{"x":null}`, `{"x":{"a":"1"},"x":{"b":"2","a":"3"}}`, `{"X":{"a":"b"}}`, `{"x":{"a":1}}`,
		`{"x":[]}`, `{"c":{"v":"y"},"x":{"CRC64ECMA":"AAAAAAAAAAA="},"u":"z"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var fast, std objectAttrs
		if !decodeAttrsFast(s, &fast) {
			return
		}
		if err := json.Unmarshal([]byte(s), &std); err != nil {
			t.Fatalf("fast decoder accepted %q, encoding/json: %v", s, err)
		}
		if d := cmp.Diff(std, fast); d != "" {
			t.Fatalf("decoding %q (-encoding/json +fast):\n%s", s, d)
		}
	})
}

// TestDecodeAttrsFastCoversEncoder checks that what encodeAttrs writes for
// ordinary objects takes the fast path.
func TestDecodeAttrsFastCoversEncoder(t *testing.T) {
	o := meta.Object{
		Headers:      meta.ObjectHeaders{ContentType: "text/plain; charset=utf-8", ContentLanguage: "de"},
		UserMetadata: map[string]string{"author": "Zoë", "n": "1"},
		Tags:         []s3.Tag{{Key: "project", Value: "cairn"}},
		Checksum:     s3.Checksum{Algorithm: s3.ChecksumCRC64NVME, Type: s3.ChecksumTypeFullObject, Value: "Ab+/cd=="},
		ExtraChecksums: map[s3.ChecksumAlgorithm]string{"CRC64ECMA": "Ab+/cdEFgh0=",
			s3.ChecksumSHA256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
		UploadID: "0123-abcd",
	}
	s, err := encodeAttrs(&o)
	if err != nil {
		t.Fatal(err)
	}
	var a objectAttrs
	if !decodeAttrsFast(s, &a) {
		t.Errorf("fast decoder refused %s", s)
	}
}
