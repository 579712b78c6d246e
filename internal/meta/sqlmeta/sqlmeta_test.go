package sqlmeta_test

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/meta/metatest"
	"github.com/cairn-s3/cairn/internal/meta/sqlmeta"
	"github.com/cairn-s3/cairn/internal/meta/sqlmeta/pgtest"
)

// testOptions log through t, so that a failing test shows the store's view.
func testOptions(t testing.TB) sqlmeta.Options {
	return sqlmeta.Options{Logger: slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))}
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

func openSQLite(t testing.TB, path string) *sqlmeta.Store {
	t.Helper()
	s, err := sqlmeta.OpenSQLite(t.Context(), path, testOptions(t))
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	return s
}

func TestSQLite(t *testing.T) {
	var paths sync.Map // *sqlmeta.Store → its file, for reopen
	opts := append(scaleOptions(), metatest.WithReopen(func(t *testing.T, closed meta.Store) meta.Store {
		path, _ := paths.Load(closed)
		return openSQLite(t, path.(string))
	}))
	metatest.Run(t, func(t *testing.T) meta.Store {
		path := filepath.Join(t.TempDir(), "meta.db")
		s := openSQLite(t, path)
		paths.Store(s, path)
		return s
	}, opts...)
}

// pgDSN returns the PostgreSQL to test against: CAIRN_TEST_PG_DSN, or a
// throwaway server (skipping without the binaries).
func pgDSN(t *testing.T) string {
	if dsn := os.Getenv("CAIRN_TEST_PG_DSN"); dsn != "" {
		return dsn
	}
	return pgtest.Start(t)
}

func openPostgres(t testing.TB, dsn string) *sqlmeta.Store {
	t.Helper()
	s, err := sqlmeta.OpenPostgres(t.Context(), dsn, testOptions(t))
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	return s
}

func TestPostgres(t *testing.T) {
	server := pgDSN(t)
	t.Run("InvalidText", func(t *testing.T) {
		st := openPostgres(t, pgtest.Schema(t, server))
		defer st.Close()
		testInvalidText(t, st)
		testInvalidUploadText(t, st)
	})
	t.Run("Version2Rows", func(t *testing.T) {
		dsn := pgtest.Schema(t, server)
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		testVersion2Rows(t, "postgres", db, func(t *testing.T) *sqlmeta.Store { return openPostgres(t, dsn) })
	})
	var dsns sync.Map
	opts := append(scaleOptions(), metatest.WithReopen(func(t *testing.T, closed meta.Store) meta.Store {
		dsn, _ := dsns.Load(closed)
		return openPostgres(t, dsn.(string))
	}))
	metatest.Run(t, func(t *testing.T) meta.Store {
		dsn := pgtest.Schema(t, server)
		s := openPostgres(t, dsn)
		dsns.Store(s, dsn)
		return s
	}, opts...)
}

