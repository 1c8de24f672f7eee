// Package store keeps the platform's records in SQLite or PostgreSQL through one code path of
// hand-written SQL in the subset both engines share.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // SQLite driver "sqlite"

	"dangjian/internal/party"
	"dangjian/internal/secret"
)

//go:embed migrations
var migrations embed.FS

// Engine names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// SQLiteFile is the database file name inside the data directory.
const SQLiteFile = "dangjian.db"

// DB is the store: a write pool and a read pool (the same pool on PostgreSQL).
type DB struct {
	w, r   *sql.DB
	engine string
	cfg    Config
	keys   *secret.Keys
	audit  auditAppender
	// skipAudit is set only by the package's benchmarks (export_test.go), to measure what the
	// audit append adds to a real write; the program has no way to set it.
	skipAudit bool
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// Config says which database to open.
type Config struct {
	// URL is a postgres:// URL; empty selects SQLite in DataDir.
	URL     string
	DataDir string
	Keys    *secret.Keys
}

// Open opens the database named by cfg without migrating it.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.Keys == nil {
		return nil, errors.New("store: no keys")
	}
	db := &DB{cfg: cfg, keys: cfg.Keys, Now: time.Now}
	if cfg.URL != "" {
		if !strings.HasPrefix(cfg.URL, "postgres://") && !strings.HasPrefix(cfg.URL, "postgresql://") {
			return nil, errors.New("store: --db must be a postgres:// URL")
		}
		p, err := sql.Open("pgx", cfg.URL)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		p.SetMaxOpenConns(20)
		p.SetMaxIdleConns(5)
		p.SetConnMaxIdleTime(5 * time.Minute)
		db.w, db.r, db.engine = p, p, Postgres
	} else {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("store: create data directory: %w", err)
		}
		path := filepath.Join(cfg.DataDir, SQLiteFile)
		pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
		base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
		w, err := sql.Open("sqlite", base+"&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		r.SetMaxOpenConns(4)
		db.w, db.r, db.engine = w, r, SQLite
	}
	if err := db.w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return db, nil
}

// Engine returns SQLite or Postgres.
func (db *DB) Engine() string { return db.engine }

// Keys returns the keys protecting sensitive fields.
func (db *DB) Keys() *secret.Keys { return db.keys }

// Close closes both pools.
func (db *DB) Close() error {
	db.audit.close()
	err := db.w.Close()
	if db.r != db.w {
		if e := db.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Migrate applies every pending migration and checks that the key matches the database.
func (db *DB) Migrate(ctx context.Context) error {
	dir := "migrations/sqlite"
	dialect := goose.DialectSQLite3
	if db.engine == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, db.w, sub)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if err := db.checkKey(ctx); err != nil {
		return err
	}
	return db.audit.prepare(ctx, db)
}

// checkKey records the key's check value on first use and refuses a different key later, so
// a database is never filled with values that its own key cannot open.
func (db *DB) checkKey(ctx context.Context) error {
	var stored string
	err := db.w.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'key_check'`).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = db.w.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('key_check', $1)`, db.keys.CheckValue())
		if err != nil {
			return fmt.Errorf("store: record key check: %w", err)
		}
		// A new database: its ledgers start with the year it was created (see LedgerStart).
		today := party.Today(db.Now())
		start := party.Date{Year: today.Year, Month: time.January, Day: 1}
		if err := db.SetMeta(ctx, metaLedgerStart, start.String()); err != nil {
			return err
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: read key check: %w", err)
	}
	if stored != db.keys.CheckValue() {
		return party.Errorf(party.EINVALID, "密钥与数据库不匹配：请使用创建该数据库时的密钥文件（dangjian.key）或 DANGJIAN_KEY")
	}
	return nil
}

// Meta returns a value of the meta table, "" when absent.
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: read meta: %w", err)
	}
	return v, nil
}

// SetMeta stores a value in the meta table.
func (db *DB) SetMeta(ctx context.Context, key, value string) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("store: write meta: %w", err)
	}
	return nil
}

