package sqlmeta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"

	// The pure-Go SQLite driver, registered as "sqlite".
	_ "modernc.org/sqlite"
)

// OpenSQLite opens (creating if needed) the SQLite database at path and
// brings its schema up to date.
//
// The database runs in WAL mode with synchronous=FULL, so an acknowledged
// Update survives power loss. Writes go through one connection that begins
// IMMEDIATE and group-commits concurrent Updates; Views use a separate pool
// of read-only connections and never wait for the writer. Other processes
// may write the same file: they wait for each other up to
// Options.BusyTimeout.
func OpenSQLite(ctx context.Context, path string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if path == "" || path == ":memory:" {
		// The writer and the readers are separate connections and must
		// share a file.
		return nil, errors.New("sqlmeta: SQLite needs a database file path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: %w", err)
	}
	busy := strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10)

	write, err := sql.Open("sqlite", sqliteDSN(abs, url.Values{
		"_busy_timeout": {busy},
		"_journal_mode": {"WAL"},
		"_synchronous":  {"FULL"},
		"_txlock":       {"immediate"},
	}))
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: open %s: %w", abs, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	s, err := openSQLiteStore(ctx, abs, busy, write, opts)
	if err != nil {
		write.Close()
		return nil, err
	}
	return s, nil
}

func openSQLiteStore(ctx context.Context, path, busy string, write *sql.DB, opts Options) (*Store, error) {
	if err := migrate(ctx, write, "schema/sqlite", "", opts.Logger); err != nil {
		return nil, fmt.Errorf("%w (database %s)", err, path)
	}
	writeStmts, err := prepareStatements(ctx, write, nil)
	if err != nil {
		return nil, err
	}
	read, err := sql.Open("sqlite", sqliteDSN(path, url.Values{
		"_busy_timeout": {busy},
		"_query_only":   {"1"},
	}))
	if err != nil {
		writeStmts.close()
		return nil, fmt.Errorf("sqlmeta: open %s: %w", path, err)
	}
	// Idle connections are kept: each holds its prepared statements.
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	readStmts, err := prepareStatements(ctx, read, func(q query) bool { return !q.readOnly() })
	if err != nil {
		writeStmts.close()
		read.Close()
		return nil, err
	}

	return &Store{
		log:       opts.Logger,
		read:      read,
		readStmts: readStmts,
		group:     startGroupCommit(write, writeStmts, opts.Logger, opts.MaxBatch),
		stmts:     []*statements{readStmts, writeStmts},
		dbs:       []*sql.DB{read, write},
	}, nil
}

// sqliteDSN is a file: URI for path with the driver's parameters; the path
// is escaped so that '?', '#' and '%' in it survive.
func sqliteDSN(path string, params url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: params.Encode()}
	return u.String()
}

// readOnly reports whether q only reads, and so is prepared on the read pool.
func (q query) readOnly() bool {
	switch q {
	case qUserGet, qUserGetByName, qUserList, qKeyGet, qKeyListByUser,
		qBucketGet, qBucketList, qBucketListByOwner, qBucketHasObject,
		qObjectGet, qObjectListFrom, qObjectListAfter, qObjectListFromBefore, qObjectListAfterBefore,
		qBlobGarbage,
		qUploadGet, qUploadListFrom, qUploadListAfterKey, qUploadListAfterID,
		qUploadListFromBefore, qUploadListAfterKeyBefore, qUploadListAfterIDBefore,
		qPartList, qPartListExtents, qCompletionGet, qConfigGet, qConfigList:
		return true
	}
	return false
}
