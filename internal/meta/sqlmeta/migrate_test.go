package sqlmeta

import (
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	for _, tc := range []struct {
		name    string
		fs      fstest.MapFS
		want    []int
		wantErr string
	}{
		{"ordered by number", fstest.MapFS{
			"d/0002_b.sql": file("B"), "d/0001_a.sql": file("A"), "d/README": file("x"),
		}, []int{1, 2}, ""},
		{"gap", fstest.MapFS{"d/0001_a.sql": file("A"), "d/0003_c.sql": file("C")}, nil, "want version 2"},
		{"duplicate", fstest.MapFS{"d/0001_a.sql": file("A"), "d/01_b.sql": file("B")}, nil, "want version 2"},
		{"bad name", fstest.MapFS{"d/init.sql": file("A")}, nil, "NNNN_name.sql"},
		{"zero", fstest.MapFS{"d/0000_a.sql": file("A")}, nil, "NNNN_name.sql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := loadMigrations(tc.fs, "d")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("loadMigrations = %v, want error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.version)
			}
			if len(got) != len(tc.want) || got[0] != tc.want[0] || got[len(got)-1] != tc.want[len(tc.want)-1] {
				t.Errorf("versions %v, want %v", got, tc.want)
			}
		})
	}
}

// TestEmbeddedMigrations checks both dialects carry the same versions.
func TestEmbeddedMigrations(t *testing.T) {
	lite, err := loadMigrations(schemaFiles, "schema/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadMigrations(schemaFiles, "schema/postgres")
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("%d SQLite and %d PostgreSQL migrations", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].name != pg[i].name {
			t.Errorf("migration %d is %s in SQLite but %s in PostgreSQL", i+1, lite[i].name, pg[i].name)
		}
	}
}

func TestMigrateVersions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	s, err := OpenSQLite(t.Context(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	version := func() int {
		var v int
		if err := s.read.QueryRowContext(t.Context(), `SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	ms, _ := loadMigrations(schemaFiles, "schema/sqlite")
	if v := version(); v != len(ms) {
		t.Errorf("schema version %d after open, want %d", v, len(ms))
	}
	// From a newer binary.
	if _, err := s.group.db.ExecContext(t.Context(), `INSERT INTO schema_version (version, applied) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := OpenSQLite(t.Context(), path, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("OpenSQLite of a newer schema = %v, want a version error", err)
	}
}
