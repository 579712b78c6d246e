package sqlmeta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
)

// ErrClosed is returned by Update and View after Close.
var ErrClosed = errors.New("sqlmeta: store is closed")

// errPanicked wraps the value of a panic in an Update function.
var errPanicked = errors.New("sqlmeta: update function panicked")

// DefaultMaxBatch is the group-commit batch limit when Options leaves it 0.
const DefaultMaxBatch = 128

// Options tune a Store. The zero value is ready to use.
type Options struct {
	// Logger receives applied migrations, recovered panics and reference
	// count anomalies; nil discards them.
	Logger *slog.Logger
	// MaxBatch is the most Update functions SQLite's group commit runs in
	// one transaction; 0 means DefaultMaxBatch.
	MaxBatch int
	// ReadConns is the size of SQLite's read pool; 0 means
	// max(4, 2×GOMAXPROCS).
	ReadConns int
	// BusyTimeout is how long SQLite waits for a lock held by another
	// process (the CLI writing while the server runs); 0 means 10 s.
	BusyTimeout time.Duration
	// MaxConns bounds the PostgreSQL connection pool; 0 means 32.
	MaxConns int
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.ReadConns <= 0 {
		o.ReadConns = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 10 * time.Second
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 32
	}
	return o
}

// Store is a meta.Store on SQLite or PostgreSQL. It is safe for concurrent
// use.
type Store struct {
	log  *slog.Logger
	read *sql.DB
	// readStmts are the read queries prepared on read; nil on PostgreSQL,
	// where pgx keeps its own per-connection statement cache.
	readStmts *statements
	viewOpts  *sql.TxOptions
	// Updates go to SQLite's group commit, or else run as serializable
	// transactions on PostgreSQL's pool.
	group  *groupCommit
	pgPool *sql.DB
	// handles are closed by Close, after the group commit has stopped.
	stmts  []*statements
	dbs    []*sql.DB
	closed atomic.Bool
}

var _ meta.Store = (*Store)(nil)

// Update implements meta.Store. On SQLite fn runs on the writer goroutine
// and MUST NOT call Update itself, which would wait for its own batch; a
// View inside fn does not see the batch's uncommitted writes.
func (s *Store) Update(ctx context.Context, fn func(tx meta.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	if s.group != nil {
		return s.group.update(ctx, fn)
	}
	return updateSerializable(ctx, s.pgPool, s.log, fn)
}

// View implements meta.Store. A panic in fn propagates to the caller after
// the transaction is rolled back.
func (s *Store) View(ctx context.Context, fn func(tx meta.ReadTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	tx, err := s.read.BeginTx(ctx, s.viewOpts)
	if err != nil {
		return fmt.Errorf("sqlmeta: begin view: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	r := &reader{c: newTxConn(ctx, tx, s.readStmts), ctx: ctx}
	defer func() { r.done = true }()
	if err := fn(r); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlmeta: end view: %w", err)
	}
	return nil
}

// Close implements meta.Store: it waits for queued updates, then closes the
// database handles. Update and View fail with ErrClosed afterwards.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.group != nil {
		s.group.stop()
	}
	for _, st := range s.stmts {
		st.close()
	}
	var errs []error
	for _, db := range s.dbs {
		errs = append(errs, db.Close())
	}
	return errors.Join(errs...)
}

// runUpdateFn calls fn with w and turns a panic into an error, so that a
// bug in one caller's function neither kills the shared writer nor leaves
// its transaction open.
func runUpdateFn(fn func(meta.Tx) error, w *writer) (err error) {
	defer func() {
		w.done = true
		if p := recover(); p != nil {
			w.log.Error("update function panicked", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", errPanicked, p)
		}
	}()
	return fn(w)
}
