package blobtest

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"

	"github.com/cairn-s3/cairn/internal/blob"
	"github.com/cairn-s3/cairn/internal/s3"
)

// rangeCases check Open's offsets, lengths and bounds.
var rangeCases = []testCase{
	{"OpenRanges", testOpenRanges},
	{"OpenOutOfRange", testOpenOutOfRange},
}

func testOpenRanges(t *testing.T, s blob.Store) {
	const size = 10_000
	id := s3.NewBlobID()
	data := randomBytes(20, size)
	put(t, s, id, data, 4096)
	tests := []struct {
		name        string
		off, length int64
	}{
		{"whole", 0, size},
		{"empty at start", 0, 0},
		{"empty in middle", 5000, 0},
		{"empty at end", size, 0},
		{"first byte", 0, 1},
		{"last byte", size - 1, 1},
		{"prefix", 0, 4096},
		{"suffix", 4096, size - 4096},
		{"middle across write boundaries", 4000, 4200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := data[tt.off : tt.off+tt.length]
			if got := openRead(t, s, id, tt.off, tt.length); !bytes.Equal(got, want) {
				t.Errorf("Read gave %d bytes, want %d (equal: false)", len(got), len(want))
			}
			for _, plain := range []bool{true, false} {
				got, ok := openWriteTo(t, s, id, tt.off, tt.length, plain)
				if ok && !bytes.Equal(got, want) {
					t.Errorf("WriteTo (plain writer %v) gave %d bytes, want %d", plain, len(got), len(want))
				}
			}
		})
	}
}

func testOpenOutOfRange(t *testing.T, s blob.Store) {
	const size = 1000
	id := s3.NewBlobID()
	put(t, s, id, randomBytes(21, size), 1000)
	tests := []struct {
		name        string
		off, length int64
	}{
		{"one past the end", 0, size + 1},
		{"tail past the end", size - 10, 11},
		{"offset past the end", size + 1, 0},
		{"offset far past the end", 1 << 40, 1},
		{"negative offset", -1, 1},
		{"negative length", 0, -1},
		{"overflowing sum", 10, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Open(context.Background(), id, tt.off, tt.length)
			if err == nil {
				r.Close()
			}
			if !errors.Is(err, blob.ErrRange) {
				t.Errorf("Open(%d, %d) of %d bytes = %v, want ErrRange", tt.off, tt.length, size, err)
			}
		})
	}
}
