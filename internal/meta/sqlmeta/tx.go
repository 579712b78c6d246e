package sqlmeta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/cairn-s3/cairn/internal/meta"
	"github.com/cairn-s3/cairn/internal/s3"
)

// reader implements meta.ReadTx for one View or Update function. It is not
// safe for concurrent use, as the function is its only user.
type reader struct {
	c *txConn
	// ctx is the caller's context, checked before every statement; it binds
	// the transaction to the caller even where statements run under another
	// context (see txConn.ctx).
	ctx  context.Context
	done bool
}

// check fails once the function has returned or the caller's context ended.
func (r *reader) check() error {
	if r.done {
		return errTxDone
	}
	return r.ctx.Err()
}

// writer implements meta.Tx for one Update function.
type writer struct {
	reader
	log *slog.Logger
	// added holds the blobs this Update call registered: they may be
	// referenced at zero references, since nothing could have collected
	// them yet.
	added map[s3.BlobID]struct{}
}

var (
	_ meta.ReadTx = (*reader)(nil)
	_ meta.Tx     = (*writer)(nil)
)

// notFound turns sql.ErrNoRows into meta.ErrNotFound and wraps any error
// with what was being done.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		err = meta.ErrNotFound
	}
	return fmt.Errorf("sqlmeta: "+format+": %w", append(args, err)...)
}

// zeroTime stands for time.Time{}, which has no Unix nanosecond value.
const zeroTime = math.MinInt64

// timeToUnix stores t with nanosecond precision. Times outside the years
// 1678–2262 cannot be represented.
func timeToUnix(t time.Time) int64 {
	if t.IsZero() {
		return zeroTime
	}
	return t.UnixNano()
}

// unixToTime reads what timeToUnix stored, in UTC.
func unixToTime(n int64) time.Time {
	if n == zeroTime {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
