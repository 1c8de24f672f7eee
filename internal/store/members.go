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

const memberColumns = `m.id, m.org_id, m.group_id, m.name, m.gender, m.ethnicity, m.birth_date, m.id_cipher,
	m.phone_cipher, m.education, m.unit_post, m.joined_on, m.full_on, m.category, m.status, m.left_on,
	m.note, m.created_at, m.updated_at, o.name, COALESCE(g.name, '')`

const memberFrom = ` FROM members m JOIN orgs o ON o.id = m.org_id LEFT JOIN orgs g ON g.id = m.group_id`

func (db *DB) scanMember(s scanner) (*party.Member, error) {
	var m party.Member
	var idc, phc string
	dest := []any{&m.ID, &m.OrgID, nid{&m.GroupID}, &m.Name, &m.Gender, &m.Ethnicity, &m.BirthDate, &idc,
		&phc, &m.Education, &m.UnitPost, &m.JoinedOn, &m.FullOn, &m.Category, &m.Status, &m.LeftOn,
		&m.Note, ts{&m.CreatedAt}, ts{&m.UpdatedAt}, &m.OrgName, &m.GroupName}
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	id, err := db.keys.Decrypt(idc)
	if err != nil {
		return nil, fmt.Errorf("store: member %d id number: %w", m.ID, err)
	}
	ph, err := db.keys.Decrypt(phc)
	if err != nil {
		return nil, fmt.Errorf("store: member %d phone: %w", m.ID, err)
	}
	m.IDNumber, m.Phone = party.IDNumber(id), party.Phone(ph)
	return &m, nil
}

// memberFields flattens m for audit diffs, with sensitive values masked.
func memberFields(m *party.Member) fields {
	return fields{"name": m.Name, "gender": string(m.Gender), "ethnicity": m.Ethnicity,
		"birth_date": m.BirthDate.String(), "id_number": m.IDNumber.Masked(), "phone": m.Phone.Masked(),
		"education": m.Education, "unit_post": m.UnitPost, "joined_on": m.JoinedOn.String(),
		"full_on": m.FullOn.String(), "category": string(m.Category), "status": string(m.Status),
		"left_on": m.LeftOn.String(), "note": m.Note, "org_id": strconv.FormatInt(m.OrgID, 10),
		"group_id": strconv.FormatInt(m.GroupID, 10)}
}

// sameMember reports whether a and b hold the same values in every stored field; the masked
// audit fields cannot tell two ID numbers with equal ends apart, so the full values are compared.
func sameMember(a, b *party.Member) bool {
	fa, fb := memberFields(a), memberFields(b)
	return len(diff(fa, fb)) == 0 && a.IDNumber == b.IDNumber && a.Phone == b.Phone
}

