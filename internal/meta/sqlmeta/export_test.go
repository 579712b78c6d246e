package sqlmeta

import (
	"context"
	"database/sql"
	"log/slog"

	"github.com/cairn-s3/cairn/internal/s3"
)

// MigrateTo brings db's schema in dialect "sqlite" or "postgres" up to
// version, so that tests can write rows as an earlier release did.
func MigrateTo(ctx context.Context, db *sql.DB, dialect string, version int) error {
	lock := ""
	if dialect == "postgres" {
		lock = pgMigrationLock
	}
	return migrateTo(ctx, db, "schema/"+dialect, lock, slog.New(slog.DiscardHandler), version)
}

// EncodeExtents is encodeExtents, for writing rows directly.
func EncodeExtents(ex []s3.Extent) ([]byte, error) { return encodeExtents(ex) }
