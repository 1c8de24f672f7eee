package store

import (
	"context"
	"fmt"
	"strconv"

	"dangjian/internal/party"
)

// grantsOf returns the grants of a user with the names and paths of their organizations and
// members, in the order they were given.
func grantsOf(ctx context.Context, q querier, userID int64) ([]party.Grant, error) {
	rows, err := q.QueryContext(ctx, `SELECT g.id, g.user_id, g.role, g.org_id, COALESCE(o.name, ''),
		COALESCE(o.path, ''), g.member_id, COALESCE(m.name, ''), COALESCE(b.name, '')
		FROM grants g LEFT JOIN orgs o ON o.id = g.org_id LEFT JOIN members m ON m.id = g.member_id
		LEFT JOIN orgs b ON b.id = m.org_id WHERE g.user_id = $1 ORDER BY g.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list grants: %w", err)
	}
	defer rows.Close()
	var out []party.Grant
	for rows.Next() {
		var g party.Grant
		var branch string
		if err := rows.Scan(&g.ID, &g.UserID, &g.Role, nid{&g.OrgID}, &g.OrgName, &g.OrgPath, nid{&g.MemberID},
			&g.MemberName, &branch); err != nil {
			return nil, fmt.Errorf("store: scan grant: %w", err)
		}
		switch {
		case g.Role.Scope() == party.ScopeOwn:
			g.OrgName = branch
		case g.Role.Scope() == party.ScopeSubtree && g.OrgID == 0:
			g.OrgPath = party.RootPath
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// AddGrant gives user g.UserID role g.Role on organization g.OrgID (0: the whole installation,
// or none for the 三员), or links a 党员 grant to member g.MemberID. The grant rules of
// party.CheckGrant apply; g is filled with its ID, names and path.
func (db *DB) AddGrant(ctx context.Context, g *party.Grant) error {
	return db.write(ctx, func(tx *Tx) error { return tx.addGrant(ctx, g) })
}

func (tx *Tx) addGrant(ctx context.Context, g *party.Grant) error {
	existing, err := grantsOf(ctx, tx, g.UserID)
	if err != nil {
		return err
	}
	if _, err := tx.db.findUser(ctx, tx, "u.id = $1", g.UserID); err != nil {
		return err
	}
	var kind party.OrgKind
	if g.OrgID != 0 {
		o, err := findOrg(ctx, tx, g.OrgID)
		if err != nil {
			return party.FieldErrorf(party.EINVALID, "org", "组织不存在")
		}
		if o.Dissolved() {
			return party.FieldErrorf(party.EINVALID, "org", "组织“%s”已撤销", o.Name)
		}
		kind, g.OrgName, g.OrgPath = o.Kind, o.Name, o.Path
	}
	if g.MemberID != 0 {
		m, err := tx.db.findMember(ctx, tx, g.MemberID)
		if err != nil {
			return party.FieldErrorf(party.EINVALID, "member", "党员不存在")
		}
		if m.Status != party.StatusActive {
			// Not naming the member: the account administrators granting roles do not read
			// party records.
			return party.FieldErrorf(party.EINVALID, "member", "该党员记录已不在册（已转出或已故等），不能关联账户")
		}
		g.MemberName, g.OrgName = m.Name, m.OrgName
	}
	if g.Role.Scope() == party.ScopeOwn && g.OrgID != 0 {
		return party.FieldErrorf(party.EINVALID, "org", "党员角色关联本人的党员记录，不限定组织")
	}
	if err := party.CheckGrant(existing, *g, kind); err != nil {
		return err
	}
	if g.MemberID != 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM grants WHERE member_id = $1`, g.MemberID).Scan(&n); err != nil {
			return fmt.Errorf("store: check member link: %w", err)
		}
		if n > 0 {
			return party.FieldErrorf(party.ECONFLICT, "member", "%s的党员记录已关联其他账户", g.MemberName)
		}
	}
	if g.Role.Scope() == party.ScopeSubtree && g.OrgID == 0 {
		g.OrgPath = party.RootPath
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO grants (user_id, role, org_id, member_id, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, g.UserID, string(g.Role), nullID(g.OrgID), nullID(g.MemberID),
		formatTS(tx.now)).Scan(&g.ID)
	if err != nil {
		return fmt.Errorf("store: insert grant: %w", err)
	}
	return tx.audit(ctx, ActGrant, ObjUser, g.UserID, g.OrgID, grantFields(g))
}

// grantFields describes a grant for the audit trail.
func grantFields(g *party.Grant) map[string]string {
	out := map[string]string{"grant": strconv.FormatInt(g.ID, 10), "role": string(g.Role)}
	if g.OrgID != 0 {
		out["org"] = g.OrgName
	}
	if g.MemberID != 0 {
		out["member"] = strconv.FormatInt(g.MemberID, 10)
	}
	return out
}

// RevokeGrant removes grant id of user userID.
func (db *DB) RevokeGrant(ctx context.Context, userID, id int64) error {
	return db.write(ctx, func(tx *Tx) error {
		existing, err := grantsOf(ctx, tx, userID)
		if err != nil {
			return err
		}
		for _, g := range existing {
			if g.ID != id {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM grants WHERE id = $1`, id); err != nil {
				return fmt.Errorf("store: delete grant: %w", err)
			}
			return tx.audit(ctx, ActRevoke, ObjUser, userID, g.OrgID, grantFields(&g))
		}
		return party.Errorf(party.ENOTFOUND, "授权不存在")
	})
}
