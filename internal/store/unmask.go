package store

import (
	"context"
	"strings"
)

// RecordUnmask appends the audit row of someone seeing the full ID or phone number of member
// memberID (of branch orgID): which fields, and why (the page, the API, an export).
func (db *DB) RecordUnmask(ctx context.Context, memberID, orgID int64, fields []string, via string) error {
	return db.write(ctx, func(tx *Tx) error {
		return tx.audit(ctx, ActUnmask, ObjMember, memberID, orgID, map[string]string{
			"fields": strings.Join(fields, ","), "via": via})
	})
}
