package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dangjian/internal/party"
)

// errDryRun rolls back a dry-run import after everything was checked.
var errDryRun = errors.New("store: dry run")

// errBadRows rolls back an import that found bad rows.
var errBadRows = errors.New("store: bad rows")

// orgResolver finds organizations of one subtree by name or code.
type orgResolver struct {
	byCode map[string]*party.Org
	byName map[string][]*party.Org
}

func newOrgResolver(orgs []*party.Org) *orgResolver {
	r := &orgResolver{byCode: map[string]*party.Org{}, byName: map[string][]*party.Org{}}
	for _, o := range orgs {
		r.add(o)
	}
	return r
}

func (r *orgResolver) add(o *party.Org) {
	r.byCode[o.Code] = o
	r.byName[o.Name] = append(r.byName[o.Name], o)
}

// find resolves ref (a code or a name) among organizations accepted by keep.
func (r *orgResolver) find(ref string, keep func(*party.Org) bool) (*party.Org, error) {
	ref = strings.TrimSpace(ref)
	if o, ok := r.byCode[party.NormalizeCode(ref)]; ok && keep(o) {
		return o, nil
	}
	var hits []*party.Org
	for _, o := range r.byName[ref] {
		if keep(o) {
			hits = append(hits, o)
		}
	}
	switch len(hits) {
	case 0:
		return nil, party.Errorf(party.EINVALID, "找不到“%s”", ref)
	case 1:
		return hits[0], nil
	}
	var codes []string
	for _, o := range hits {
		codes = append(codes, o.Code)
	}
	return nil, party.Errorf(party.EINVALID, "“%s”有%d个同名组织，请改填组织编码（%s）", ref, len(hits), strings.Join(codes, "、"))
}

// ImportMembers creates or updates the members of rows inside the subtree of root, all or
// nothing: any bad row imports nothing and every bad row is listed. A member whose ID number is
// already present is updated; identical rows change nothing.
func (db *DB) ImportMembers(ctx context.Context, root int64, rows []party.MemberRow, dryRun bool) (*party.ImportResult, error) {
	res := &party.ImportResult{DryRun: dryRun}
	err := db.write(ctx, func(tx *Tx) error {
		rootOrg, err := findOrg(ctx, tx, root)
		if err != nil {
			return err
		}
		orgs, err := listOrgs(ctx, tx, OrgFilter{Root: root})
		if err != nil {
			return err
		}
		resolve := newOrgResolver(orgs)
		bad := func(row int, col, msg string) {
			res.Errors = append(res.Errors, party.RowError{Row: row, Column: col, Message: msg})
		}
		seen := map[string]int{}
		lo, hi := subtreeRange(rootOrg.Path)
		for i := range rows {
			r := &rows[i]
			m := &r.Member
			branch, err := resolve.find(r.Branch, func(o *party.Org) bool { return o.Kind == party.KindBranch })
			if strings.TrimSpace(r.Branch) == "" {
				bad(r.Row, "所在党支部", "不能为空")
				continue
			}
			if err != nil {
				bad(r.Row, "所在党支部", party.ErrorMessage(err)+"（须为“"+rootOrg.Name+"”范围内未撤销的党支部名称或编码）")
				continue
			}
			m.OrgID, m.GroupID = branch.ID, 0
			if strings.TrimSpace(r.Group) != "" {
				g, err := resolve.find(r.Group, func(o *party.Org) bool { return o.Kind == party.KindGroup && o.ParentID == branch.ID })
				if err != nil {
					bad(r.Row, "党小组", party.ErrorMessage(err)+"（须为“"+branch.Name+"”下的党小组）")
					continue
				}
				m.GroupID = g.ID
			}
			if err := m.Validate(tx.today()); err != nil {
				bad(r.Row, party.MemberFieldColumn[party.ErrorField(err)], party.ErrorMessage(err))
				continue
			}
			if prev, dup := seen[string(m.IDNumber)]; dup {
				bad(r.Row, "身份证号", fmt.Sprintf("与第%d行重复", prev))
				continue
			}
			seen[string(m.IDNumber)] = r.Row
			old, err := tx.db.findMemberByIDNumber(ctx, tx, string(m.IDNumber))
			switch {
			case party.ErrorCode(err) == party.ENOTFOUND:
				if err := tx.createMember(ctx, m, nil); err != nil {
					if party.ErrorCode(err) == party.EINTERNAL {
						return err
					}
					bad(r.Row, party.MemberFieldColumn[party.ErrorField(err)], party.ErrorMessage(err))
					continue
				}
				res.Created++
			case err != nil:
				return err
			default:
				var oldPath string
				if err := tx.QueryRowContext(ctx, `SELECT path FROM orgs WHERE id = $1`, old.OrgID).Scan(&oldPath); err != nil {
					return fmt.Errorf("store: import: %w", err)
				}
				if oldPath < lo || oldPath >= hi {
					bad(r.Row, "身份证号", "该党员的组织关系在本组织范围以外，请先办理组织关系转接")
					continue
				}
				m.ID = old.ID
				var t *party.Transfer
				m.Status, m.LeftOn, m.Note = old.Status, old.LeftOn, old.Note
				if old.Status != party.StatusActive {
					m.Status, m.LeftOn = party.StatusActive, party.Date{}
					t = &party.Transfer{Kind: party.TransferIn, On: tx.today(), Note: "名册导入时恢复在册"}
				} else if old.OrgID != m.OrgID {
					t = &party.Transfer{Kind: party.TransferInternal, On: tx.today(), FromOrgID: old.OrgID, ToOrgID: m.OrgID, Note: "名册导入"}
				}
				if sameMember(old, m) && t == nil {
					res.Unchanged++
					continue
				}
				if err := tx.updateMember(ctx, old, m, t); err != nil {
					if party.ErrorCode(err) == party.EINTERNAL {
						return err
					}
					bad(r.Row, party.MemberFieldColumn[party.ErrorField(err)], party.ErrorMessage(err))
					continue
				}
				res.Updated++
			}
		}
		if len(res.Errors) > 0 {
			return errBadRows
		}
		if err := tx.audit(ctx, ActImport, ObjMember, 0, root, fields{"rows": fmt.Sprint(len(rows)),
			"created": fmt.Sprint(res.Created), "updated": fmt.Sprint(res.Updated), "unchanged": fmt.Sprint(res.Unchanged)}); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) || errors.Is(err, errBadRows) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		res.Created, res.Updated, res.Unchanged = 0, 0, 0
	}
	return res, nil
}