func (db *DB) findMember(ctx context.Context, q querier, id int64) (*party.Member, error) {
	m, err := db.scanMember(q.QueryRowContext(ctx, `SELECT `+memberColumns+memberFrom+` WHERE m.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.ENOTFOUND, "党员不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find member: %w", err)
	}
	return m, nil
}

// FindMember returns the member with id.
func (db *DB) FindMember(ctx context.Context, id int64) (*party.Member, error) {
	return db.findMember(ctx, db.r, id)
}

func (db *DB) findMemberByIDNumber(ctx context.Context, q querier, idNumber string) (*party.Member, error) {
	h := db.keys.Lookup("id", party.NormalizeIDNumber(idNumber))
	m, err := db.scanMember(q.QueryRowContext(ctx, `SELECT `+memberColumns+memberFrom+` WHERE m.id_hash = $1`, h))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.ENOTFOUND, "没有该身份证号的党员")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find member by id number: %w", err)
	}
	return m, nil
}

// FindMemberByIDNumber looks a member up by ID number through its keyed hash.
func (db *DB) FindMemberByIDNumber(ctx context.Context, idNumber string) (*party.Member, error) {
	return db.findMemberByIDNumber(ctx, db.r, idNumber)
}

// MemberFilter selects members. Root limits to a subtree; the other fields narrow further.
type MemberFilter struct {
	Root      int64
	OrgID     int64 // own branch
	GroupID   int64
	Query     string // name part, pinyin initials, or a whole ID number
	Category  party.Category
	AgeBand   string // label of a party.AgeBands entry
	Education string
	// Status defaults to 在册; "all" selects every status.
	Status party.MemberStatus
	Offset int
	Limit  int
}

// likeEscape escapes LIKE wildcards so user text matches literally (with ESCAPE '\').
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ListMembers returns one page of the members matching f sorted by pinyin, and the total.
func (db *DB) ListMembers(ctx context.Context, f MemberFilter) ([]*party.Member, int, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Root != 0 {
		root, err := db.FindOrg(ctx, f.Root)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := subtreeRange(root.Path)
		where = append(where, "o.path >= "+arg(lo)+" AND o.path < "+arg(hi))
	}
	if f.OrgID != 0 {
		where = append(where, "m.org_id = "+arg(f.OrgID))
	}
	if f.GroupID != 0 {
		where = append(where, "m.group_id = "+arg(f.GroupID))
	}
	switch f.Status {
	case "":
		where = append(where, "m.status = "+arg(string(party.StatusActive)))
	case "all":
	default:
		where = append(where, "m.status = "+arg(string(f.Status)))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if len(q) == 18 {
			if _, _, _, err := party.ParseIDNumber(q, party.Today(db.Now())); err == nil {
				where = append(where, "m.id_hash = "+arg(db.keys.Lookup("id", party.NormalizeIDNumber(q))))
				q = ""
			}
		}
		if q != "" {
			where = append(where, "(m.name LIKE "+arg("%"+likeEscape(q)+"%")+` ESCAPE '\' OR m.initials LIKE `+
				arg(likeEscape(strings.ToLower(q))+"%")+` ESCAPE '\')`)
		}
	}
	if f.Category != "" {
		where = append(where, "m.category = "+arg(string(f.Category)))
	}
	if f.Education != "" {
		where = append(where, "m.education = "+arg(f.Education))
	}
	if f.AgeBand != "" {
		found := false
		for _, b := range party.AgeBands {
			if b.Label == f.AgeBand {
				from, to := b.BirthRange(party.Today(db.Now()))
				where = append(where, "m.birth_date >= "+arg(from)+" AND m.birth_date <= "+arg(to))
				found = true
			}
		}
		if !found {
			return nil, 0, party.FieldErrorf(party.EINVALID, "age", "年龄段“%s”无效", f.AgeBand)
		}
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 20
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	// The total is its own query: a window count over the page query would read and sort every
	// matching row of a large subtree, while this one reads only the index it needs.
	var total int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM members m JOIN orgs o ON o.id = m.org_id`+cond,
		args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count members: %w", err)
	}
	if total == 0 || f.Offset >= total {
		return nil, total, nil
	}
	q := `SELECT ` + memberColumns + memberFrom + cond +
		" ORDER BY m.name_key, m.id LIMIT " + arg(f.Limit) + " OFFSET " + arg(f.Offset)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list members: %w", err)
	}
	defer rows.Close()
	var out []*party.Member
	for rows.Next() {
		m, err := db.scanMember(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: scan member: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: list members: %w", err)
	}
	return out, total, nil
}

// CountByCategory counts the active members of the subtree of root by category.
func (db *DB) CountByCategory(ctx context.Context, root int64) (map[party.Category]int, error) {
	o, err := db.FindOrg(ctx, root)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(o.Path)
	rows, err := db.r.QueryContext(ctx, `SELECT m.category, count(*) FROM members m JOIN orgs o ON o.id = m.org_id
		WHERE o.path >= $1 AND o.path < $2 AND m.status = $3 GROUP BY m.category`, lo, hi, string(party.StatusActive))
	if err != nil {
		return nil, fmt.Errorf("store: count by category: %w", err)
	}
	defer rows.Close()
	out := map[party.Category]int{}
	for rows.Next() {
		var c party.Category
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, fmt.Errorf("store: scan count: %w", err)
		}
		out[c] = n
	}
	return out, rows.Err()
}

// checkMemberOrgs checks that m's branch is an active 党支部 and its party group, if any, an
// active 党小组 of that branch; it fills the names.
func (tx *Tx) checkMemberOrgs(ctx context.Context, m *party.Member) error {
	if m.OrgID == 0 {
		return party.FieldErrorf(party.EINVALID, "org_id", "请选择所在党支部")
	}
	o, err := findOrg(ctx, tx, m.OrgID)
	if err != nil {
		return party.FieldErrorf(party.EINVALID, "org_id", "所在党支部不存在")
	}
	if o.Kind != party.KindBranch {
		return party.FieldErrorf(party.EINVALID, "org_id", "“%s”是%s，党员的组织关系只能在党支部", o.Name, o.Kind)
	}
	if o.Dissolved() {
		return party.FieldErrorf(party.EINVALID, "org_id", "党支部“%s”已撤销", o.Name)
	}
	m.OrgName = o.Name
	m.GroupName = ""
	if m.GroupID != 0 {
		g, err := findOrg(ctx, tx, m.GroupID)
		if err != nil || g.Kind != party.KindGroup || g.ParentID != o.ID {
			return party.FieldErrorf(party.EINVALID, "group_id", "所选党小组不属于“%s”", o.Name)
		}
		if g.Dissolved() {
			return party.FieldErrorf(party.EINVALID, "group_id", "党小组“%s”已撤销", g.Name)
		}
		m.GroupName = g.Name
	}
	return nil
}

// CreateMember validates and inserts m as a member on the roster.
func (db *DB) CreateMember(ctx context.Context, m *party.Member) error {
	return db.write(ctx, func(tx *Tx) error { return tx.createMember(ctx, m, nil) })
}

// TransferInMember inserts m as a member whose organizational relation comes from outside the
// tree (转入), recording the transfer. A member who once left is put back on the roster.
func (db *DB) TransferInMember(ctx context.Context, m *party.Member, on party.Date, from, note string) error {
	return db.write(ctx, func(tx *Tx) error {
		if on.IsZero() {
			return party.FieldErrorf(party.EINVALID, "on", "请填写转入日期")
		}
		t := &party.Transfer{Kind: party.TransferIn, On: on, Counterpart: strings.TrimSpace(from), Note: note}
		if t.Counterpart == "" {
			return party.FieldErrorf(party.EINVALID, "counterpart", "请填写转出党组织名称")
		}
		old, err := tx.db.findMemberByIDNumber(ctx, tx, string(m.IDNumber))
		if err == nil {
			if old.Status == party.StatusActive {
				return party.FieldErrorf(party.ECONFLICT, "id_number", "该身份证号已登记为在册党员（%s）", old.OrgName)
			}
			m.ID = old.ID
			m.Status, m.LeftOn = party.StatusActive, party.Date{}
			return tx.updateMember(ctx, old, m, t)
		}
		if party.ErrorCode(err) != party.ENOTFOUND {
			return err
		}
		return tx.createMember(ctx, m, t)
	})
}

func (tx *Tx) createMember(ctx context.Context, m *party.Member, t *party.Transfer) error {
	m.Status, m.LeftOn = party.StatusActive, party.Date{}
	if err := m.Validate(tx.today()); err != nil {
		return err
	}
	if err := tx.checkMemberOrgs(ctx, m); err != nil {
		return err
	}
	if old, err := tx.db.findMemberByIDNumber(ctx, tx, string(m.IDNumber)); err == nil {
		return party.FieldErrorf(party.ECONFLICT, "id_number", "该身份证号已登记（%s，%s）", old.Name, old.Status)
	} else if party.ErrorCode(err) != party.ENOTFOUND {
		return err
	}
	idc, err := tx.db.keys.Encrypt(string(m.IDNumber))
	if err != nil {
		return err
	}
	phc, err := tx.db.keys.Encrypt(string(m.Phone))
	if err != nil {
		return err
	}
	m.CreatedAt, m.UpdatedAt = tx.now, tx.now
	err = tx.QueryRowContext(ctx, `INSERT INTO members (org_id, group_id, name, name_key, initials, gender,
		ethnicity, birth_date, id_cipher, id_hash, phone_cipher, phone_hash, education, unit_post, joined_on,
		full_on, category, status, left_on, note, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21)
		RETURNING id`,
		m.OrgID, nullID(m.GroupID), m.Name, party.NameKey(m.Name), party.Initials(m.Name), string(m.Gender),
		m.Ethnicity, m.BirthDate, idc, tx.db.keys.Lookup("id", string(m.IDNumber)), phc,
		tx.db.keys.Lookup("phone", string(m.Phone)), m.Education, m.UnitPost, m.JoinedOn, m.FullOn,
		string(m.Category), string(m.Status), m.LeftOn, m.Note, formatTS(tx.now)).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("store: insert member: %w", err)
	}
	if err := tx.audit(ctx, ActCreate, ObjMember, m.ID, m.OrgID, diff(nil, memberFields(m))); err != nil {
		return err
	}
	if t != nil {
		t.MemberID, t.ToOrgID = m.ID, m.OrgID
		return tx.insertTransfer(ctx, t)
	}
	return nil
}

// UpdateMember replaces the editable fields of member m.ID. Branch changes go through
// MoveMember and leaving through TransferOut, so both leave a transfer record.
func (db *DB) UpdateMember(ctx context.Context, m *party.Member) error {
	return db.write(ctx, func(tx *Tx) error {
		old, err := tx.db.findMember(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		if old.Status != party.StatusActive {
			return party.Errorf(party.ECONFLICT, "%s已%s，不能修改，请先办理转入", old.Name, old.Status)
		}
		if m.OrgID != old.OrgID {
			return party.FieldErrorf(party.EINVALID, "org_id", "调整所在党支部请使用“组织关系转接”")
		}
		m.Status, m.LeftOn = old.Status, old.LeftOn
		return tx.updateMember(ctx, old, m, nil)
	})
}

// lastDayBefore is the end date a transfer gives a post or attachment: $1, the day before the
// transfer, or its start day when it started on the transfer's day.
const lastDayBefore = `CASE WHEN start_on > $1 THEN start_on ELSE $1 END`

func (tx *Tx) updateMember(ctx context.Context, old, m *party.Member, t *party.Transfer) error {
	if err := m.Validate(tx.today()); err != nil {
		return err
	}
	if err := tx.checkMemberOrgs(ctx, m); err != nil {
		return err
	}
	if m.IDNumber != old.IDNumber {
		if other, err := tx.db.findMemberByIDNumber(ctx, tx, string(m.IDNumber)); err == nil && other.ID != m.ID {
			return party.FieldErrorf(party.ECONFLICT, "id_number", "该身份证号已登记为另一名党员（%s）", other.Name)
		}
	}
	m.CreatedAt = old.CreatedAt
	if sameMember(old, m) && t == nil {
		m.UpdatedAt = old.UpdatedAt
		return nil
	}
	idc, err := tx.db.keys.Encrypt(string(m.IDNumber))
	if err != nil {
		return err
	}
	phc, err := tx.db.keys.Encrypt(string(m.Phone))
	if err != nil {
		return err
	}
	m.UpdatedAt = tx.now
	_, err = tx.ExecContext(ctx, `UPDATE members SET org_id = $1, group_id = $2, name = $3, name_key = $4,
		initials = $5, gender = $6, ethnicity = $7, birth_date = $8, id_cipher = $9, id_hash = $10,
		phone_cipher = $11, phone_hash = $12, education = $13, unit_post = $14, joined_on = $15, full_on = $16,
		category = $17, status = $18, left_on = $19, note = $20, updated_at = $21 WHERE id = $22`,
		m.OrgID, nullID(m.GroupID), m.Name, party.NameKey(m.Name), party.Initials(m.Name), string(m.Gender),
		m.Ethnicity, m.BirthDate, idc, tx.db.keys.Lookup("id", string(m.IDNumber)), phc,
		tx.db.keys.Lookup("phone", string(m.Phone)), m.Education, m.UnitPost, m.JoinedOn, m.FullOn,
		string(m.Category), string(m.Status), m.LeftOn, m.Note, formatTS(tx.now), m.ID)
	if err != nil {
		return fmt.Errorf("store: update member: %w", err)
	}
	if old.GroupID != m.GroupID {
		// The day of the change: the transfer's for a move between branches, else today.
		on := tx.today()
		if t != nil {
			on = t.On
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO group_changes (member_id, on_date, from_group_id, to_group_id, created_at)
			VALUES ($1, $2, $3, $4, $5)`, m.ID, on, nullID(old.GroupID), nullID(m.GroupID), formatTS(tx.now)); err != nil {
			return fmt.Errorf("store: record group change: %w", err)
		}
	}
	if err := tx.audit(ctx, ActUpdate, ObjMember, m.ID, m.OrgID, diff(memberFields(old), memberFields(m))); err != nil {
		return err
	}
	if t != nil {
		t.MemberID = m.ID
		if t.Kind == party.TransferIn {
			t.ToOrgID = m.OrgID
		}
		return tx.insertTransfer(ctx, t)
	}
	return nil
}

