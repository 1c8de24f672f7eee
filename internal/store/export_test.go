package store

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// This file is compiled only into the package's tests: it gives the external tests the raw
// access that tampering and migration tests need, which the program itself never has.

// ExecRaw runs a statement on the write pool outside any store method, as someone with direct
// access to the database would.
func (db *DB) ExecRaw(ctx context.Context, query string, args ...any) error {
	if _, err := db.w.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("store: raw exec: %w", err)
	}
	return nil
}

// MigrateTo applies the migrations up to and including version, and no further.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	if db.engine == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, db.w, sub)
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// RenameOrgForBench runs the SQL of UpdateOrg for a rename (find, uniqueness checks, update)
// in one write transaction, appending the audit row only when audited is true, so a benchmark
// can measure what the audit append adds.
func (db *DB) RenameOrgForBench(ctx context.Context, id int64, name string, audited bool) error {
	return db.write(ctx, func(tx *Tx) error {
		o, err := findOrg(ctx, tx, id)
		if err != nil {
			return err
		}
		before := orgFields(o)
		o.Name = name
		if err := tx.checkOrgUnique(ctx, o); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE orgs SET name = $1, code = $2, founded_on = $3, start_on = $4,
			end_on = $5, note = $6, updated_at = $7 WHERE id = $8`, o.Name, o.Code, o.FoundedOn, o.StartOn,
			o.EndOn, o.Note, formatTS(tx.now), o.ID)
		if err != nil {
			return fmt.Errorf("store: update org: %w", err)
		}
		if !audited {
			return nil
		}
		return tx.audit(ctx, ActUpdate, ObjOrg, o.ID, o.ID, diff(before, orgFields(o)))
	})
}

// SkipAuditForBench turns the audit append off (true) or on, so a benchmark can time a real
// store method with and without it.
func (db *DB) SkipAuditForBench(skip bool) { db.skipAudit = skip }

// Reopen opens a second handle on db's database, as another process would, and migrates it.
func (db *DB) Reopen(ctx context.Context) (*DB, error) {
	other, err := Open(ctx, db.cfg)
	if err != nil {
		return nil, err
	}
	if err := other.Migrate(ctx); err != nil {
		other.Close()
		return nil, err
	}
	other.Now = db.Now
	return other, nil
}
