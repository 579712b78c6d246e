package s3api

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-s3/cairn/internal/object"
	"github.com/cairn-s3/cairn/internal/s3"
	"github.com/google/go-cmp/cmp"
)

func TestParseCompleteBody(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []object.CompletedPart
		err  s3.ErrorCode
	}{
		{
			name: "aws sdk shape",
			body: `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>"a"</ETag><PartNumber>1</PartNumber></Part><Part><PartNumber>2</PartNumber><ETag>b</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part></CompleteMultipartUpload>`,
			want: []object.CompletedPart{{Number: 1, ETag: `"a"`}, {Number: 2, ETag: "b", ChecksumAlgorithm: s3.ChecksumCRC32, Checksum: "AAAAAA=="}},
		},
		{
			name: "cos shape: escaped quotes, no namespace",
			body: "<CompleteMultipartUpload>\n  <Part>\n    <ETag>&#34;e&#34;</ETag>\n    <PartNumber> 3 </PartNumber>\n  </Part>\n</CompleteMultipartUpload>",
			want: []object.CompletedPart{{Number: 3, ETag: `"e"`}},
		},
		{name: "unknown elements ignored", body: `<CompleteMultipartUpload><Foo><Bar/></Foo><Part><PartNumber>1</PartNumber><ETag>x</ETag><Size>5</Size></Part></CompleteMultipartUpload>`,
			want: []object.CompletedPart{{Number: 1, ETag: "x"}}},
		{name: "2026 algorithms", body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag><ChecksumXXHASH128>AAAAAAAAAAAAAAAAAAAAAA==</ChecksumXXHASH128><ChecksumBLAKE9>z</ChecksumBLAKE9></Part></CompleteMultipartUpload>`,
			want: []object.CompletedPart{{Number: 1, ETag: "x", ChecksumAlgorithm: s3.ChecksumXXHASH128, Checksum: "AAAAAAAAAAAAAAAAAAAAAA=="}}},
		{name: "two checksums, new and old", body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag><ChecksumSHA512>a</ChecksumSHA512><ChecksumCRC32>b</ChecksumCRC32></Part></CompleteMultipartUpload>`, err: s3.ErrInvalidArgument},
		{name: "empty", body: ``, err: s3.ErrMalformedXML},
		{name: "no parts", body: `<CompleteMultipartUpload></CompleteMultipartUpload>`, err: s3.ErrMalformedXML},
		{name: "wrong root", body: `<Complete><Part><PartNumber>1</PartNumber></Part></Complete>`, err: s3.ErrMalformedXML},
		{name: "truncated", body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>`, err: s3.ErrMalformedXML},
		{name: "not a number", body: `<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>`, err: s3.ErrMalformedXML},
		{name: "missing number", body: `<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>`, err: s3.ErrMalformedXML},
		{name: "two checksums", body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag><ChecksumCRC32>a</ChecksumCRC32><ChecksumSHA1>b</ChecksumSHA1></Part></CompleteMultipartUpload>`, err: s3.ErrInvalidArgument},
		{name: "garbage", body: `{"parts":[]}`, err: s3.ErrMalformedXML},
		{name: "two roots", body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload><CompleteMultipartUpload/>`, err: s3.ErrMalformedXML},
		{name: "mismatched tags", body: `<CompleteMultipartUpload><Part><PartNumber>1</ETag></Part></CompleteMultipartUpload>`, err: s3.ErrMalformedXML},
		{name: "text outside root", body: `junk<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>`,
			want: []object.CompletedPart{{Number: 1, ETag: "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCompleteBody(strings.NewReader(tt.body))
			if tt.err != "" {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Fatalf("parts (-want +got):\n%s", d)
			}
		})
	}
}

// FuzzParseCompleteBody: any input yields parts or an S3 error, never a
// panic or a raw Go error.
func FuzzParseCompleteBody(f *testing.F) {
	f.Add(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`)
	f.Add(`<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>y</ETag><ChecksumCRC64NVME>AAAAAAAAAAA=</ChecksumCRC64NVME></Part></CompleteMultipartUpload>`)
	f.Add(`<CompleteMultipartUpload><Part><Part></Part></Part></CompleteMultipartUpload>`)
	f.Add(`<?xml version="1.0"?><!DOCTYPE x><CompleteMultipartUpload/>`)
	f.Fuzz(func(t *testing.T, body string) {
		parts, err := parseCompleteBody(strings.NewReader(body))
		if err != nil {
			if _, ok := s3.AsError(err); !ok {
				t.Fatalf("non-S3 error %v", err)
			}
			return
		}
		if len(parts) == 0 || len(parts) > s3.MaxPartNumber {
			t.Fatalf("accepted %d parts", len(parts))
		}
	})
}

// BenchmarkParseCompleteBody10000 measures the largest Complete document.
func BenchmarkParseCompleteBody10000(b *testing.B) {
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	for i := 1; i <= 10000; i++ {
		fmt.Fprintf(&doc, `<Part><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><PartNumber>%d</PartNumber></Part>`, i)
	}
	doc.WriteString(`</CompleteMultipartUpload>`)
	body := doc.String()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		parts, err := parseCompleteBody(strings.NewReader(body))
		if err != nil || len(parts) != 10000 {
			b.Fatal(len(parts), err)
		}
	}
}
