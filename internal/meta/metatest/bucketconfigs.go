package metatest

import (
	"testing"

	"github.com/cairn-s3/cairn/internal/meta"
)

func testBucketConfigs(t *testing.T, s *suite) {
	st := s.store(t)
	binary := []byte{0, 1, 0xfe, 0xff, '<', '>'}
	update(t, st, func(tx meta.Tx) error {
		for _, c := range []meta.BucketConfig{
			{Bucket: "b", Name: "lifecycle", Data: []byte("<LifecycleConfiguration/>")},
			{Bucket: "a", Name: "lifecycle", Data: binary},
			{Bucket: "b", Name: "cors", Data: []byte("old")},
			{Bucket: "c", Name: "cors", Data: nil},
		} {
			if err := tx.PutBucketConfig(c.Bucket, c.Name, c.Data); err != nil {
				return err
			}
		}
		// Replacing.
		return tx.PutBucketConfig("b", "cors", []byte("new"))
	})
	get := func(tx meta.ReadTx, bucket, name string) []byte {
		t.Helper()
		data, err := tx.GetBucketConfig(bucket, name)
		if err != nil {
			t.Fatalf("GetBucketConfig(%s, %s): %v", bucket, name, err)
		}
		return data
	}
	list := func(tx meta.ReadTx, name string) []meta.BucketConfig {
		t.Helper()
		cs, err := tx.ListBucketConfigs(name)
		if err != nil {
			t.Fatalf("ListBucketConfigs(%s): %v", name, err)
		}
		return cs
	}
	view(t, st, func(tx meta.ReadTx) error {
		if d := diff(binary, get(tx, "a", "lifecycle")); d != "" {
			t.Errorf("GetBucketConfig(a, lifecycle) (-want +got):\n%s", d)
		}
		if got := string(get(tx, "b", "cors")); got != "new" {
			t.Errorf("GetBucketConfig after replacing = %q, want new", got)
		}
		if got := get(tx, "c", "cors"); got != nil {
			t.Errorf("GetBucketConfig of an empty document = %q, want nil", got)
		}
		for _, bn := range [][2]string{{"a", "cors"}, {"missing", "lifecycle"}, {"b", "policy"}} {
			_, err := tx.GetBucketConfig(bn[0], bn[1])
			wantErr(t, "GetBucketConfig("+bn[0]+", "+bn[1]+")", err, meta.ErrNotFound)
		}
		want := []meta.BucketConfig{
			{Bucket: "a", Name: "lifecycle", Data: binary},
			{Bucket: "b", Name: "lifecycle", Data: []byte("<LifecycleConfiguration/>")},
		}
		if d := diff(want, list(tx, "lifecycle")); d != "" {
			t.Errorf("ListBucketConfigs(lifecycle) (-want +got):\n%s", d)
		}
		if got := list(tx, "policy"); len(got) != 0 {
			t.Errorf("ListBucketConfigs(policy) = %+v, want none", got)
		}
		return nil
	})

	update(t, st, func(tx meta.Tx) error { return tx.DeleteBucketConfig("b", "cors") })
	err := st.Update(t.Context(), func(tx meta.Tx) error { return tx.DeleteBucketConfig("b", "cors") })
	wantErr(t, "DeleteBucketConfig(missing)", err, meta.ErrNotFound)
	view(t, st, func(tx meta.ReadTx) error {
		_, err := tx.GetBucketConfig("b", "cors")
		wantErr(t, "GetBucketConfig after delete", err, meta.ErrNotFound)
		if d := diff([]meta.BucketConfig{{Bucket: "c", Name: "cors"}}, list(tx, "cors")); d != "" {
			t.Errorf("ListBucketConfigs(cors) after delete (-want +got):\n%s", d)
		}
		return nil
	})
}
