package sqlmeta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// errTxDone is returned by a transaction used after its fn returned.
var errTxDone = errors.New("sqlmeta: transaction used after its function returned")

// txConn is one database transaction and the statements bound to it. In a
// group commit several Update functions share one txConn in turn.
type txConn struct {
	tx *sql.Tx
	// ctx is the context statements run under. For a group commit it is not
	// any caller's: modernc.org/sqlite interrupts a statement whose context
	// ends, and SQLite answers an interrupted write by rolling back the
	// whole transaction, every caller's work with it.
	ctx      context.Context
	prepared *statements // nil: run the text (pgx caches prepared statements itself)
	bound    [numQueries]*sql.Stmt
}

func newTxConn(ctx context.Context, tx *sql.Tx, prepared *statements) *txConn {
	return &txConn{tx: tx, ctx: ctx, prepared: prepared}
}

// stmt returns q bound to the transaction, binding it on first use.
func (c *txConn) stmt(q query) *sql.Stmt {
	if c.prepared == nil || c.prepared[q] == nil {
		return nil
	}
	if c.bound[q] == nil {
		c.bound[q] = c.tx.StmtContext(c.ctx, c.prepared[q])
	}
	return c.bound[q]
}

func (c *txConn) exec(q query, args ...any) (sql.Result, error) {
	if st := c.stmt(q); st != nil {
		return st.ExecContext(c.ctx, args...)
	}
	return c.tx.ExecContext(c.ctx, queryText(q), args...)
}

// execCount runs q and returns the number of rows it changed.
func (c *txConn) execCount(q query, args ...any) (int64, error) {
	res, err := c.exec(q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return n, nil
}

func (c *txConn) query(q query, args ...any) (*sql.Rows, error) {
	if st := c.stmt(q); st != nil {
		return st.QueryContext(c.ctx, args...)
	}
	return c.tx.QueryContext(c.ctx, queryText(q), args...)
}

func (c *txConn) queryRow(q query, args ...any) *sql.Row {
	if st := c.stmt(q); st != nil {
		return st.QueryRowContext(c.ctx, args...)
	}
	return c.tx.QueryRowContext(c.ctx, queryText(q), args...)
}

// queryText runs SQL built at run time, which has no prepared statement.
func (c *txConn) queryText(text string, args ...any) (*sql.Rows, error) {
	return c.tx.QueryContext(c.ctx, text, args...)
}
