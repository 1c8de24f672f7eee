package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Change is one changed field in an audit row; sensitive values arrive already masked.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// fields is a record flattened to display strings, for diffs.
type fields map[string]string

// diff lists the fields whose values differ between old and new, in field order.
func diff(old, new fields) []Change {
	keys := make([]string, 0, len(new))
	seen := map[string]bool{}
	for k := range new {
		keys = append(keys, k)
		seen[k] = true
	}
	for k := range old {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []Change
	for _, k := range keys {
		if old[k] != new[k] {
			out = append(out, Change{Field: k, Old: old[k], New: new[k]})
		}
	}
	return out
}

// audit appends one row to the audit trail inside tx, so the write and its record stand or
// fall together.
func (tx *Tx) audit(ctx context.Context, action, objectType string, objectID, orgID int64, detail any) error {
	var text string
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("store: audit detail: %w", err)
		}
		text = string(b)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log
		(at, user_id, username, source, action, object_type, object_id, org_id, ok, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		formatTS(tx.now), nullID(tx.actor.UserID), tx.actor.Username, tx.actor.Source,
		action, objectType, nullID(objectID), nullID(orgID), true, text)
	if err != nil {
		return fmt.Errorf("store: append audit row: %w", err)
	}
	return nil
}

// AuditEntry is one row of the audit trail.
type AuditEntry struct {
	ID         int64
	At         time.Time
	Username   string
	Source     string
	Action     string
	ObjectType string
	ObjectID   int64
	OrgID      int64
	OK         bool
	Detail     string
}

// AuditFor lists the audit rows about one object, newest first.
func (db *DB) AuditFor(ctx context.Context, objectType string, objectID int64, limit int) ([]AuditEntry, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, at, username, source, action, object_type,
		object_id, org_id, ok, detail FROM audit_log WHERE object_type = $1 AND object_id = $2
		ORDER BY id DESC LIMIT $3`, objectType, objectID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, ts{&e.At}, &e.Username, &e.Source, &e.Action, &e.ObjectType,
			nid{&e.ObjectID}, nid{&e.OrgID}, &e.OK, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: scan audit: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Audit actions.
const (
	ActCreate     = "create"
	ActUpdate     = "update"
	ActMove       = "move"
	ActDissolve   = "dissolve"
	ActTransfer   = "transfer"
	ActImport     = "import"
	ActExport     = "export"
	ActUnmask     = "unmask"
	ActDelete     = "delete"
	ObjOrg        = "org"
	ObjMember     = "member"
	ObjPosition   = "position"
	ObjAttachment = "temp_attachment"
)

// RecordExport appends an audit row for a file export that changed no record.
func (db *DB) RecordExport(ctx context.Context, objectType string, orgID int64, detail any) error {
	return db.write(ctx, func(tx *Tx) error {
		return tx.audit(ctx, ActExport, objectType, 0, orgID, detail)
	})
}