func (tx *Tx) insertTransfer(ctx context.Context, t *party.Transfer) error {
	if err := party.CheckText("counterpart", "对方党组织名称", t.Counterpart, party.MaxNameLen, false); err != nil {
		return err
	}
	if err := party.CheckText("note", "说明", t.Note, party.MaxTextLen, false); err != nil {
		return err
	}
	if t.On.After(tx.today()) {
		return party.FieldErrorf(party.EINVALID, "on", "转接日期不能晚于今天")
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO transfers (member_id, kind, on_date, from_org_id, to_org_id,
		counterpart, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		t.MemberID, string(t.Kind), t.On, nullID(t.FromOrgID), nullID(t.ToOrgID), t.Counterpart, t.Note,
		formatTS(tx.now)).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("store: insert transfer: %w", err)
	}
	org := t.ToOrgID
	if org == 0 {
		org = t.FromOrgID
	}
	return tx.audit(ctx, ActTransfer, ObjMember, t.MemberID, org, []Change{
		{Field: "kind", New: string(t.Kind)}, {Field: "on", New: t.On.String()},
		{Field: "from_org_id", New: strconv.FormatInt(t.FromOrgID, 10)},
		{Field: "to_org_id", New: strconv.FormatInt(t.ToOrgID, 10)}, {Field: "counterpart", New: t.Counterpart}})
}

