package sqlmeta

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// schemaFiles holds the numbered migrations of each dialect,
// schema/<dialect>/NNNN_name.sql.
//
//go:embed schema
var schemaFiles embed.FS

// migration is one numbered schema file.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads dir's NNNN_name.sql files in version order; versions
// must run 1, 2, 3… without gaps, so that a missing file cannot be skipped.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlmeta: read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlmeta: migration %s: want NNNN_name.sql", name)
		}
		text, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("sqlmeta: read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(text)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("sqlmeta: migration %s: want version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate brings db's schema to the newest version in one transaction, so
// that a failed migration leaves the old schema intact. lockSQL, if set,
// serialises concurrent migrators (gateways starting together); SQLite's
// writer already begins IMMEDIATE, which does the same.
func migrate(ctx context.Context, db *sql.DB, dir, lockSQL string, log *slog.Logger) error {
	return migrateTo(ctx, db, dir, lockSQL, log, 0)
}

// migrateTo is migrate up to version target, or the newest if target is 0;
// tests build the schemas of earlier releases with it.
func migrateTo(ctx context.Context, db *sql.DB, dir, lockSQL string, log *slog.Logger, target int) error {
	ms, err := loadMigrations(schemaFiles, dir)
	if err != nil {
		return err
	}
	if target > 0 && target < len(ms) {
		ms = ms[:target]
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlmeta: migrate: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if lockSQL != "" {
		if _, err := tx.ExecContext(ctx, lockSQL); err != nil {
			return fmt.Errorf("sqlmeta: migrate: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER NOT NULL PRIMARY KEY,
		applied BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("sqlmeta: migrate: create schema_version: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&current); err != nil {
		return fmt.Errorf("sqlmeta: migrate: read schema_version: %w", err)
	}
	if latest := len(ms); current > latest {
		return fmt.Errorf("sqlmeta: database schema version %d is newer than this binary's %d", current, latest)
	}
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("sqlmeta: migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied) VALUES ($1, $2)`,
			m.version, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("sqlmeta: migration %s: record version: %w", m.name, err)
		}
		log.Info("applied metadata migration", "migration", m.name)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlmeta: migrate: commit: %w", err)
	}
	return nil
}
