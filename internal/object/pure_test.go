package object

import (
	"errors"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/s3"
	"github.com/google/go-cmp/cmp"
)

func TestSliceExtents(t *testing.T) {
	a, b, c := s3.BlobID{1}, s3.BlobID{2}, s3.BlobID{3}
	exts := []s3.Extent{{Blob: a, Offset: 10, Length: 5}, {Blob: b, Offset: 0, Length: 10}, {Blob: c, Offset: 100, Length: 5}}
	tests := []struct {
		off, n int64
		want   []s3.Extent
	}{
		{0, 20, exts},
		{0, 5, []s3.Extent{{Blob: a, Offset: 10, Length: 5}}},
		{3, 4, []s3.Extent{{Blob: a, Offset: 13, Length: 2}, {Blob: b, Offset: 0, Length: 2}}},
		{5, 10, []s3.Extent{{Blob: b, Offset: 0, Length: 10}}},
		{14, 3, []s3.Extent{{Blob: b, Offset: 9, Length: 1}, {Blob: c, Offset: 100, Length: 2}}},
		{19, 1, []s3.Extent{{Blob: c, Offset: 104, Length: 1}}},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, sliceExtents(exts, tt.off, tt.n)); d != "" {
			t.Errorf("sliceExtents(%d, %d) (-want +got):\n%s", tt.off, tt.n, d)
		}
	}
}

func TestAbortDate(t *testing.T) {
	tests := []struct {
		initiated time.Time
		days      int
		want      time.Time
	}{
		{time.Date(2026, 11, 23, 17, 5, 0, 0, time.UTC), 1, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), 7, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), 1, time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := abortDate(tt.initiated, tt.days); !got.Equal(tt.want) {
			t.Errorf("abortDate(%v, %d) = %v, want %v", tt.initiated, tt.days, got, tt.want)
		}
	}
}

func TestLifecycleAbortRule(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	lc := Lifecycle{Rules: []LifecycleRule{
		{ID: "slow", Enabled: true, AbortAfterDays: 30},
		{ID: "logs", Enabled: true, Prefix: "logs/", AbortAfterDays: 2},
		{ID: "off", Enabled: false, AbortAfterDays: 1},
	}}
	if r := lc.abortRule("logs/a", at); r == nil || r.RuleID != "logs" {
		t.Fatalf("logs/a: got %+v, want rule logs", r)
	}
	if r := lc.abortRule("data/a", at); r == nil || r.RuleID != "slow" {
		t.Fatalf("data/a: got %+v, want rule slow", r)
	}
	if r := (Lifecycle{Rules: []LifecycleRule{{ID: "off", AbortAfterDays: 1}}}).abortRule("x", at); r != nil {
		t.Fatalf("disabled rule applied: %+v", r)
	}
}

func TestSuccessorAndCommonPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"":            "",
		"a":           "b",
		"a/":          "a0",
		"photos/":     "photos0",
		"\U0010FFFF":  "",
		"a\U0010FFFF": "b",
		"\uD7FF":      "\uE000",
		"é":           "ê",
		"x\xff":       "y",
		"x\xfe":       "x\xff",
	} {
		if got := successor(in); got != want {
			t.Errorf("successor(%q) = %q, want %q", in, got, want)
		}
	}
	if cp, ok := commonPrefix("a/b/c", "a/", "/"); !ok || cp != "a/b/" {
		t.Errorf("commonPrefix = %q, %v", cp, ok)
	}
	if _, ok := commonPrefix("a/b", "a/", ""); ok {
		t.Error("no delimiter folded a key")
	}
	if cp, ok := commonPrefix("a--b--c", "", "--"); !ok || cp != "a--" {
		t.Errorf("multi-byte delimiter: %q, %v", cp, ok)
	}
}

// FuzzRangeResolve: any range on any object size selects bytes inside the
// object, or is InvalidRange.
func FuzzRangeResolve(f *testing.F) {
	f.Add(int64(0), int64(9), false, int64(0), int64(10))
	f.Add(int64(5), int64(-1), false, int64(0), int64(3))
	f.Add(int64(0), int64(0), true, int64(4), int64(2))
	f.Add(int64(0), int64(0), true, int64(0), int64(0))
	f.Fuzz(func(t *testing.T, start, end int64, suffix bool, suffixLen, size int64) {
		if size < 0 || start < 0 || suffixLen < 0 || (end >= 0 && end < start) || end < -1 {
			return // parseRange never produces these
		}
		r := Range{Start: start, End: end, Suffix: suffix, SuffixLength: suffixLen}
		off, n, err := r.resolve(size)
		if err != nil {
			if !errors.Is(err, s3.ErrInvalidRange) {
				t.Fatalf("%+v on %d: %v", r, size, err)
			}
			return
		}
		if off < 0 || n <= 0 || off+n > size {
			t.Fatalf("%+v on %d bytes: off %d n %d", r, size, off, n)
		}
	})
}
