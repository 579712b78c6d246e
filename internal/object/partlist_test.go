package object

import (
	"errors"
	"testing"

	"github.com/cairn-s3/cairn/internal/s3"
)

func parts(nums ...int) []CompletedPart {
	out := make([]CompletedPart, len(nums))
	for i, n := range nums {
		out[i] = CompletedPart{Number: n, ETag: "x"}
	}
	return out
}

func TestValidatePartList(t *testing.T) {
	tests := []struct {
		name        string
		parts       []CompletedPart
		consecutive bool
		want        s3.ErrorCode // "" for valid
	}{
		{"empty", nil, false, s3.ErrMalformedXML},
		{"one", parts(1), false, ""},
		{"ascending with gaps", parts(1, 3, 5), false, ""},
		{"starts above one", parts(2, 3), false, ""},
		{"descending", parts(2, 1), false, s3.ErrInvalidPartOrder},
		{"duplicate", parts(1, 2, 2), false, s3.ErrInvalidPartOrder},
		{"zero", parts(0), false, s3.ErrInvalidArgument},
		{"negative", parts(-1, 2), false, s3.ErrInvalidArgument},
		{"above max", parts(1, 10001), false, s3.ErrInvalidArgument},
		{"max", parts(1, 10000), false, ""},
		{"consecutive ok", parts(1, 2, 3), true, ""},
		{"consecutive gap", parts(1, 3), true, s3.ErrInvalidPartOrder},
		{"consecutive not from one", parts(2, 3), true, s3.ErrInvalidPartOrder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validatePartList(tt.parts, tt.consecutive)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
		})
	}
}

func TestStripQuotes(t *testing.T) {
	for in, want := range map[string]string{`"abc"`: "abc", "abc": "abc", `"`: `"`, `""`: "", `"a`: `"a`} {
		if got := stripQuotes(in); got != want {
			t.Errorf("stripQuotes(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzValidatePartList checks that any part list is either accepted as
// strictly ascending within range, or refused with an S3 error.
func FuzzValidatePartList(f *testing.F) {
	f.Add([]byte{1, 2, 3}, false)
	f.Add([]byte{1, 3, 5}, true)
	f.Add([]byte{}, false)
	f.Add([]byte{5, 5}, false)
	f.Fuzz(func(t *testing.T, raw []byte, consecutive bool) {
		var ps []CompletedPart
		for i := 0; i+1 < len(raw); i += 2 {
			n := int(int16(uint16(raw[i])<<8 | uint16(raw[i+1])))
			ps = append(ps, CompletedPart{Number: n})
		}
		err := validatePartList(ps, consecutive)
		if err != nil {
			if _, ok := s3.AsError(err); !ok {
				t.Fatalf("non-S3 error %v", err)
			}
			return
		}
		if len(ps) == 0 {
			t.Fatal("accepted an empty list")
		}
		for i, p := range ps {
			if p.Number < 1 || p.Number > s3.MaxPartNumber || (i > 0 && p.Number <= ps[i-1].Number) || (consecutive && p.Number != i+1) {
				t.Fatalf("accepted invalid list %v", ps)
			}
		}
	})
}
