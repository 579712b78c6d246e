package metatest

import (
	"slices"
	"strings"
	"testing"

	"github.com/cairn-s3/cairn/internal/meta"
)

func testUsers(t *testing.T, s *suite) {
	st := s.store(t)
	users := []meta.User{
		{ID: "id-carol", Name: "carol", DisplayName: "Carol C.", Created: when},
		{ID: "id-alice", Name: "alice", DisplayName: "Alice ü \"A\"", Created: when.Add(1)},
		{ID: "id-bob", Name: "bob", DisplayName: "", Created: when.Add(2)},
	}
	update(t, st, func(tx meta.Tx) error {
		for _, u := range users {
			if err := tx.CreateUser(u); err != nil {
				return err
			}
		}
		return nil
	})

	for _, tc := range []struct {
		name string
		u    meta.User
	}{
		{"same id", meta.User{ID: "id-alice", Name: "alice2"}},
		{"same name", meta.User{ID: "id-other", Name: "alice"}},
	} {
		err := st.Update(t.Context(), func(tx meta.Tx) error { return tx.CreateUser(tc.u) })
		wantErr(t, "CreateUser with "+tc.name, err, meta.ErrExists)
	}

	view(t, st, func(tx meta.ReadTx) error {
		for _, want := range users {
			got, err := tx.GetUser(want.ID)
			if err != nil {
				t.Fatalf("GetUser(%q): %v", want.ID, err)
			}
			if d := diff(want, got); d != "" {
				t.Errorf("GetUser(%q) (-want +got):\n%s", want.ID, d)
			}
			got, err = tx.GetUserByName(want.Name)
			if err != nil {
				t.Fatalf("GetUserByName(%q): %v", want.Name, err)
			}
			if d := diff(want, got); d != "" {
				t.Errorf("GetUserByName(%q) (-want +got):\n%s", want.Name, d)
			}
		}
		_, err := tx.GetUser("id-nobody")
		wantErr(t, "GetUser(missing)", err, meta.ErrNotFound)
		_, err = tx.GetUserByName("nobody")
		wantErr(t, "GetUserByName(missing)", err, meta.ErrNotFound)

		got, err := tx.ListUsers()
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		byName := func(a, b meta.User) int { return strings.Compare(a.Name, b.Name) }
		slices.SortFunc(got, byName)
		want := slices.SortedFunc(slices.Values(users), byName)
		if d := diff(want, got); d != "" {
			t.Errorf("ListUsers (-want +got):\n%s", d)
		}
		return nil
	})

	update(t, st, func(tx meta.Tx) error { return tx.DeleteUser("id-bob") })
	view(t, st, func(tx meta.ReadTx) error {
		_, err := tx.GetUser("id-bob")
		wantErr(t, "GetUser after DeleteUser", err, meta.ErrNotFound)
		_, err = tx.GetUserByName("bob")
		wantErr(t, "GetUserByName after DeleteUser", err, meta.ErrNotFound)
		return nil
	})
	err := st.Update(t.Context(), func(tx meta.Tx) error { return tx.DeleteUser("id-bob") })
	wantErr(t, "DeleteUser(missing)", err, meta.ErrNotFound)
	// The name is free again.
	update(t, st, func(tx meta.Tx) error { return tx.CreateUser(meta.User{ID: "id-bob2", Name: "bob"}) })
}

