package sqlmeta

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"runtime"
	"sync"

	"github.com/cairn-s3/cairn/internal/meta"
)

// groupCommit is SQLite's writer. A durable commit costs one fsync of the
// WAL, a few milliseconds here, whatever it holds; so one goroutine takes
// every Update queued while the previous commit was syncing, runs each in
// its own SAVEPOINT of a single transaction, and commits them with one
// fsync. A failing or panicking function is rolled back to its savepoint
// and only its caller sees the error.
type groupCommit struct {
	db       *sql.DB // one connection, BEGIN IMMEDIATE
	stmts    *statements
	log      *slog.Logger
	maxBatch int

	queue chan *updateRequest
	// mu orders sends on queue before Close closes it.
	mu      sync.RWMutex
	closed  bool
	stopped chan struct{}
}

// updateRequest is one queued Update call.
type updateRequest struct {
	ctx  context.Context
	fn   func(meta.Tx) error
	done chan error // buffered: the writer never waits for the caller
}

func startGroupCommit(db *sql.DB, stmts *statements, log *slog.Logger, maxBatch int) *groupCommit {
	g := &groupCommit{
		db: db, stmts: stmts, log: log, maxBatch: maxBatch,
		queue:   make(chan *updateRequest, maxBatch),
		stopped: make(chan struct{}),
	}
	go g.run()
	return g
}

// update queues fn and waits for its batch to commit. Once queued the call
// waits for the answer even if ctx ends, so that its result is never
// "unknown": fn either did not run (ctx.Err()) or committed or failed.
func (g *groupCommit) update(ctx context.Context, fn func(meta.Tx) error) error {
	req := &updateRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return ErrClosed
	}
	select {
	case g.queue <- req:
		g.mu.RUnlock()
	case <-ctx.Done():
		g.mu.RUnlock()
		return ctx.Err()
	}
	return <-req.done
}

// stop lets the writer finish every queued update and waits for it.
func (g *groupCommit) stop() {
	g.mu.Lock()
	if !g.closed {
		g.closed = true
		close(g.queue)
	}
	g.mu.Unlock()
	<-g.stopped
}

func (g *groupCommit) run() {
	defer close(g.stopped)
	batch := make([]*updateRequest, 0, g.maxBatch)
	last := 0 // size of the previous batch
	for req := range g.queue {
		batch = append(batch[:0], req)
		batch = g.fill(batch)
		// The callers of the previous batch were answered a moment ago
		// and are likely on their way back. Let them run before
		// committing, or batches alternate between one caller and the
		// rest, halving what each fsync carries.
		for yields := 0; len(batch) < last && yields < 4; yields++ {
			runtime.Gosched()
			batch = g.fill(batch)
		}
		last = len(batch)
		g.commit(batch)
		clear(batch)
	}
}

// fill adds queued requests to batch without waiting, up to the limit.
func (g *groupCommit) fill(batch []*updateRequest) []*updateRequest {
	for len(batch) < g.maxBatch {
		select {
		case req, ok := <-g.queue:
			if !ok {
				return batch
			}
			batch = append(batch, req)
		default:
			return batch
		}
	}
	return batch
}

// commit runs batch in one transaction and answers every request.
func (g *groupCommit) commit(batch []*updateRequest) {
	// Statements run under a context no caller can cancel; see txConn.ctx.
	ctx := context.Background()
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		answer(batch, fmt.Errorf("sqlmeta: begin update: %w", err))
		return
	}
	c := newTxConn(ctx, tx, g.stmts)
	ok := batch[:0:0]
	for i, req := range batch {
		if err := req.ctx.Err(); err != nil {
			req.done <- err
			continue
		}
		fnErr, err := g.runInSavepoint(c, req)
		if err != nil {
			// The transaction is in an unknown state: give up on all of it.
			tx.Rollback() //nolint:errcheck // the batch fails either way
			answer(ok, err)
			answer(batch[i:], err)
			return
		}
		if fnErr != nil {
			req.done <- fnErr
			continue
		}
		ok = append(ok, req)
	}
	if len(ok) == 0 {
		tx.Rollback() //nolint:errcheck // nothing to keep
		return
	}
	if err := tx.Commit(); err != nil {
		answer(ok, fmt.Errorf("sqlmeta: commit update: %w", err))
		return
	}
	answer(ok, nil)
}

// runInSavepoint runs one request's fn inside a savepoint. fnErr is the
// function's own failure, already rolled back; err means the transaction
// itself failed.
func (g *groupCommit) runInSavepoint(c *txConn, req *updateRequest) (fnErr, err error) {
	if _, err := c.exec(qSavepoint); err != nil {
		return nil, fmt.Errorf("sqlmeta: savepoint: %w", err)
	}
	w := &writer{reader: reader{c: c, ctx: req.ctx}, log: g.log}
	if fnErr = runUpdateFn(req.fn, w); fnErr != nil {
		if _, err := c.exec(qSavepointRollback); err != nil {
			return nil, fmt.Errorf("sqlmeta: roll back to savepoint after %v: %w", fnErr, err)
		}
	}
	if _, err := c.exec(qSavepointRelease); err != nil {
		return nil, fmt.Errorf("sqlmeta: release savepoint: %w", err)
	}
	return fnErr, nil
}

func answer(reqs []*updateRequest, err error) {
	for _, r := range reqs {
		r.done <- err
	}
}
