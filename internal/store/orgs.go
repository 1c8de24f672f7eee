package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"dangjian/internal/party"
)

const orgColumns = `o.id, o.parent_id, o.code, o.name, o.kind, o.path, o.depth, o.founded_on,
	o.dissolved_on, o.dissolve_note, o.start_on, o.end_on, o.note, o.created_at, o.updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanOrg(s scanner) (*party.Org, error) {
	var o party.Org
	err := s.Scan(&o.ID, nid{&o.ParentID}, &o.Code, &o.Name, &o.Kind, &o.Path, &o.Depth, &o.FoundedOn,
		&o.DissolvedOn, &o.DissolveNote, &o.StartOn, &o.EndOn, &o.Note, ts{&o.CreatedAt}, ts{&o.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

func orgFields(o *party.Org) fields {
	return fields{"code": o.Code, "name": o.Name, "kind": string(o.Kind), "founded_on": o.FoundedOn.String(),
		"dissolved_on": o.DissolvedOn.String(), "dissolve_note": o.DissolveNote, "start_on": o.StartOn.String(),
		"end_on": o.EndOn.String(), "note": o.Note, "path": o.Path}
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func findOrg(ctx context.Context, q querier, id int64) (*party.Org, error) {
	o, err := scanOrg(q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs o WHERE o.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.ENOTFOUND, "组织不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find org: %w", err)
	}
	return o, nil
}

// FindOrg returns the organization with id.
func (db *DB) FindOrg(ctx context.Context, id int64) (*party.Org, error) {
	return findOrg(ctx, db.r, id)
}

// FindOrgByCode returns the organization with code (matched case-insensitively).
func (db *DB) FindOrgByCode(ctx context.Context, code string) (*party.Org, error) {
	o, err := scanOrg(db.r.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs o WHERE o.code = $1`, party.NormalizeCode(code)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.ENOTFOUND, "组织编码“%s”不存在", code)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find org by code: %w", err)
	}
	return o, nil
}

// OrgFilter selects organizations; Root limits to one subtree (the root included).
type OrgFilter struct {
	Root             int64
	IncludeDissolved bool
	Kinds            []party.OrgKind
}

// ListOrgs returns the organizations matching f ordered by path (parents before children).
func (db *DB) ListOrgs(ctx context.Context, f OrgFilter) ([]*party.Org, error) {
	return listOrgs(ctx, db.r, f)
}