// ImportOrgs creates the organizations of rows, all or nothing. A row's parent names an
// existing organization or an earlier row (by name or code); an empty parent means parent
// (0: top level). A row whose code already exists with the same name, kind and parent is
// left unchanged, so the same sheet can be imported twice.
func (db *DB) ImportOrgs(ctx context.Context, parent int64, rows []party.OrgRow, dryRun bool) (*party.ImportResult, error) {
	res := &party.ImportResult{DryRun: dryRun}
	err := db.write(ctx, func(tx *Tx) error {
		all, err := listOrgs(ctx, tx, OrgFilter{})
		if err != nil {
			return err
		}
		resolve := newOrgResolver(all)
		bad := func(row int, col, msg string) {
			res.Errors = append(res.Errors, party.RowError{Row: row, Column: col, Message: msg})
		}
		for _, r := range rows {
			o := &party.Org{Name: r.Name, Kind: r.Kind, Code: r.Code, FoundedOn: r.FoundedOn, ParentID: parent}
			if r.Kind == party.KindTempBranch {
				o.StartOn = r.FoundedOn
			}
			if strings.TrimSpace(r.Parent) != "" {
				p, err := resolve.find(r.Parent, func(o *party.Org) bool { return !o.Dissolved() })
				if err != nil {
					bad(r.Row, "上级组织", party.ErrorMessage(err)+"（须为已有组织或本表前面各行的名称或编码）")
					continue
				}
				o.ParentID = p.ID
			}
			if ex, ok := resolve.byCode[party.NormalizeCode(r.Code)]; ok && ex.Name == strings.TrimSpace(r.Name) &&
				ex.Kind == r.Kind && ex.ParentID == o.ParentID {
				res.Unchanged++
				continue
			}
			if err := tx.createOrg(ctx, o); err != nil {
				if party.ErrorCode(err) == party.EINTERNAL {
					return err
				}
				col := map[string]string{"name": "组织名称", "kind": "组织类别", "parent_id": "上级组织", "code": "组织编码",
					"start_on": "成立日期"}[party.ErrorField(err)]
				bad(r.Row, col, party.ErrorMessage(err))
				continue
			}
			resolve.add(o)
			res.Created++
		}
		if len(res.Errors) > 0 {
			return errBadRows
		}
		if err := tx.audit(ctx, ActImport, ObjOrg, 0, parent, fields{"rows": fmt.Sprint(len(rows)),
			"created": fmt.Sprint(res.Created), "unchanged": fmt.Sprint(res.Unchanged)}); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) || errors.Is(err, errBadRows) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		res.Created, res.Updated, res.Unchanged = 0, 0, 0
	}
	return res, nil
}
