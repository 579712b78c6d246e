package sqlmeta

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

func TestConcatExtents(t *testing.T) {
	ex := func(n int, seed byte) []s3.Extent {
		out := make([]s3.Extent, n)
		for i := range out {
			out[i] = s3.Extent{Blob: s3.BlobID{seed, byte(i)}, Offset: int64(i) << 30, Length: int64(i)*1000 + 1}
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		lists [][]s3.Extent
	}{
		{"none", nil},
		{"empty lists", [][]s3.Extent{nil, nil}},
		{"one", [][]s3.Extent{ex(3, 1)}},
		{"several", [][]s3.Extent{ex(1, 1), nil, ex(200, 2), ex(7, 3)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var encoded [][]byte
			var all []s3.Extent
			for _, l := range tc.lists {
				b, err := encodeExtents(l)
				if err != nil {
					t.Fatal(err)
				}
				encoded = append(encoded, b)
				all = append(all, l...)
			}
			got, n, err := concatExtents(encoded)
			if err != nil {
				t.Fatalf("concatExtents: %v", err)
			}
			want, _ := encodeExtents(all)
			if n != len(all) || !slices.Equal(got, want) {
				t.Errorf("concatExtents = %d extents %x, want %d %x", n, got, len(all), want)
			}
		})
	}
	valid, _ := encodeExtents(ex(2, 1))
	for _, bad := range [][]byte{{9, 1}, {extentsFormatV1, 0xff}, {extentsFormatV1, 0, 1}} {
		if _, _, err := concatExtents([][]byte{valid, bad}); !errors.Is(err, errCorrupt) {
			t.Errorf("concatExtents with %x = %v, want errCorrupt", bad, err)
		}
	}
}

// TestExtentSlab checks that lists decoded from one slab do not overlap:
// appending to one must not change its neighbour.
func TestExtentSlab(t *testing.T) {
	var slab extentSlab
	var lists [][]s3.Extent
	for i := range 300 {
		n := i%5 + 1
		if i == 150 {
			n = extentSlabMax + 1 // larger than a chunk
		}
		l := make([]s3.Extent, n)
		for j := range l {
			l[j] = s3.Extent{Blob: s3.BlobID{byte(i)}, Offset: int64(j)}
		}
		b, _ := encodeExtents(l)
		got, err := decodeExtentsFrom(b, &slab)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, l) || cap(got) != len(got) {
			t.Fatalf("list %d: decoded %d extents of capacity %d, want %d", i, len(got), cap(got), n)
		}
		lists = append(lists, got)
	}
	for i := range lists {
		lists[i] = append(lists[i], s3.Extent{Offset: -1})
	}
	for i, l := range lists {
		for j, e := range l[:len(l)-1] {
			if e.Blob[0] != byte(i) || e.Offset != int64(j) {
				t.Fatalf("list %d changed at %d: %+v", i, j, e)
			}
		}
	}
}

func TestUploadAttrsRoundTrip(t *testing.T) {
	for _, u := range []meta.Upload{
		{},
		{StorageClass: "GLACIER"},
		{ChecksumAlgorithm: s3.ChecksumCRC64NVME, ChecksumType: s3.ChecksumTypeFullObject},
		{Headers: meta.ObjectHeaders{ContentType: "a/b"}, UserMetadata: map[string]string{"k": "\"v\""},
			Tags: []s3.Tag{{Key: "t", Value: ""}}, StorageClass: "STANDARD", ChecksumAlgorithm: s3.ChecksumSHA1,
			ChecksumType: s3.ChecksumTypeComposite},
	} {
		s, err := encodeUploadAttrs(&u)
		if err != nil {
			t.Fatal(err)
		}
		var got meta.Upload
		if err := decodeUploadAttrs(s, &got); err != nil {
			t.Fatalf("decodeUploadAttrs(%s): %v", s, err)
		}
		if d := cmp.Diff(u, got); d != "" {
			t.Errorf("upload attrs %s round trip (-want +got):\n%s", s, d)
		}
		var a objectAttrs
		if !strings.Contains(s, `\`) && !decodeAttrsFast(s, &a) {
			t.Errorf("fast decoder refused upload attributes %s", s)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, tc := range []struct{ prefix, want string }{
		{"", ""},
		{"a", "b"},
		{"logs/", "logs0"},
		{"a\x7f", "a\u0080"},
		{"é", "ê"},
		{"\ud7ff", "\ue000"},
		{"x\U0010FFFF", "y"},
		{"\U0010FFFF\U0010FFFF", ""},
		{"a\uffff", "a\U00010000"},
	} {
		got := prefixEnd(tc.prefix)
		if got != tc.want {
			t.Errorf("prefixEnd(%q) = %q, want %q", tc.prefix, got, tc.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("prefixEnd(%q) = %q is not UTF-8", tc.prefix, got)
		}
	}
}

func FuzzPrefixEnd(f *testing.F) {
	for _, s := range []string{"", "a", "logs/", "x\U0010FFFF", "\ud7ff", "日本"} {
		f.Add(s, "suffix")
	}
	f.Fuzz(func(t *testing.T, prefix, rest string) {
		if !utf8.ValidString(prefix) || !utf8.ValidString(rest) {
			return
		}
		end := prefixEnd(prefix)
		if !utf8.ValidString(end) {
			t.Fatalf("prefixEnd(%q) = %q is not UTF-8", prefix, end)
		}
		// Every key with the prefix lies in [prefix, end).
		key := prefix + rest
		if end != "" && key >= end {
			t.Fatalf("key %q with prefix %q is not below prefixEnd %q", key, prefix, end)
		}
		// A key at or above end lacks the prefix.
		if end != "" && strings.HasPrefix(end+rest, prefix) {
			t.Fatalf("prefixEnd(%q) = %q starts with the prefix", prefix, end)
		}
	})
}