// TestSQLiteSharedFile opens two stores on one file, as the server and the
// CLI do, and writes through both at once.
func TestSQLiteSharedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd ?#% dir", "meta ?#%.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	a, b := openSQLite(t, path), openSQLite(t, path)
	defer a.Close()
	defer b.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		st := a
		if i%2 == 1 {
			st = b
		}
		wg.Go(func() {
			err := st.Update(t.Context(), func(tx meta.Tx) error {
				return tx.CreateUser(meta.User{ID: fmt.Sprint("id", i), Name: fmt.Sprint("user", i)})
			})
			if err != nil {
				t.Errorf("Update %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	for _, st := range []*sqlmeta.Store{a, b} {
		err := st.View(t.Context(), func(tx meta.ReadTx) error {
			users, err := tx.ListUsers()
			if err == nil && len(users) != 20 {
				t.Errorf("a store sees %d users, want 20", len(users))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// testInvalidText checks that both dialects treat strings PostgreSQL
// cannot store alike: a write fails, a read finds nothing.
func testInvalidText(t *testing.T, st meta.Store) {
	for _, key := range []string{"nul\x00key", "bad\xffutf8"} {
		err := st.Update(t.Context(), func(tx meta.Tx) error {
			_, err := tx.PutObject(meta.Object{Bucket: "b", Key: key})
			return err
		})
		if err == nil {
			t.Errorf("PutObject(%q) succeeded", key)
		}
		err = st.View(t.Context(), func(tx meta.ReadTx) error {
			_, err := tx.GetObject("b", key)
			return err
		})
		if !errors.Is(err, meta.ErrNotFound) {
			t.Errorf("GetObject(%q) = %v, want ErrNotFound", key, err)
		}
	}
	err := st.Update(t.Context(), func(tx meta.Tx) error {
		_, err := tx.PutObject(meta.Object{Bucket: "b", Key: "k", UserMetadata: map[string]string{"m": "\xff"}})
		return err
	})
	if err == nil {
		t.Errorf("PutObject with invalid UTF-8 metadata succeeded")
	}
	// A failed statement must not poison the rest of the Update (a
	// PostgreSQL transaction aborts on any error).
	err = st.Update(t.Context(), func(tx meta.Tx) error {
		if _, err := tx.GetObject("b", "bad\xff"); !errors.Is(err, meta.ErrNotFound) {
			return err
		}
		if err := tx.CreateBucket(meta.Bucket{Name: "b"}); err != nil {
			return err
		}
		if err := tx.CreateBucket(meta.Bucket{Name: "b"}); !errors.Is(err, meta.ErrExists) {
			return fmt.Errorf("second CreateBucket: %v", err)
		}
		_, err := tx.PutObject(meta.Object{Bucket: "b", Key: "k"})
		return err
	})
	if err != nil {
		t.Errorf("Update continuing after ErrNotFound and ErrExists: %v", err)
	}
}

// testInvalidUploadText is testInvalidText for the multipart records.
func testInvalidUploadText(t *testing.T, st meta.Store) {
	for _, u := range []meta.Upload{
		{ID: "u", Bucket: "b", Key: "nul\x00key"},
		{ID: "bad\xff", Bucket: "b", Key: "k"},
		{ID: "u", Bucket: "b", Key: "k", UserMetadata: map[string]string{"m": "\xff"}},
	} {
		err := st.Update(t.Context(), func(tx meta.Tx) error { return tx.CreateUpload(u) })
		if err == nil {
			t.Errorf("CreateUpload(%+v) succeeded", u)
		}
	}
	err := st.Update(t.Context(), func(tx meta.Tx) error {
		if _, err := tx.GetUpload("bad\xff"); !errors.Is(err, meta.ErrNotFound) {
			return fmt.Errorf("GetUpload(invalid) = %v, want ErrNotFound", err)
		}
		if ps, err := tx.ListParts("nul\x00", 0, 0, true); err != nil || len(ps) != 0 {
			return fmt.Errorf("ListParts(invalid) = %v, %v", ps, err)
		}
		if err := tx.CreateUpload(meta.Upload{ID: "u", Bucket: "b", Key: "k"}); err != nil {
			return err
		}
		for _, p := range []meta.Part{
			{UploadID: "u", Number: 1, ETag: "\xff"},
			{UploadID: "u", Number: 0},
			{UploadID: "u", Number: 1 << 40},
		} {
			if _, err := tx.PutPart(p); err == nil {
				return fmt.Errorf("PutPart(%+v) succeeded", p)
			}
		}
		// A bad record fails Complete before it writes anything.
		c := meta.Completion{UploadID: "u", Bucket: "b", Key: "k", ETag: "nul\x00"}
		if _, err := tx.CompleteUpload(c, meta.Object{Bucket: "b", Key: "k"}, nil); err == nil {
			return fmt.Errorf("CompleteUpload with an invalid ETag succeeded")
		}
		c.ETag = "e"
		if _, err := tx.CompleteUpload(c, meta.Object{Bucket: "b", Key: "k\xff"}, nil); err == nil {
			return fmt.Errorf("CompleteUpload of an invalid key succeeded")
		}
		if _, err := tx.GetUpload("u"); err != nil {
			return fmt.Errorf("GetUpload after failed Completes: %w", err)
		}
		return tx.DeleteUpload("u")
	})
	if err != nil {
		t.Error(err)
	}
}

func TestSQLiteInvalidText(t *testing.T) {
	st := openSQLite(t, filepath.Join(t.TempDir(), "meta.db"))
	defer st.Close()
	testInvalidText(t, st)
	testInvalidUploadText(t, st)
}