// TransferOut takes member id off the roster on day on, to an organization outside the tree;
// the record and its history stay. Open posts and temporary attachments end that day.
func (db *DB) TransferOut(ctx context.Context, id int64, on party.Date, to, note string) (*party.Member, error) {
	var out *party.Member
	err := db.write(ctx, func(tx *Tx) error {
		m, err := tx.db.findMember(ctx, tx, id)
		if err != nil {
			return err
		}
		if m.Status != party.StatusActive {
			return party.Errorf(party.ECONFLICT, "%s已%s", m.Name, m.Status)
		}
		if on.IsZero() {
			return party.FieldErrorf(party.EINVALID, "on", "请填写转出日期")
		}
		to = strings.TrimSpace(to)
		if to == "" {
			return party.FieldErrorf(party.EINVALID, "counterpart", "请填写转入的党组织名称")
		}
		old := *m
		m.Status, m.LeftOn = party.StatusTransferredOut, on
		if _, err := tx.ExecContext(ctx, `UPDATE members SET status = $1, left_on = $2, updated_at = $3 WHERE id = $4`,
			string(m.Status), on, formatTS(tx.now), id); err != nil {
			return fmt.Errorf("store: transfer out: %w", err)
		}
		// Posts and attachments end the day before the transfer: an end date is the last day
		// in post, and from the transfer's day the member is another organization's.
		if _, err := tx.ExecContext(ctx, `UPDATE positions SET end_on = `+lastDayBefore+` WHERE member_id = $2 AND end_on IS NULL`,
			on.AddDays(-1), id); err != nil {
			return fmt.Errorf("store: end positions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE temp_attachments SET end_on = `+lastDayBefore+` WHERE member_id = $2 AND end_on IS NULL`,
			on.AddDays(-1), id); err != nil {
			return fmt.Errorf("store: end attachments: %w", err)
		}
		if err := tx.audit(ctx, ActUpdate, ObjMember, id, m.OrgID, diff(memberFields(&old), memberFields(m))); err != nil {
			return err
		}
		out = m
		return tx.insertTransfer(ctx, &party.Transfer{MemberID: id, Kind: party.TransferOut, On: on,
			FromOrgID: m.OrgID, Counterpart: to, Note: note})
	})
	return out, err
}

// MoveMember moves member id to another branch of the tree (系统内转接) on day on.
func (db *DB) MoveMember(ctx context.Context, id, toOrg, toGroup int64, on party.Date, note string) (*party.Member, error) {
	var out *party.Member
	err := db.write(ctx, func(tx *Tx) error {
		old, err := tx.db.findMember(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Status != party.StatusActive {
			return party.Errorf(party.ECONFLICT, "%s已%s", old.Name, old.Status)
		}
		if on.IsZero() {
			return party.FieldErrorf(party.EINVALID, "on", "请填写转接日期")
		}
		if toOrg == old.OrgID {
			return party.FieldErrorf(party.EINVALID, "org_id", "新党支部与原党支部相同")
		}
		m := *old
		m.OrgID, m.GroupID = toOrg, toGroup
		if _, err := tx.ExecContext(ctx, `UPDATE positions SET end_on = `+lastDayBefore+` WHERE member_id = $2 AND org_id IN ($3, $4) AND end_on IS NULL`,
			on.AddDays(-1), id, old.OrgID, nullID(old.GroupID)); err != nil {
			return fmt.Errorf("store: end positions: %w", err)
		}
		out = &m
		return tx.updateMember(ctx, old, &m, &party.Transfer{Kind: party.TransferInternal, On: on,
			FromOrgID: old.OrgID, ToOrgID: toOrg, Note: note})
	})
	return out, err
}

// Transfers lists the transfer records of member id, oldest first.
func (db *DB) Transfers(ctx context.Context, memberID int64) ([]*party.Transfer, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT t.id, t.member_id, t.kind, t.on_date, t.from_org_id, t.to_org_id,
		t.counterpart, t.note, COALESCE(f.name, ''), COALESCE(o.name, '') FROM transfers t
		LEFT JOIN orgs f ON f.id = t.from_org_id LEFT JOIN orgs o ON o.id = t.to_org_id
		WHERE t.member_id = $1 ORDER BY t.on_date, t.id`, memberID)
	if err != nil {
		return nil, fmt.Errorf("store: list transfers: %w", err)
	}
	defer rows.Close()
	var out []*party.Transfer
	for rows.Next() {
		var t party.Transfer
		if err := rows.Scan(&t.ID, &t.MemberID, &t.Kind, &t.On, nid{&t.FromOrgID}, nid{&t.ToOrgID},
			&t.Counterpart, &t.Note, &t.FromOrgName, &t.ToOrgName); err != nil {
			return nil, fmt.Errorf("store: scan transfer: %w", err)
		}
		out = append(out, &t)
	}
	return out, rows.Err()
}
