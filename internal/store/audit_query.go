package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditFilter selects audit rows; zero fields select everything.
type AuditFilter struct {
	// From and To bound the row time: From <= at < To.
	From, To   time.Time
	Username   string
	Action     string
	ObjectType string
	ObjectID   int64
	// BeforeID keeps rows with smaller ids only, for stable paging while rows are appended.
	BeforeID int64
	// Offset and Limit select one page; Limit defaults to 50 and is at most MaxAuditPage.
	Offset, Limit int
}

// auditTimeSlack is how far out of id order a row's time may be. Rows appended since
// migration 00025 are in order (a row's time is raised to its predecessor's); before it, a
// PostgreSQL row carried its transaction's start, out of order by at most the length of a
// transaction that overlapped another.
const auditTimeSlack = 10 * time.Minute

// auditPurgeLock is the PostgreSQL advisory lock purges take turns on.
const auditPurgeLock int64 = 0x646a5f7075726765 // "dj_purge"

// auditIDFrom returns the first id from which on every row's time is at least t (one past the
// newest row when none is), by a binary search over the primary key: row times do not
// decrease with the id.
func auditIDFrom(ctx context.Context, q querier, t time.Time) (int64, error) {
	at := formatTS(t)
	var lo, hi sql.NullInt64
	// Two subqueries: each of min and max alone is one step down the key; together in one
	// query SQLite reads the whole table.
	if err := q.QueryRowContext(ctx, `SELECT (SELECT min(id) FROM audit_log), (SELECT max(id) FROM audit_log)`).Scan(&lo, &hi); err != nil {
		return 0, fmt.Errorf("store: search audit: %w", err)
	}
	if !lo.Valid {
		return 1, nil
	}
	// Invariant: the first row at or after id l is older than t when l > lo, and the first row
	// at or after id h is not (or there is none).
	l, h := lo.Int64, hi.Int64+1
	for l < h {
		mid := l + (h-l)/2
		var id int64
		var rowAt string
		err := q.QueryRowContext(ctx, `SELECT id, at FROM audit_log WHERE id >= $1 ORDER BY id LIMIT 1`, mid).Scan(&id, &rowAt)
		switch {
		case errors.Is(err, sql.ErrNoRows): // rows purged meanwhile
			h = mid
		case err != nil:
			return 0, fmt.Errorf("store: search audit: %w", err)
		case rowAt >= at:
			h = mid
		default:
			l = id + 1
		}
	}
	return l, nil
}

// MaxAuditPage is the largest page SearchAudit returns.
const MaxAuditPage = 1000

// SearchAudit returns one page of the audit rows matching f, newest first, and their total.
func (db *DB) SearchAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	// Row times grow with the id: a time bound becomes an id bound, which the primary key
	// serves, and the time itself is compared within it.
	if !f.From.IsZero() {
		id, err := auditIDFrom(ctx, db.r, f.From.Add(-auditTimeSlack))
		if err != nil {
			return nil, 0, err
		}
		where = append(where, "id >= "+arg(id), "at >= "+arg(formatTS(f.From)))
	}
	if !f.To.IsZero() {
		id, err := auditIDFrom(ctx, db.r, f.To.Add(auditTimeSlack))
		if err != nil {
			return nil, 0, err
		}
		where = append(where, "id < "+arg(id), "at < "+arg(formatTS(f.To)))
	}
	if f.Username != "" {
		where = append(where, "username = "+arg(f.Username))
	}
	if f.Action != "" {
		where = append(where, "action = "+arg(f.Action))
	}
	if f.ObjectType != "" {
		where = append(where, "object_type = "+arg(f.ObjectType))
	}
	if f.ObjectID != 0 {
		where = append(where, "object_id = "+arg(f.ObjectID))
	}
	if f.BeforeID != 0 {
		where = append(where, "id < "+arg(f.BeforeID))
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, MaxAuditPage)
	f.Offset = max(f.Offset, 0)
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	// The total in a query of its own: counted in the page's query (a window), every matching
	// row was read whole and sorted before the page was cut, 3 s for the first page of a
	// million rows on SQLite.
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count audit: %w", err)
	}
	q := `SELECT id, at, user_id, username, source, action, object_type, object_id, org_id, ok, detail
		FROM audit_log` + cond + " ORDER BY id DESC LIMIT " + arg(f.Limit) + " OFFSET " + arg(f.Offset)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: search audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, ts{&e.At}, nid{&e.UserID}, &e.Username, &e.Source, &e.Action, &e.ObjectType,
			nid{&e.ObjectID}, nid{&e.OrgID}, &e.OK, &e.Detail); err != nil {
			return nil, 0, fmt.Errorf("store: scan audit: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: search audit: %w", err)
	}
	return out, total, nil
}

// AuditFor lists the audit rows about one object, newest first.
func (db *DB) AuditFor(ctx context.Context, objectType string, objectID int64, limit int) ([]AuditEntry, error) {
	out, _, err := db.SearchAudit(ctx, AuditFilter{ObjectType: objectType, ObjectID: objectID, Limit: limit})
	return out, err
}
