package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"dangjian/internal/party"
)

// AddPosition records that a member holds a party post in an organization from p.StartOn.
func (db *DB) AddPosition(ctx context.Context, p *party.Position) error {
	return db.write(ctx, func(tx *Tx) error {
		if err := p.Validate(); err != nil {
			return err
		}
		m, err := tx.db.findMember(ctx, tx, p.MemberID)
		if err != nil {
			return party.FieldErrorf(party.EINVALID, "member_id", "党员不存在")
		}
		if m.Status != party.StatusActive {
			return party.FieldErrorf(party.EINVALID, "member_id", "%s已%s，不能任职", m.Name, m.Status)
		}
		o, err := findOrg(ctx, tx, p.OrgID)
		if err != nil {
			return party.FieldErrorf(party.EINVALID, "org_id", "组织不存在")
		}
		if o.Dissolved() {
			return party.FieldErrorf(party.EINVALID, "org_id", "组织“%s”已撤销", o.Name)
		}
		if p.Title == "党小组长" && o.Kind != party.KindGroup {
			return party.FieldErrorf(party.EINVALID, "title", "党小组长只能在党小组任职")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM positions WHERE member_id = $1 AND org_id = $2
			AND title = $3 AND end_on IS NULL`, p.MemberID, p.OrgID, p.Title).Scan(&n); err != nil {
			return fmt.Errorf("store: check position: %w", err)
		}
		if n > 0 {
			return party.Errorf(party.ECONFLICT, "%s已在%s任%s", m.Name, o.Name, p.Title)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO positions (member_id, org_id, title, start_on, end_on)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, p.MemberID, p.OrgID, p.Title, p.StartOn, p.EndOn).Scan(&p.ID)
		if err != nil {
			return fmt.Errorf("store: insert position: %w", err)
		}
		p.MemberName, p.OrgName = m.Name, o.Name
		return tx.audit(ctx, ActCreate, ObjPosition, p.ID, p.OrgID, diff(nil, fields{"member": m.Name,
			"title": p.Title, "start_on": p.StartOn.String(), "end_on": p.EndOn.String()}))
	})
}

// EndPosition records the day a post ended.
func (db *DB) EndPosition(ctx context.Context, id int64, on party.Date) error {
	return db.write(ctx, func(tx *Tx) error {
		var start, end party.Date
		var orgID int64
		err := tx.QueryRowContext(ctx, `SELECT start_on, end_on, org_id FROM positions WHERE id = $1`, id).Scan(&start, &end, &orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return party.Errorf(party.ENOTFOUND, "任职记录不存在")
		}
		if err != nil {
			return fmt.Errorf("store: find position: %w", err)
		}
		if !end.IsZero() {
			return party.Errorf(party.ECONFLICT, "该职务已于%s离任", end.Chinese())
		}
		if on.IsZero() || on.Before(start) {
			return party.FieldErrorf(party.EINVALID, "end_on", "离任日期不能为空，也不能早于任职日期")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE positions SET end_on = $1 WHERE id = $2`, on, id); err != nil {
			return fmt.Errorf("store: end position: %w", err)
		}
		return tx.audit(ctx, ActUpdate, ObjPosition, id, orgID, []Change{{Field: "end_on", New: on.String()}})
	})
}

func (db *DB) listPositions(ctx context.Context, where string, arg any) ([]*party.Position, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT p.id, p.member_id, p.org_id, p.title, p.start_on, p.end_on, m.name, o.name
		FROM positions p JOIN members m ON m.id = p.member_id JOIN orgs o ON o.id = p.org_id
		WHERE `+where+` ORDER BY p.end_on IS NOT NULL, p.start_on, p.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("store: list positions: %w", err)
	}
	defer rows.Close()
	var out []*party.Position
	for rows.Next() {
		var p party.Position
		if err := rows.Scan(&p.ID, &p.MemberID, &p.OrgID, &p.Title, &p.StartOn, &p.EndOn, &p.MemberName, &p.OrgName); err != nil {
			return nil, fmt.Errorf("store: scan position: %w", err)
		}
		out = append(out, &p)
	}
	return out, rows.Err()
}

// Officers lists the posts currently held in organization id (its 班子).
func (db *DB) Officers(ctx context.Context, orgID int64) ([]*party.Position, error) {
	return db.listPositions(ctx, "p.org_id = $1 AND p.end_on IS NULL", orgID)
}

// MemberPositions lists every post a member holds or held.
func (db *DB) MemberPositions(ctx context.Context, memberID int64) ([]*party.Position, error) {
	return db.listPositions(ctx, "p.member_id = $1", memberID)
}

