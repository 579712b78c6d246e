package sqlmeta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	// The pgx database/sql driver, registered as "pgx".
	// stdlib disabled

	"github.com/cairn-s3/cairn/internal/meta"
)

// pgMigrationLock serialises schema migrations of gateways that start
// together: an arbitrary constant naming Cairn's advisory lock.
const pgMigrationLock = `SELECT pg_advisory_xact_lock(4242010001)`

// pgMaxAttempts bounds how often Update retries a serialization failure.
const pgMaxAttempts = 30

// OpenPostgres connects to the PostgreSQL (or wire-compatible) database at
// dsn, a pgx connection string, and brings its schema up to date.
//
// Each Update runs in its own SERIALIZABLE transaction on the pool, retried
// on serialization failures and deadlocks (SQLSTATE 40001, 40P01); the
// server group-commits its WAL itself. Serializable isolation, rather than
// row locks, is what makes the functions' check-then-act patterns correct
// under concurrency without the store knowing them: "create if absent",
// reading the record PutObject replaces (no row exists yet to lock), the
// reference guard against a concurrent ForgetBlobs, and a caller's
// BucketIsEmpty before DeleteBucket against a concurrent PutObject.
// CockroachDB and YugabyteDB run serializable anyway. Views run READ ONLY
// at REPEATABLE READ: one snapshot, never a serialization failure.
func OpenPostgres(ctx context.Context, dsn string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: open postgres: %w", err)
	}
	db.SetMaxOpenConns(opts.MaxConns)
	db.SetMaxIdleConns(opts.MaxConns)
	if err := migrate(ctx, db, "schema/postgres", pgMigrationLock, opts.Logger); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{
		log:      opts.Logger,
		read:     db,
		viewOpts: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		pgPool:   db,
		dbs:      []*sql.DB{db},
	}, nil
}

// updateSerializable runs fn in a serializable transaction, again from the
// start while it fails with a serialization failure or deadlock.
func updateSerializable(ctx context.Context, db *sql.DB, log *slog.Logger, fn func(meta.Tx) error) error {
	backoff := time.Millisecond
	for attempt := 1; ; attempt++ {
		err := updateOnce(ctx, db, log, fn)
		if err == nil || !retryable(err) || attempt == pgMaxAttempts {
			return err
		}
		// Full jitter, so that the transactions that collided spread out.
		t := time.NewTimer(rand.N(backoff) + time.Microsecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		backoff = min(2*backoff, 100*time.Millisecond)
	}
}

func updateOnce(ctx context.Context, db *sql.DB, log *slog.Logger, fn func(meta.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		return fmt.Errorf("sqlmeta: begin update: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	w := &writer{reader: reader{c: newTxConn(ctx, tx, nil), ctx: ctx}, log: log}
	if err := runUpdateFn(fn, w); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlmeta: commit update: %w", err)
	}
	return nil
}

// retryable reports a serialization failure or deadlock anywhere in err's
// chain, including inside an error fn wrapped and returned.
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}