func testAccessKeys(t *testing.T, s *suite) {
	st := s.store(t)
	keys := []meta.AccessKey{
		{AccessKey: "AKB", SecretKey: "secret/b+=", UserID: "u1", Created: when},
		{AccessKey: "AKA", SecretKey: "secret-a", UserID: "u1", Created: when.Add(1)},
		{AccessKey: "AKC", SecretKey: "secret-c", UserID: "u2", Created: when.Add(2)},
	}
	update(t, st, func(tx meta.Tx) error {
		for _, u := range []meta.User{{ID: "u1", Name: "one"}, {ID: "u2", Name: "two"}} {
			if err := tx.CreateUser(u); err != nil {
				return err
			}
		}
		for _, k := range keys {
			if err := tx.CreateAccessKey(k); err != nil {
				return err
			}
		}
		return nil
	})
	err := st.Update(t.Context(), func(tx meta.Tx) error {
		return tx.CreateAccessKey(meta.AccessKey{AccessKey: "AKA", SecretKey: "x", UserID: "u2"})
	})
	wantErr(t, "CreateAccessKey(duplicate)", err, meta.ErrExists)

	byKey := func(a, b meta.AccessKey) int { return strings.Compare(a.AccessKey, b.AccessKey) }
	listKeys := func(tx meta.ReadTx, user string) []meta.AccessKey {
		t.Helper()
		got, err := tx.ListAccessKeys(user)
		if err != nil {
			t.Fatalf("ListAccessKeys(%q): %v", user, err)
		}
		slices.SortFunc(got, byKey)
		return got
	}
	view(t, st, func(tx meta.ReadTx) error {
		for _, want := range keys {
			got, err := tx.GetAccessKey(want.AccessKey)
			if err != nil {
				t.Fatalf("GetAccessKey(%q): %v", want.AccessKey, err)
			}
			if d := diff(want, got); d != "" {
				t.Errorf("GetAccessKey(%q) (-want +got):\n%s", want.AccessKey, d)
			}
		}
		_, err := tx.GetAccessKey("AKNONE")
		wantErr(t, "GetAccessKey(missing)", err, meta.ErrNotFound)
		if d := diff([]meta.AccessKey{keys[1], keys[0]}, listKeys(tx, "u1")); d != "" {
			t.Errorf("ListAccessKeys(u1) (-want +got):\n%s", d)
		}
		if got := listKeys(tx, "nobody"); len(got) != 0 {
			t.Errorf("ListAccessKeys(unknown user) = %v, want none", got)
		}
		return nil
	})

	update(t, st, func(tx meta.Tx) error { return tx.DeleteAccessKey("AKB") })
	err = st.Update(t.Context(), func(tx meta.Tx) error { return tx.DeleteAccessKey("AKB") })
	wantErr(t, "DeleteAccessKey(missing)", err, meta.ErrNotFound)
	view(t, st, func(tx meta.ReadTx) error {
		_, err := tx.GetAccessKey("AKB")
		wantErr(t, "GetAccessKey after delete", err, meta.ErrNotFound)
		return nil
	})

	update(t, st, func(tx meta.Tx) error { return tx.DeleteUser("u1") })
	view(t, st, func(tx meta.ReadTx) error {
		_, err := tx.GetAccessKey("AKA")
		wantErr(t, "GetAccessKey of a deleted user's key", err, meta.ErrNotFound)
		if got := listKeys(tx, "u1"); len(got) != 0 {
			t.Errorf("ListAccessKeys(deleted user) = %v, want none", got)
		}
		if d := diff([]meta.AccessKey{keys[2]}, listKeys(tx, "u2")); d != "" {
			t.Errorf("ListAccessKeys(u2) after deleting u1 (-want +got):\n%s", d)
		}
		return nil
	})
}

func testBuckets(t *testing.T, s *suite) {
	st := s.store(t)
	buckets := []meta.Bucket{
		{Name: "zeta", OwnerID: "alice", Region: "us-east-1", Created: when},
		{Name: "alpha", OwnerID: "alice", Region: "eu-west-1", Created: when.Add(1)},
		{Name: "mid.dle-1", OwnerID: "alice", Region: "", Created: when.Add(2)},
		{Name: "beta", OwnerID: "bob", Region: "us-east-1", Created: when.Add(3)},
	}
	update(t, st, func(tx meta.Tx) error {
		for _, b := range buckets {
			if err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		return nil
	})
	err := st.Update(t.Context(), func(tx meta.Tx) error {
		return tx.CreateBucket(meta.Bucket{Name: "alpha", OwnerID: "bob"})
	})
	wantErr(t, "CreateBucket(duplicate)", err, meta.ErrExists)

	list := func(tx meta.ReadTx, owner string) []meta.Bucket {
		t.Helper()
		got, err := tx.ListBuckets(owner)
		if err != nil {
			t.Fatalf("ListBuckets(%q): %v", owner, err)
		}
		return got
	}
	view(t, st, func(tx meta.ReadTx) error {
		for _, want := range buckets {
			got, err := tx.GetBucket(want.Name)
			if err != nil {
				t.Fatalf("GetBucket(%q): %v", want.Name, err)
			}
			if d := diff(want, got); d != "" {
				t.Errorf("GetBucket(%q) (-want +got):\n%s", want.Name, d)
			}
		}
		_, err := tx.GetBucket("nope")
		wantErr(t, "GetBucket(missing)", err, meta.ErrNotFound)
		// Ordered by name, as the contract says.
		if d := diff([]meta.Bucket{buckets[1], buckets[2], buckets[0]}, list(tx, "alice")); d != "" {
			t.Errorf("ListBuckets(alice) (-want +got):\n%s", d)
		}
		if d := diff([]meta.Bucket{buckets[1], buckets[3], buckets[2], buckets[0]}, list(tx, "")); d != "" {
			t.Errorf("ListBuckets(\"\") (-want +got):\n%s", d)
		}
		if got := list(tx, "carol"); len(got) != 0 {
			t.Errorf("ListBuckets(carol) = %v, want none", got)
		}
		return nil
	})

	update(t, st, func(tx meta.Tx) error { return tx.DeleteBucket("alpha") })
	err = st.Update(t.Context(), func(tx meta.Tx) error { return tx.DeleteBucket("alpha") })
	wantErr(t, "DeleteBucket(missing)", err, meta.ErrNotFound)
	view(t, st, func(tx meta.ReadTx) error {
		_, err := tx.GetBucket("alpha")
		wantErr(t, "GetBucket after delete", err, meta.ErrNotFound)
		if d := diff([]meta.Bucket{buckets[2], buckets[0]}, list(tx, "alice")); d != "" {
			t.Errorf("ListBuckets(alice) after delete (-want +got):\n%s", d)
		}
		return nil
	})
}
