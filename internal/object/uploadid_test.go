package object

import (
	"sort"
	"testing"
	"time"
)

func TestUploadIDOrderAndTime(t *testing.T) {
	base := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 200 {
		at := base.Add(time.Duration(i*7919) * time.Microsecond)
		id := newUploadID(at)
		got, ok := uploadIDTime(id)
		if !ok || !got.Equal(at) {
			t.Fatalf("uploadIDTime(%q) = %v, %v; want %v", id, got, ok, at)
		}
		ids = append(ids, id)
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatal("IDs made in time order do not sort in time order")
	}
	if len(ids[0]) != 32 {
		t.Fatalf("ID length %d, want 32", len(ids[0]))
	}
	for _, bad := range []string{"", "not an id!", "abc"} {
		if _, ok := uploadIDTime(bad); ok {
			t.Errorf("uploadIDTime(%q) accepted", bad)
		}
	}
}
