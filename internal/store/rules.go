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

const ruleColumns = `r.id, r.type_code, r.kinds, r.root_org_id, r.frequency, r.min_count, r.effective_from,
	r.effective_to, r.source, r.note, COALESCE(o.path, ''), COALESCE(o.name, ''), t.name, t.sort_order`

const ruleFrom = ` FROM rules r JOIN event_types t ON t.code = r.type_code LEFT JOIN orgs o ON o.id = r.root_org_id`

func scanRule(s scanner) (*party.Rule, error) {
	var r party.Rule
	var kinds string
	if err := s.Scan(&r.ID, &r.Type, &kinds, nid{&r.RootOrgID}, &r.Frequency, &r.MinCount, &r.EffectiveFrom,
		&r.EffectiveTo, &r.Source, &r.Note, &r.RootPath, &r.RootName, &r.TypeName, &r.TypeSort); err != nil {
		return nil, err
	}
	for _, k := range strings.Split(kinds, ",") {
		if k != "" {
			r.Kinds = append(r.Kinds, party.OrgKind(k))
		}
	}
	return &r, nil
}

// Rules returns every rule, in force or not, by event type and start date.
func (db *DB) Rules(ctx context.Context) ([]*party.Rule, error) { return listRules(ctx, db.r) }

func listRules(ctx context.Context, q querier) ([]*party.Rule, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+ruleColumns+ruleFrom+` ORDER BY t.sort_order, r.type_code, r.effective_from, r.id`)
	if err != nil {
		return nil, fmt.Errorf("store: list rules: %w", err)
	}
	defer rows.Close()
	var out []*party.Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan rule: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func findRule(ctx context.Context, q querier, id int64) (*party.Rule, error) {
	r, err := scanRule(q.QueryRowContext(ctx, `SELECT `+ruleColumns+ruleFrom+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.ENOTFOUND, "规则不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find rule: %w", err)
	}
	return r, nil
}

// FindRule returns the rule with id.
func (db *DB) FindRule(ctx context.Context, id int64) (*party.Rule, error) {
	return findRule(ctx, db.r, id)
}

func ruleFields(r *party.Rule) fields {
	return fields{"type": string(r.Type), "kinds": r.KindsText(), "root_org_id": strconv.FormatInt(r.RootOrgID, 10),
		"frequency": string(r.Frequency), "min_count": strconv.Itoa(r.MinCount),
		"effective_from": r.EffectiveFrom.String(), "effective_to": r.EffectiveTo.String(), "source": r.Source, "note": r.Note}
}

// CreateRule adds a rule. It refuses one that would govern the same organizations on the same
// days as an existing rule of the same type and scope: end that one first (ReplaceRule).
func (db *DB) CreateRule(ctx context.Context, r *party.Rule) error {
	return db.write(ctx, func(tx *Tx) error { return tx.createRule(ctx, r) })
}

func (tx *Tx) createRule(ctx context.Context, r *party.Rule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	t, err := findEventType(ctx, tx, r.Type)
	if err != nil {
		return err
	}
	for _, k := range r.Kinds {
		if !t.AppliesTo(k) {
			return party.FieldErrorf(party.EINVALID, "kinds", "“%s”适用于%s，规则不能要求%s召开；如确需要，请先在活动类型中增加适用组织",
				t.Name, t.KindsText(), k)
		}
	}
	r.TypeName, r.TypeSort, r.RootPath, r.RootName = t.Name, t.Sort, "", ""
	if r.RootOrgID != 0 {
		o, err := findOrg(ctx, tx, r.RootOrgID)
		if err != nil {
			return party.FieldErrorf(party.EINVALID, "root_org_id", "适用范围的组织不存在")
		}
		r.RootPath, r.RootName = o.Path, o.Name
	}
	all, err := listRules(ctx, tx)
	if err != nil {
		return err
	}
	for _, o := range all {
		if r.Conflicts(o) {
			until := "长期有效"
			if !o.EffectiveTo.IsZero() {
				until = o.EffectiveTo.Chinese() + "止"
			}
			return party.Errorf(party.ECONFLICT, "与现有规则“%s %s（%s起，%s）”适用范围和时间重叠；请先设置原规则的失效日期",
				o.TypeName, o.Describe(), o.EffectiveFrom.Chinese(), until)
		}
	}
	kinds := make([]string, len(r.Kinds))
	for i, k := range r.Kinds {
		kinds[i] = string(k)
	}
	now := formatTS(tx.now)
	err = tx.QueryRowContext(ctx, `INSERT INTO rules (type_code, kinds, root_org_id, frequency, min_count, effective_from,
		effective_to, source, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
		RETURNING id`, string(r.Type), strings.Join(kinds, ","), nullID(r.RootOrgID), string(r.Frequency), r.MinCount,
		r.EffectiveFrom, r.EffectiveTo, r.Source, r.Note, now).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("store: insert rule: %w", err)
	}
	return tx.audit(ctx, ActCreate, ObjRule, r.ID, r.RootOrgID, diff(nil, ruleFields(r)))
}