func listOrgs(ctx context.Context, q querier, f OrgFilter) ([]*party.Org, error) {
	where := []string{"1=1"}
	var args []any
	if f.Root != 0 {
		root, err := findOrg(ctx, q, f.Root)
		if err != nil {
			return nil, err
		}
		lo, hi := subtreeRange(root.Path)
		args = append(args, lo, hi)
		where = append(where, "o.path >= $1 AND o.path < $2")
	}
	if !f.IncludeDissolved {
		where = append(where, "o.dissolved_on IS NULL")
	}
	if len(f.Kinds) > 0 {
		var ph []string
		for _, k := range f.Kinds {
			args = append(args, string(k))
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		where = append(where, "o.kind IN ("+strings.Join(ph, ",")+")")
	}
	rows, err := q.QueryContext(ctx, `SELECT `+orgColumns+` FROM orgs o WHERE `+strings.Join(where, " AND ")+` ORDER BY o.path`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list orgs: %w", err)
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

// Children returns the direct sub-organizations of id.
func (db *DB) Children(ctx context.Context, id int64, includeDissolved bool) ([]*party.Org, error) {
	q := `SELECT ` + orgColumns + ` FROM orgs o WHERE o.parent_id = $1`
	if !includeDissolved {
		q += ` AND o.dissolved_on IS NULL`
	}
	rows, err := db.r.QueryContext(ctx, q+` ORDER BY o.id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: list children: %w", err)
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

// Ancestors returns the organizations above o, top first.
func (db *DB) Ancestors(ctx context.Context, o *party.Org) ([]*party.Org, error) {
	var out []*party.Org
	for _, part := range strings.Split(strings.Trim(o.Path, "/"), "/") {
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id == o.ID {
			continue
		}
		a, err := db.FindOrg(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// CreateOrg validates and inserts o, filling its ID and Path.
func (db *DB) CreateOrg(ctx context.Context, o *party.Org) error {
	return db.write(ctx, func(tx *Tx) error { return tx.createOrg(ctx, o) })
}

func (tx *Tx) createOrg(ctx context.Context, o *party.Org) error {
	if err := o.Validate(); err != nil {
		return err
	}
	var parent *party.Org
	if o.ParentID != 0 {
		p, err := findOrg(ctx, tx, o.ParentID)
		if err != nil {
			return party.FieldErrorf(party.EINVALID, "parent_id", "上级组织不存在")
		}
		parent = p
	}
	if err := party.CheckParent(o.Kind, parent); err != nil {
		return err
	}
	if err := tx.checkOrgUnique(ctx, o); err != nil {
		return err
	}
	o.CreatedAt, o.UpdatedAt = tx.now, tx.now
	err := tx.QueryRowContext(ctx, `INSERT INTO orgs (parent_id, code, name, kind, path, depth, founded_on,
		start_on, end_on, note, created_at, updated_at) VALUES ($1, $2, $3, $4, '', 0, $5, $6, $7, $8, $9, $9)
		RETURNING id`, nullID(o.ParentID), o.Code, o.Name, string(o.Kind), o.FoundedOn, o.StartOn, o.EndOn,
		o.Note, formatTS(tx.now)).Scan(&o.ID)
	if err != nil {
		return fmt.Errorf("store: insert org: %w", err)
	}
	o.Path, o.Depth = "/"+strconv.FormatInt(o.ID, 10)+"/", 0
	if parent != nil {
		o.Path, o.Depth = parent.Path+strconv.FormatInt(o.ID, 10)+"/", parent.Depth+1
	}
	if _, err := tx.ExecContext(ctx, `UPDATE orgs SET path = $1, depth = $2 WHERE id = $3`, o.Path, o.Depth, o.ID); err != nil {
		return fmt.Errorf("store: set org path: %w", err)
	}
	return tx.audit(ctx, ActCreate, ObjOrg, o.ID, o.ID, diff(nil, orgFields(o)))
}

// checkOrgUnique refuses a code used by another organization and a name used by an active
// sibling, so names resolve unambiguously within a parent.
func (tx *Tx) checkOrgUnique(ctx context.Context, o *party.Org) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM orgs WHERE code = $1 AND id <> $2`, o.Code, o.ID).Scan(&n); err != nil {
		return fmt.Errorf("store: check org code: %w", err)
	}
	if n > 0 {
		return party.FieldErrorf(party.ECONFLICT, "code", "组织编码“%s”已被其他组织使用", o.Code)
	}
	q := `SELECT count(*) FROM orgs WHERE name = $1 AND id <> $2 AND dissolved_on IS NULL AND `
	args := []any{o.Name, o.ID}
	if o.ParentID == 0 {
		q += `parent_id IS NULL`
	} else {
		q += `parent_id = $3`
		args = append(args, o.ParentID)
	}
	if err := tx.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return fmt.Errorf("store: check org name: %w", err)
	}
	if n > 0 {
		return party.FieldErrorf(party.ECONFLICT, "name", "同一上级组织下已有名为“%s”的组织", o.Name)
	}
	return nil
}

// OrgUpdate holds the editable fields of an organization; nil fields stay unchanged.
type OrgUpdate struct {
	Name      *string
	Code      *string
	FoundedOn *party.Date
	StartOn   *party.Date
	EndOn     *party.Date
	Note      *string
}

// UpdateOrg changes the editable fields of organization id (rename, code, dates, note).
func (db *DB) UpdateOrg(ctx context.Context, id int64, u OrgUpdate) (*party.Org, error) {
	var out *party.Org
	err := db.write(ctx, func(tx *Tx) error {
		o, err := findOrg(ctx, tx, id)
		if err != nil {
			return err
		}
		if o.Dissolved() {
			return party.Errorf(party.ECONFLICT, "组织“%s”已撤销，不能修改", o.Name)
		}
		before := orgFields(o)
		if u.Name != nil {
			o.Name = *u.Name
		}
		if u.Code != nil {
			o.Code = *u.Code
		}
		if u.FoundedOn != nil {
			o.FoundedOn = *u.FoundedOn
		}
		if u.StartOn != nil {
			o.StartOn = *u.StartOn
		}
		if u.EndOn != nil {
			o.EndOn = *u.EndOn
		}
		if u.Note != nil {
			o.Note = *u.Note
		}
		if err := o.Validate(); err != nil {
			return err
		}
		changes := diff(before, orgFields(o))
		if len(changes) == 0 {
			out = o
			return nil
		}
		if err := tx.checkOrgUnique(ctx, o); err != nil {
			return err
		}
		o.UpdatedAt = tx.now
		_, err = tx.ExecContext(ctx, `UPDATE orgs SET name = $1, code = $2, founded_on = $3, start_on = $4,
			end_on = $5, note = $6, updated_at = $7 WHERE id = $8`, o.Name, o.Code, o.FoundedOn, o.StartOn,
			o.EndOn, o.Note, formatTS(tx.now), o.ID)
		if err != nil {
			return fmt.Errorf("store: update org: %w", err)
		}
		out = o
		return tx.audit(ctx, ActUpdate, ObjOrg, o.ID, o.ID, changes)
	})
	return out, err
}

// MoveOrg puts organization id and its whole subtree under newParent (0: top level).
func (db *DB) MoveOrg(ctx context.Context, id, newParent int64) (*party.Org, error) {
	var out *party.Org
	err := db.write(ctx, func(tx *Tx) error {
		o, err := findOrg(ctx, tx, id)
		if err != nil {
			return err
		}
		if o.Dissolved() {
			return party.Errorf(party.ECONFLICT, "组织“%s”已撤销，不能调整隶属关系", o.Name)
		}
		if o.ParentID == newParent {
			out = o
			return nil
		}
		var parent *party.Org
		newPath, newDepth := "/"+strconv.FormatInt(o.ID, 10)+"/", 0
		if newParent != 0 {
			parent, err = findOrg(ctx, tx, newParent)
			if err != nil {
				return party.FieldErrorf(party.EINVALID, "parent_id", "新的上级组织不存在")
			}
			if strings.HasPrefix(parent.Path, o.Path) {
				return party.FieldErrorf(party.EINVALID, "parent_id", "不能把组织移到它自己或它的下级组织之下")
			}
			newPath, newDepth = parent.Path+strconv.FormatInt(o.ID, 10)+"/", parent.Depth+1
		}
		if err := party.CheckParent(o.Kind, parent); err != nil {
			return err
		}
		oldParent := o.ParentID
		o.ParentID = newParent
		if err := tx.checkOrgUnique(ctx, o); err != nil {
			return err
		}
		lo, hi := subtreeRange(o.Path)
		_, err = tx.ExecContext(ctx, `UPDATE orgs SET path = $1 || substr(path, $2), depth = depth + $3,
			updated_at = $4 WHERE path >= $5 AND path < $6`,
			newPath, len(o.Path)+1, newDepth-o.Depth, formatTS(tx.now), lo, hi)
		if err != nil {
			return fmt.Errorf("store: move subtree: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orgs SET parent_id = $1 WHERE id = $2`, nullID(newParent), o.ID); err != nil {
			return fmt.Errorf("store: move org: %w", err)
		}
		detail := []Change{{Field: "parent_id", Old: strconv.FormatInt(oldParent, 10), New: strconv.FormatInt(newParent, 10)},
			{Field: "path", Old: o.Path, New: newPath}}
		o.Path, o.Depth = newPath, newDepth
		out = o
		return tx.audit(ctx, ActMove, ObjOrg, o.ID, o.ID, detail)
	})
	return out, err
}

// DissolveOrg marks organization id dissolved on day on. It refuses while the organization
// still has active sub-organizations, members on its roster or attached members.
func (db *DB) DissolveOrg(ctx context.Context, id int64, on party.Date, note string) (*party.Org, error) {
	var out *party.Org
	err := db.write(ctx, func(tx *Tx) error {
		o, err := findOrg(ctx, tx, id)
		if err != nil {
			return err
		}
		if o.Dissolved() {
			return party.Errorf(party.ECONFLICT, "组织“%s”已于%s撤销", o.Name, o.DissolvedOn.Chinese())
		}
		if on.IsZero() {
			return party.FieldErrorf(party.EINVALID, "dissolved_on", "请填写撤销日期")
		}
		if !o.FoundedOn.IsZero() && on.Before(o.FoundedOn) {
			return party.FieldErrorf(party.EINVALID, "dissolved_on", "撤销日期不能早于成立日期")
		}
		if on.After(tx.today()) {
			return party.FieldErrorf(party.EINVALID, "dissolved_on", "撤销日期不能晚于今天")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM orgs WHERE parent_id = $1 AND dissolved_on IS NULL`, id).Scan(&n); err != nil {
			return fmt.Errorf("store: count children: %w", err)
		}
		if n > 0 {
			return party.Errorf(party.ECONFLICT, "“%s”下还有%d个未撤销的下级组织，请先撤销或调整", o.Name, n)
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM members WHERE (org_id = $1 OR group_id = $1) AND status = $2`,
			id, string(party.StatusActive)).Scan(&n); err != nil {
			return fmt.Errorf("store: count members: %w", err)
		}
		if n > 0 {
			return party.Errorf(party.ECONFLICT, "“%s”还有%d名在册党员，请先转接组织关系", o.Name, n)
		}
		note = strings.TrimSpace(note)
		if err := party.CheckText("dissolve_note", "撤销说明", note, party.MaxTextLen, false); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE temp_attachments SET end_on = $1 WHERE org_id = $2 AND end_on IS NULL`, on, id); err != nil {
			return fmt.Errorf("store: end attachments: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE positions SET end_on = $1 WHERE org_id = $2 AND end_on IS NULL`, on, id); err != nil {
			return fmt.Errorf("store: end positions: %w", err)
		}
		before := orgFields(o)
		o.DissolvedOn, o.DissolveNote, o.UpdatedAt = on, note, tx.now
		_, err = tx.ExecContext(ctx, `UPDATE orgs SET dissolved_on = $1, dissolve_note = $2, updated_at = $3 WHERE id = $4`,
			on, note, formatTS(tx.now), id)
		if err != nil {
			return fmt.Errorf("store: dissolve org: %w", err)
		}
		out = o
		return tx.audit(ctx, ActDissolve, ObjOrg, o.ID, o.ID, diff(before, orgFields(o)))
	})
	return out, err
}

// MemberCounts returns the active members of each organization in the subtree of root, counted
// by own branch and by party group.
func (db *DB) MemberCounts(ctx context.Context, root int64) (map[int64]int, error) {
	o, err := db.FindOrg(ctx, root)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(o.Path)
	out := map[int64]int{}
	for _, col := range []string{"org_id", "group_id"} {
		rows, err := db.r.QueryContext(ctx, `SELECT m.`+col+`, count(*) FROM members m JOIN orgs o ON o.id = m.`+col+`
			WHERE o.path >= $1 AND o.path < $2 AND m.status = $3 GROUP BY m.`+col, lo, hi, string(party.StatusActive))
		if err != nil {
			return nil, fmt.Errorf("store: count members: %w", err)
		}
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: scan count: %w", err)
			}
			out[id] += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
