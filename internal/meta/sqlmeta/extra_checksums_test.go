package sqlmeta

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-s3/cairn/internal/s3"
)

func TestExtraChecksumsRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    map[s3.ChecksumAlgorithm]string
		fast bool // the fast parser reads the encoding
	}{
		{"one", map[s3.ChecksumAlgorithm]string{"CRC64ECMA": "Ab+/cdEFgh0="}, true},
		{"several", map[s3.ChecksumAlgorithm]string{"CRC64ECMA": "AAAAAAAAAAA=", s3.ChecksumCRC32: "AAAAAA==",
			s3.ChecksumSHA256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}, true},
		{"empty values", map[s3.ChecksumAlgorithm]string{"": ""}, true},
		{"odd strings", map[s3.ChecksumAlgorithm]string{"ü": "😀", `q"<&>`: "nul\x00\\\n"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := encodeExtraChecksums(tc.m)
			if err != nil {
				t.Fatalf("encodeExtraChecksums: %v", err)
			}
			s, ok := v.(string)
			if !ok {
				t.Fatalf("encodeExtraChecksums = %T %v, want a string", v, v)
			}
			got, err := decodeExtraChecksums(s)
			if err != nil {
				t.Fatalf("decodeExtraChecksums(%s): %v", s, err)
			}
			if d := cmp.Diff(tc.m, got); d != "" {
				t.Errorf("round trip of %s (-want +got):\n%s", s, d)
			}
			var m map[s3.ChecksumAlgorithm]string
			if fast := decodeExtraChecksumsFast(s, &m); fast != tc.fast {
				t.Errorf("fast parser of %s: %v, want %v", s, fast, tc.fast)
			}
		})
	}
	// No checksums are NULL, and NULL and {} read back as nil.
	for _, m := range []map[s3.ChecksumAlgorithm]string{nil, {}} {
		if v, err := encodeExtraChecksums(m); v != nil || err != nil {
			t.Errorf("encodeExtraChecksums(%#v) = %#v, %v, want nil (NULL)", m, v, err)
		}
	}
	for _, s := range []string{"", "{}", " { } "} {
		if m, err := decodeExtraChecksums(s); m != nil || err != nil {
			t.Errorf("decodeExtraChecksums(%q) = %#v, %v, want nil", s, m, err)
		}
	}
	for _, s := range []string{"{", "[]", `{"a":1}`, "null x"} {
		if _, err := decodeExtraChecksums(s); err == nil {
			t.Errorf("decodeExtraChecksums(%q) succeeded", s)
		}
	}
	if validExtraChecksums(map[s3.ChecksumAlgorithm]string{"a": "\xff"}) ||
		validExtraChecksums(map[s3.ChecksumAlgorithm]string{"\xff": "a"}) {
		t.Errorf("validExtraChecksums accepts invalid UTF-8")
	}
}

func FuzzDecodeExtraChecksums(f *testing.F) {
	for _, m := range []map[s3.ChecksumAlgorithm]string{
		{"CRC64ECMA": "AAAAAAAAAAA="},
		{s3.ChecksumCRC32C: "yZRlqg==", s3.ChecksumSHA1: "2jmj7l5rSw0yVb/vlWAYkK/YBwk="},
	} {
		v, _ := encodeExtraChecksums(m)
		f.Add(v.(string))
	}
	for _, s := range []string{`{}`, `{"a":"1","a":"2"}`, `{"a":"\u0041"}`, `{"a":null}`, `null`, `{"a":"b"} `,
		`{"a":"b",}`, `{"\xff":"b"}`, `{"a":"` + "\x7f" + `"}`, `{"a":"ü"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var fast, std map[s3.ChecksumAlgorithm]string
		if !decodeExtraChecksumsFast(s, &fast) {
			return
		}
		if err := json.Unmarshal([]byte(s), &std); err != nil {
			t.Fatalf("fast parser accepted %q, encoding/json: %v", s, err)
		}
		if d := cmp.Diff(std, fast); d != "" {
			t.Fatalf("decoding %q (-encoding/json +fast):\n%s", s, d)
		}
	})
}

// TestSQLitePartsExtentsLast checks that the migrations keep the extents
// the last column of parts, which a listing without them relies on.
func TestSQLitePartsExtentsLast(t *testing.T) {
	s, err := OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "meta.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.read.QueryContext(t.Context(), `SELECT name FROM pragma_table_info('parts') ORDER BY cid`)
	got, err := collect(rows, err, func(s rowScanner) (string, error) {
		var name string
		err := s.Scan(&name)
		return name, err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"upload_id", "part_number", "size", "etag", "last_modified", "checksum", "extra_checksums", "extents"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("columns of parts (-want +got):\n%s", d)
	}
}
