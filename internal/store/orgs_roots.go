package store

import (
	"context"
	"fmt"

	"dangjian/internal/party"
)

// RootOrgs returns the top-level organizations (those without a parent) in creation order.
func (db *DB) RootOrgs(ctx context.Context, includeDissolved bool) ([]*party.Org, error) {
	q := `SELECT ` + orgColumns + ` FROM orgs o WHERE o.parent_id IS NULL`
	if !includeDissolved {
		q += ` AND o.dissolved_on IS NULL`
	}
	rows, err := db.r.QueryContext(ctx, q+` ORDER BY o.id`)
	if err != nil {
		return nil, fmt.Errorf("store: list root orgs: %w", err)
	}
	defer rows.Close()
	var out []*party.Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan org: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