// Attach attaches an active member to an active temporary branch for [start, end].
func (db *DB) Attach(ctx context.Context, a *party.TempAttachment) error {
	return db.write(ctx, func(tx *Tx) error {
		m, err := tx.db.findMember(ctx, tx, a.MemberID)
		if err != nil {
			return party.FieldErrorf(party.EINVALID, "member_id", "党员不存在")
		}
		if m.Status != party.StatusActive {
			return party.FieldErrorf(party.EINVALID, "member_id", "%s已%s", m.Name, m.Status)
		}
		o, err := findOrg(ctx, tx, a.OrgID)
		if err != nil || o.Kind != party.KindTempBranch {
			return party.FieldErrorf(party.EINVALID, "org_id", "只能把党员编入临时党支部")
		}
		if o.Dissolved() {
			return party.FieldErrorf(party.EINVALID, "org_id", "临时党支部“%s”已撤销", o.Name)
		}
		if a.StartOn.IsZero() {
			a.StartOn = o.StartOn
		}
		if a.StartOn.Before(o.StartOn) || (!o.EndOn.IsZero() && a.StartOn.After(o.EndOn)) {
			return party.FieldErrorf(party.EINVALID, "start_on", "编入日期应在临时党支部存续期间（%s起）", o.StartOn.Chinese())
		}
		if !a.EndOn.IsZero() && a.EndOn.Before(a.StartOn) {
			return party.FieldErrorf(party.EINVALID, "end_on", "结束日期不能早于编入日期")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM temp_attachments WHERE member_id = $1 AND org_id = $2
			AND end_on IS NULL`, a.MemberID, a.OrgID).Scan(&n); err != nil {
			return fmt.Errorf("store: check attachment: %w", err)
		}
		if n > 0 {
			return party.Errorf(party.ECONFLICT, "%s已编入%s", m.Name, o.Name)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO temp_attachments (member_id, org_id, start_on, end_on)
			VALUES ($1, $2, $3, $4) RETURNING id`, a.MemberID, a.OrgID, a.StartOn, a.EndOn).Scan(&a.ID)
		if err != nil {
			return fmt.Errorf("store: insert attachment: %w", err)
		}
		a.MemberName, a.OrgName = m.Name, o.Name
		return tx.audit(ctx, ActCreate, ObjAttachment, a.ID, a.OrgID, diff(nil, fields{"member": m.Name,
			"start_on": a.StartOn.String(), "end_on": a.EndOn.String()}))
	})
}

// EndAttachment ends a member's attachment to a temporary branch on day on.
func (db *DB) EndAttachment(ctx context.Context, id int64, on party.Date) error {
	return db.write(ctx, func(tx *Tx) error {
		var start, end party.Date
		var orgID int64
		err := tx.QueryRowContext(ctx, `SELECT start_on, end_on, org_id FROM temp_attachments WHERE id = $1`, id).Scan(&start, &end, &orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return party.Errorf(party.ENOTFOUND, "编入记录不存在")
		}
		if err != nil {
			return fmt.Errorf("store: find attachment: %w", err)
		}
		if !end.IsZero() {
			return party.Errorf(party.ECONFLICT, "该编入记录已于%s结束", end.Chinese())
		}
		if on.IsZero() || on.Before(start) {
			return party.FieldErrorf(party.EINVALID, "end_on", "结束日期不能为空，也不能早于编入日期")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE temp_attachments SET end_on = $1 WHERE id = $2`, on, id); err != nil {
			return fmt.Errorf("store: end attachment: %w", err)
		}
		return tx.audit(ctx, ActUpdate, ObjAttachment, id, orgID, []Change{{Field: "end_on", New: on.String()}})
	})
}

func (db *DB) listAttachments(ctx context.Context, where string, arg any) ([]*party.TempAttachment, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT a.id, a.member_id, a.org_id, a.start_on, a.end_on, m.name, o.name
		FROM temp_attachments a JOIN members m ON m.id = a.member_id JOIN orgs o ON o.id = a.org_id
		WHERE `+where+` ORDER BY a.end_on IS NOT NULL, m.name_key, a.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("store: list attachments: %w", err)
	}
	defer rows.Close()
	var out []*party.TempAttachment
	for rows.Next() {
		var a party.TempAttachment
		if err := rows.Scan(&a.ID, &a.MemberID, &a.OrgID, &a.StartOn, &a.EndOn, &a.MemberName, &a.OrgName); err != nil {
			return nil, fmt.Errorf("store: scan attachment: %w", err)
		}
		out = append(out, &a)
	}
	return out, rows.Err()
}

// Attached lists the members attached to temporary branch orgID (current ones first).
func (db *DB) Attached(ctx context.Context, orgID int64) ([]*party.TempAttachment, error) {
	return db.listAttachments(ctx, "a.org_id = $1", orgID)
}

// MemberAttachments lists a member's attachments to temporary branches.
func (db *DB) MemberAttachments(ctx context.Context, memberID int64) ([]*party.TempAttachment, error) {
	return db.listAttachments(ctx, "a.member_id = $1", memberID)
}
