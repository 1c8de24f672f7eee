package store

import (
	"context"
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
	if !f.From.IsZero() {
		where = append(where, "at >= "+arg(formatTS(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "at < "+arg(formatTS(f.To)))
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
	q := `SELECT id, at, user_id, username, source, action, object_type, object_id, org_id, ok, detail,
		count(*) OVER () FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + arg(f.Limit) + " OFFSET " + arg(f.Offset)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: search audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	total := 0
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, ts{&e.At}, nid{&e.UserID}, &e.Username, &e.Source, &e.Action, &e.ObjectType,
			nid{&e.ObjectID}, nid{&e.OrgID}, &e.OK, &e.Detail, &total); err != nil {
			return nil, 0, fmt.Errorf("store: scan audit: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: search audit: %w", err)
	}
	if len(out) == 0 && f.Offset > 0 {
		// Past the last page: the window gave no total, so count the first page.
		f.Offset, f.Limit = 0, 1
		_, total, err = db.SearchAudit(ctx, f)
		return nil, total, err
	}
	return out, total, nil
}

// AuditFor lists the audit rows about one object, newest first.
func (db *DB) AuditFor(ctx context.Context, objectType string, objectID int64, limit int) ([]AuditEntry, error) {
	out, _, err := db.SearchAudit(ctx, AuditFilter{ObjectType: objectType, ObjectID: objectID, Limit: limit})
	return out, err
}
