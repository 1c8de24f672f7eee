package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"dangjian/internal/party"
)

const planColumns = `p.id, p.org_id, p.type_code, p.title, p.place, p.host, p.frequency, p.day, p.start_time,
	p.minutes, p.from_on, p.until_on, p.active, o.name`

func scanPlan(s scanner) (*party.Plan, error) {
	var p party.Plan
	if err := s.Scan(&p.ID, &p.OrgID, &p.Type, &p.Title, &p.Place, &p.Host, &p.Frequency, &p.Day, &p.StartTime,
		&p.Minutes, &p.FromOn, &p.UntilOn, &p.Active, &p.OrgName); err != nil {
		return nil, err
	}
	return &p, nil
}

func planFields(p *party.Plan) fields {
	return fields{"org_id": strconv.FormatInt(p.OrgID, 10), "type": string(p.Type), "title": p.Title, "place": p.Place,
		"host": p.Host, "frequency": string(p.Frequency), "day": strconv.Itoa(p.Day), "start_time": p.StartTime,
		"minutes": strconv.Itoa(p.Minutes), "from_on": p.FromOn.String(), "until_on": p.UntilOn.String(),
		"active": strconv.FormatBool(p.Active)}
}

// CreatePlan adds a recurring plan; MaterializePlans turns it into planned events.
func (db *DB) CreatePlan(ctx context.Context, p *party.Plan) error {
	return db.write(ctx, func(tx *Tx) error {
		p.Active = true
		if err := p.Validate(); err != nil {
			return err
		}
		o, err := findOrg(ctx, tx, p.OrgID)
		if err != nil {
			return party.FieldErrorf(party.EINVALID, "org_id", "组织不存在")
		}
		if o.Dissolved() {
			return party.FieldErrorf(party.EINVALID, "org_id", "组织“%s”已撤销", o.Name)
		}
		t, err := findEventType(ctx, tx, p.Type)
		if err != nil {
			return err
		}
		if !t.Active {
			return party.FieldErrorf(party.EINVALID, "type", "活动类型“%s”已停用", t.Name)
		}
		if err := t.HeldBy(o); err != nil {
			return err
		}
		p.OrgName = o.Name
		now := formatTS(tx.now)
		err = tx.QueryRowContext(ctx, `INSERT INTO event_plans (org_id, type_code, title, place, host, frequency, day,
			start_time, minutes, from_on, until_on, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
			$9, $10, $11, $12, $13, $13) RETURNING id`, p.OrgID, string(p.Type), p.Title, p.Place, p.Host,
			string(p.Frequency), p.Day, p.StartTime, p.Minutes, p.FromOn, p.UntilOn, p.Active, now).Scan(&p.ID)
		if err != nil {
			return fmt.Errorf("store: insert plan: %w", err)
		}
		return tx.audit(ctx, ActCreate, ObjEventPlan, p.ID, p.OrgID, diff(nil, planFields(p)))
	})
}

