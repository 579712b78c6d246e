package metatest

import (
	"fmt"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
)

// testDeleteCompletions checks that DeleteCompletions removes records
// older than its bound, at most limit of them.
func testDeleteCompletions(t *testing.T, s *suite) {
	st := s.store(t)
	const n = 8
	at := func(i int) time.Time { return when.Add(time.Duration(i) * time.Minute) }
	id := func(i int) string { return fmt.Sprintf("u%d", i) }
	var ups []meta.Upload
	for i := range n {
		ups = append(ups, meta.Upload{ID: id(i), Bucket: "b", Key: "k"})
	}
	createUploads(t, st, ups...)
	update(t, st, func(tx meta.Tx) error {
		// Completed in an order other than the IDs'.
		for _, i := range []int{3, 0, 7, 1, 5, 2, 6, 4} {
			c := completion(id(i), "b", "k")
			c.Completed = at(i)
			if _, _, err := completeParts(tx, c, meta.Object{Bucket: "b", Key: "k"}, nil); err != nil {
				return err
			}
		}
		return nil
	})
	del := func(before time.Time, limit int) int {
		t.Helper()
		var got int
		update(t, st, func(tx meta.Tx) (err error) {
			got, err = tx.DeleteCompletions(before, limit)
			return err
		})
		return got
	}
	for _, tc := range []struct {
		before     time.Time
		limit      int
		want, left int // removed, and how many of the oldest are gone after
	}{
		{at(5), 0, 0, 0},
		{at(5), 3, 3, 3},
		{at(5), 100, 2, 5},
		{at(5), 100, 0, 5},
		{time.Time{}, 100, 0, 5},
		{at(100), 100, 3, 8},
	} {
		if got := del(tc.before, tc.limit); got != tc.want {
			t.Errorf("DeleteCompletions(%v, %d) = %d, want %d", tc.before, tc.limit, got, tc.want)
		}
		view(t, st, func(tx meta.ReadTx) error {
			for i := range n {
				_, err := tx.GetCompletion(id(i))
				if gone := i < tc.left; gone {
					wantErr(t, fmt.Sprintf("GetCompletion(%s) after deleting the %d oldest", id(i), tc.left), err, meta.ErrNotFound)
				} else if err != nil {
					t.Errorf("GetCompletion(%s) after deleting the %d oldest: %v", id(i), tc.left, err)
				}
			}
			return nil
		})
	}
}