// metaLedgerStart is the meta key of LedgerStart.
const metaLedgerStart = "ledger_start"

// LedgerStart returns the first day the installation keeps records for (台账起始日期): the
// 1st of January of the year its database was created. Reminders do not call periods before
// it overdue, since an office that starts in November has no way to enter last year's
// meetings short of importing its old ledger; the compliance pages judge any period asked for.
// The zero Date for a database created before the date was recorded.
func (db *DB) LedgerStart(ctx context.Context) (party.Date, error) {
	v, err := db.Meta(ctx, metaLedgerStart)
	if err != nil || v == "" {
		return party.Date{}, err
	}
	d, err := party.ParseDate(v)
	if err != nil {
		return party.Date{}, fmt.Errorf("store: ledger start %q: %w", v, err)
	}
	return d, nil
}

// SetLedgerStart changes the first day the installation keeps records for.
func (db *DB) SetLedgerStart(ctx context.Context, d party.Date) error {
	return db.SetMeta(ctx, metaLedgerStart, d.String())
}

// Empty reports whether the database holds no organization yet.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM orgs`).Scan(&n); err != nil {
		return false, fmt.Errorf("store: count orgs: %w", err)
	}
	return n == 0, nil
}

// Tx is a write transaction carrying the clock's reading and the actor for the audit trail.
type Tx struct {
	txConn
	// sqlTx is the transaction on SQLite, for its prepared statements; nil on PostgreSQL,
	// whose transactions run on a connection of their own (writePostgres).
	sqlTx *sql.Tx
	db    *DB
	now   time.Time
	actor party.Actor
	// pending are the audit rows the transaction appends when it commits; chained is the
	// last of them once appended.
	pending []auditRecord
	chained chainLink
}

// txConn is what a transaction runs its statements on: a *sql.Tx, or a *sql.Conn inside an
// explicit BEGIN.
type txConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// write runs fn in one write transaction; fn's error rolls everything back, audit rows too.
// The audit rows fn added are appended just before the commit, in the same transaction.
func (db *DB) write(ctx context.Context, fn func(tx *Tx) error) error {
	if db.engine == Postgres {
		return db.writePostgres(ctx, fn)
	}
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{txConn: sqlTx, sqlTx: sqlTx, db: db, now: db.Now().UTC(), actor: party.ActorFrom(ctx)}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := tx.flushAuditSQLite(ctx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	if len(tx.pending) > 0 {
		db.audit.setHead(tx.chained)
	}
	return nil
}

// today returns the transaction's calendar day in the display zone.
func (tx *Tx) today() party.Date { return party.Today(tx.now) }

const tsLayout = "2006-01-02T15:04:05.000000Z"

func formatTS(t time.Time) string { return t.UTC().Format(tsLayout) }

// ts scans a timestamp stored as TEXT.
type ts struct{ t *time.Time }

func (s ts) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.t = time.Time{}
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	case time.Time:
		*s.t = v
	default:
		return fmt.Errorf("store: cannot scan %T as time", src)
	}
	return nil
}

func (s ts) parse(v string) error {
	t, err := time.Parse(tsLayout, v)
	if err != nil {
		return fmt.Errorf("store: bad stored time %q", v)
	}
	*s.t = t
	return nil
}

// nullID maps 0 to NULL for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nid scans a nullable id into 0.
type nid struct{ p *int64 }

func (n nid) Scan(src any) error {
	var v sql.NullInt64
	if err := v.Scan(src); err != nil {
		return err
	}
	*n.p = v.Int64
	return nil
}

// subtreeRange returns [lo, hi) bounding every path under path (itself included).
func subtreeRange(path string) (string, string) {
	// Paths end in "/", and "0" follows "/" in byte order, so every descendant's path lies in
	// [path, path[:len-1]+"0").
	return path, path[:len(path)-1] + "0"
}

// RawQueryRow runs a read query directly; tests use it to look at stored values.
func (db *DB) RawQueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.r.QueryRowContext(ctx, query, args...)
}