func findPlan(ctx context.Context, q querier, id int64) (*party.Plan, error) {
	p, err := scanPlan(q.QueryRowContext(ctx, `SELECT `+planColumns+` FROM event_plans p JOIN orgs o ON o.id = p.org_id
		WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.ENOTFOUND, "周期计划不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find plan: %w", err)
	}
	return p, nil
}

// FindPlan returns the recurring plan with id.
func (db *DB) FindPlan(ctx context.Context, id int64) (*party.Plan, error) {
	return findPlan(ctx, db.r, id)
}

// Plans lists the recurring plans of the subtree of root (0: all), active ones first.
func (db *DB) Plans(ctx context.Context, root int64) ([]*party.Plan, error) {
	lo, hi := subtreeRange("/")
	if root != 0 {
		o, err := db.FindOrg(ctx, root)
		if err != nil {
			return nil, err
		}
		lo, hi = subtreeRange(o.Path)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+planColumns+` FROM event_plans p JOIN orgs o ON o.id = p.org_id
		WHERE o.path >= $1 AND o.path < $2 ORDER BY p.active DESC, o.path, p.id`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("store: list plans: %w", err)
	}
	defer rows.Close()
	var out []*party.Plan
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan plan: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// StopPlan ends recurring plan id after day last: it creates nothing later, and its planned
// events after last are cancelled.
func (db *DB) StopPlan(ctx context.Context, id int64, last party.Date) error {
	return db.write(ctx, func(tx *Tx) error {
		p, err := findPlan(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.Active {
			return party.Errorf(party.ECONFLICT, "该周期计划已停止")
		}
		if last.IsZero() || last.Before(p.FromOn.AddDays(-1)) {
			return party.FieldErrorf(party.EINVALID, "until_on", "停止日期不能早于计划开始日期")
		}
		before := planFields(p)
		p.UntilOn, p.Active = last, false
		if _, err := tx.ExecContext(ctx, `UPDATE event_plans SET until_on = $1, active = $2, updated_at = $3 WHERE id = $4`,
			last, false, formatTS(tx.now), id); err != nil {
			return fmt.Errorf("store: stop plan: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM events WHERE plan_id = $1 AND status = $2 AND on_date > $3`,
			id, string(party.EventPlanned), last)
		if err != nil {
			return fmt.Errorf("store: planned events: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var eid int64
			if err := rows.Scan(&eid); err != nil {
				rows.Close()
				return fmt.Errorf("store: planned events: %w", err)
			}
			ids = append(ids, eid)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: planned events: %w", err)
		}
		for _, eid := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE events SET status = $1, cancel_reason = $2, updated_at = $3 WHERE id = $4`,
				string(party.EventCancelled), "周期计划已停止", formatTS(tx.now), eid); err != nil {
				return fmt.Errorf("store: cancel planned event: %w", err)
			}
			if err := tx.audit(ctx, ActEventCancel, ObjEvent, eid, p.OrgID, []Change{{Field: "status",
				Old: string(party.EventPlanned), New: string(party.EventCancelled)}, {Field: "cancel_reason", New: "周期计划已停止"}}); err != nil {
				return err
			}
		}
		return tx.audit(ctx, ActUpdate, ObjEventPlan, id, p.OrgID, diff(before, planFields(p)))
	})
}

// MaterializePlans creates the planned events of every active recurring plan from today
// through day through, skipping days already created (or cancelled) and days its organization
// does not exist; it returns how many it created. The scheduler runs it every day.
func (db *DB) MaterializePlans(ctx context.Context, through party.Date) (int, error) {
	return db.materialize(ctx, 0, through)
}

// MaterializePlan does what MaterializePlans does for plan id alone: a plan just created
// gets its events at once, written (and audited) for the user who created it, without
// touching other organizations' plans.
func (db *DB) MaterializePlan(ctx context.Context, id int64, through party.Date) (int, error) {
	return db.materialize(ctx, id, through)
}

// materialize creates the due events of plan id, or of every active plan when id is 0.
func (db *DB) materialize(ctx context.Context, id int64, through party.Date) (int, error) {
	created := 0
	err := db.write(ctx, func(tx *Tx) error {
		created = 0
		q, args := `SELECT `+planColumns+` FROM event_plans p JOIN orgs o ON o.id = p.org_id WHERE p.active = $1`, []any{true}
		if id != 0 {
			q, args = q+` AND p.id = $2`, append(args, id)
		}
		rows, err := tx.QueryContext(ctx, q+` ORDER BY p.id`, args...)
		if err != nil {
			return fmt.Errorf("store: list plans: %w", err)
		}
		var plans []*party.Plan
		for rows.Next() {
			p, err := scanPlan(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: scan plan: %w", err)
			}
			plans = append(plans, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: list plans: %w", err)
		}
		today := tx.today()
		for _, p := range plans {
			o, err := findOrg(ctx, tx, p.OrgID)
			if err != nil {
				return err
			}
			t, err := findEventType(ctx, tx, p.Type)
			if err != nil {
				return err
			}
			for _, d := range p.Occurrences(today, through) {
				if !o.ActiveOn(d) {
					continue
				}
				start, err := party.At(d, p.StartTime)
				if err != nil {
					return err
				}
				e := &party.Event{OrgID: p.OrgID, Type: p.Type, Title: p.Title, Status: party.EventPlanned, StartAt: start,
					EndAt: start.Add(time.Duration(p.Minutes) * time.Minute), Place: p.Place, Host: p.Host, PlanID: p.ID}
				if err := e.Validate(tx.now); err != nil {
					return err
				}
				var exists int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE plan_id = $1 AND plan_day = $2`,
					p.ID, d).Scan(&exists); err != nil {
					return fmt.Errorf("store: check planned event: %w", err)
				}
				if exists > 0 {
					continue
				}
				if err := tx.insertEvent(ctx, e, t, o); err != nil {
					return err
				}
				created++
			}
		}
		return nil
	})
	return created, err
}