// EndRule sets the last day rule id is in force; periods after it are judged by other rules.
func (db *DB) EndRule(ctx context.Context, id int64, last party.Date) (*party.Rule, error) {
	var out *party.Rule
	err := db.write(ctx, func(tx *Tx) error {
		r, err := tx.endRule(ctx, id, last)
		out = r
		return err
	})
	return out, err
}

func (tx *Tx) endRule(ctx context.Context, id int64, last party.Date) (*party.Rule, error) {
	r, err := findRule(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if last.IsZero() || last.Before(r.EffectiveFrom) {
		return nil, party.FieldErrorf(party.EINVALID, "effective_to", "失效日期不能早于生效日期")
	}
	if !r.EffectiveTo.IsZero() && !last.Before(r.EffectiveTo) {
		return nil, party.FieldErrorf(party.EINVALID, "effective_to", "该规则已于%s失效", r.EffectiveTo.Chinese())
	}
	before := ruleFields(r)
	r.EffectiveTo = last
	if _, err := tx.ExecContext(ctx, `UPDATE rules SET effective_to = $1, updated_at = $2 WHERE id = $3`,
		last, formatTS(tx.now), id); err != nil {
		return nil, fmt.Errorf("store: end rule: %w", err)
	}
	return r, tx.audit(ctx, ActUpdate, ObjRule, id, r.RootOrgID, diff(before, ruleFields(r)))
}

// ReplaceRule ends rule id the day before next.EffectiveFrom and adds next, in one step: the
// way to change a requirement without rewriting how past periods are judged.
func (db *DB) ReplaceRule(ctx context.Context, id int64, next *party.Rule) error {
	return db.write(ctx, func(tx *Tx) error {
		if next.EffectiveFrom.IsZero() {
			return party.FieldErrorf(party.EINVALID, "effective_from", "请填写新规则的生效日期")
		}
		old, err := findRule(ctx, tx, id)
		if err != nil {
			return err
		}
		if !old.EffectiveFrom.Before(next.EffectiveFrom) {
			return party.FieldErrorf(party.EINVALID, "effective_from", "新规则的生效日期应晚于原规则的生效日期（%s）", old.EffectiveFrom.Chinese())
		}
		if _, err := tx.endRule(ctx, id, next.EffectiveFrom.AddDays(-1)); err != nil {
			return err
		}
		return tx.createRule(ctx, next)
	})
}

// UpdateRuleText changes the source and note of rule id, which judge nothing.
func (db *DB) UpdateRuleText(ctx context.Context, id int64, source, note string) (*party.Rule, error) {
	var out *party.Rule
	err := db.write(ctx, func(tx *Tx) error {
		r, err := findRule(ctx, tx, id)
		if err != nil {
			return err
		}
		before := ruleFields(r)
		r.Source, r.Note = source, note
		if err := r.Validate(); err != nil {
			return err
		}
		out = r
		changes := diff(before, ruleFields(r))
		if len(changes) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rules SET source = $1, note = $2, updated_at = $3 WHERE id = $4`,
			r.Source, r.Note, formatTS(tx.now), id); err != nil {
			return fmt.Errorf("store: update rule: %w", err)
		}
		return tx.audit(ctx, ActUpdate, ObjRule, id, r.RootOrgID, changes)
	})
	return out, err
}
