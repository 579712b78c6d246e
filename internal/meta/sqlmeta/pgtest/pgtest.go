// Package pgtest starts throwaway PostgreSQL servers for tests.
//
// Start runs initdb and pg_ctl from PATH (or /usr/lib/postgresql/*/bin) in a
// temporary directory and serves on a free loopback port until the test
// ends. Without the binaries the test is skipped, unless the environment
// sets CAIRN_REQUIRE_PG=1, which makes it fail: CI sets it so that a broken
// image cannot silently skip the PostgreSQL suite.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// RequireEnv is the variable that turns a missing PostgreSQL into a failure.
const RequireEnv = "CAIRN_REQUIRE_PG"

// Start starts a PostgreSQL server for t, stopped and removed when t ends,
// and returns a pgx connection string for its "postgres" database as the
// superuser "postgres". The server trades durability for speed (fsync off):
// it is for tests only.
func Start(t testing.TB) string {
	t.Helper()
	bin, err := binDir()
	if err != nil {
		skip(t, err)
	}
	dir, err := os.MkdirTemp("", "cairn-pg-")
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	run, err := runner(dir)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}

	data := filepath.Join(dir, "data")
	if out, err := run(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("pgtest: initdb: %v\n%s", err, out)
	}
	pgCtl := filepath.Join(bin, "pg_ctl")
	logFile := filepath.Join(dir, "postgres.log")
	var port int
	for attempt := 1; ; attempt++ {
		// The port is free now; another process may take it before the
		// server binds it, so a failed start is tried again.
		if port, err = freePort(); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
		opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off "+
			"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
		out, err := run(pgCtl, "start", "-w", "-t", "60", "-D", data, "-l", logFile, "-o", opts).CombinedOutput()
		if err == nil {
			break
		}
		if attempt == 3 {
			log, _ := os.ReadFile(logFile)
			t.Fatalf("pgtest: pg_ctl start: %v\n%s\n%s", err, out, log)
		}
	}
	t.Cleanup(func() {
		if out, err := run(pgCtl, "stop", "-m", "immediate", "-w", "-D", data).CombinedOutput(); err != nil {
			t.Logf("pgtest: pg_ctl stop: %v\n%s", err, out)
		}
	})
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}

// Schema creates a fresh schema in the database at dsn, dropped when t
// ends, and returns dsn with its search_path set to it: tests sharing one
// server each get an empty database for the price of a CREATE SCHEMA.
func Schema(t testing.TB, dsn string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	execSQL := func(ctx context.Context, sql string) error {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := execSQL(t.Context(), "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := execSQL(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Logf("pgtest: drop schema %s: %v", name, err)
		}
	})
	return withSearchPath(dsn, name)
}

// withSearchPath adds search_path to a URL or keyword/value connection string.
func withSearchPath(dsn, schema string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

func skip(t testing.TB, err error) {
	t.Helper()
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("pgtest: %v (and %s=1)", err, RequireEnv)
	}
	t.Skipf("pgtest: %v", err)
}

// binDir finds the directory holding initdb and pg_ctl.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if resolved, err := filepath.EvalSymlinks(p); err == nil {
			dir = filepath.Dir(resolved) // /usr/local/bin may only hold links
		}
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- { // the newest version sorts last
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_ctl")); err == nil {
			return dirs[i], nil
		}
	}
	return "", errors.New("initdb and pg_ctl not found on PATH or in /usr/lib/postgresql")
}

// runner returns how to run a PostgreSQL tool. initdb refuses to run as
// root, so as root the tools run as the postgres user, owning dir.
func runner(dir string) (func(name string, args ...string) *exec.Cmd, error) {
	if os.Geteuid() != 0 {
		return func(name string, args ...string) *exec.Cmd { return exec.Command(name, args...) }, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs a postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	runuser, err := exec.LookPath("runuser")
	if err != nil {
		return nil, fmt.Errorf("running as root needs runuser: %w", err)
	}
	return func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(runuser, append([]string{"-u", "postgres", "--", name}, args...)...)
		cmd.Dir = dir
		return cmd
	}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
