package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"dangjian/internal/party"
)

// Audit object types and actions of organizational life and study.
const (
	ObjEvent           = "event"
	ObjEventType       = "event_type"
	ObjRule            = "rule"
	ObjFirstTopic      = "first_topic"
	ObjEventPlan       = "event_plan"
	ObjEventFile       = "event_file"
	ObjNotifyChannel   = "notify_channel"
	ObjNotifyDelivery  = "notify_delivery"
	ActEventComplete   = "complete"
	ActEventCancel     = "cancel"
	ActEventAttendance = "attendance"
	ActEventCheckIn    = "checkin"
	ActMaterialize     = "materialize"
)

// eventDuration is the length given to an event whose end is not known (imported ledgers).
const eventDuration = 90 * time.Minute

const eventTypeColumns = `t.code, t.name, t.category, t.audience, t.quorum, t.study, t.sort_order, t.active, t.org_kinds`

func scanEventType(s scanner) (*party.EventType, error) {
	var t party.EventType
	var kinds string
	if err := s.Scan(&t.Code, &t.Name, &t.Category, &t.Audience, &t.Quorum, &t.Study, &t.Sort, &t.Active, &kinds); err != nil {
		return nil, err
	}
	t.OrgKinds = splitKinds(kinds)
	return &t, nil
}

// splitKinds reads organization kinds stored comma-separated; empty is none.
func splitKinds(s string) []party.OrgKind {
	var out []party.OrgKind
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, party.OrgKind(k))
		}
	}
	return out
}

// joinKinds stores organization kinds comma-separated.
func joinKinds(kinds []party.OrgKind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ",")
}

// EventTypes returns the event type catalogue in display order, inactive types included.
func (db *DB) EventTypes(ctx context.Context) ([]*party.EventType, error) {
	return eventTypes(ctx, db.r)
}

func eventTypes(ctx context.Context, q querier) ([]*party.EventType, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+eventTypeColumns+` FROM event_types t ORDER BY t.sort_order, t.code`)
	if err != nil {
		return nil, fmt.Errorf("store: list event types: %w", err)
	}
	defer rows.Close()
	var out []*party.EventType
	for rows.Next() {
		t, err := scanEventType(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan event type: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func findEventType(ctx context.Context, q querier, code party.EventTypeCode) (*party.EventType, error) {
	t, err := scanEventType(q.QueryRowContext(ctx, `SELECT `+eventTypeColumns+` FROM event_types t WHERE t.code = $1`, string(code)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.FieldErrorf(party.EINVALID, "type", "活动类型不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find event type: %w", err)
	}
	return t, nil
}

// EventType returns the catalogue entry with code.
func (db *DB) EventType(ctx context.Context, code party.EventTypeCode) (*party.EventType, error) {
	return findEventType(ctx, db.r, code)
}

// CreateEventType adds a type to the catalogue (the office's own kinds of activity).
func (db *DB) CreateEventType(ctx context.Context, t *party.EventType) error {
	return db.write(ctx, func(tx *Tx) error {
		t.Active = true
		if err := t.Validate(); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM event_types WHERE code = $1 OR name = $2`,
			string(t.Code), t.Name).Scan(&n); err != nil {
			return fmt.Errorf("store: check event type: %w", err)
		}
		if n > 0 {
			return party.FieldErrorf(party.ECONFLICT, "name", "已有同名或同编码的活动类型")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_types (code, name, category, audience, quorum, study,
			sort_order, active, org_kinds) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, string(t.Code), t.Name,
			string(t.Category), string(t.Audience), t.Quorum, t.Study, t.Sort, t.Active, joinKinds(t.OrgKinds)); err != nil {
			return fmt.Errorf("store: insert event type: %w", err)
		}
		return tx.audit(ctx, ActCreate, ObjEventType, 0, 0, diff(nil, fields{"code": string(t.Code), "name": t.Name,
			"category": string(t.Category), "audience": string(t.Audience), "quorum": strconv.FormatBool(t.Quorum),
			"study": strconv.FormatBool(t.Study), "org_kinds": t.KindsText()}))
	})
}

// SetEventTypeKinds sets the organization kinds that hold events of type code (none: every
// kind). Events already recorded or planned keep their type; new ones are checked.
func (db *DB) SetEventTypeKinds(ctx context.Context, code party.EventTypeCode, kinds []party.OrgKind) error {
	return db.write(ctx, func(tx *Tx) error {
		t, err := findEventType(ctx, tx, code)
		if err != nil {
			return err
		}
		kinds, err := party.CheckKinds(kinds)
		if err != nil {
			return err
		}
		before := t.KindsText()
		t.OrgKinds = kinds
		if t.KindsText() == before {
			return nil
		}
		rules, err := listRules(ctx, tx)
		if err != nil {
			return err
		}
		today := tx.today()
		for _, r := range rules {
			if r.Type != code || (!r.EffectiveTo.IsZero() && r.EffectiveTo.Before(today)) {
				continue
			}
			for _, k := range r.Kinds {
				if !t.AppliesTo(k) {
					return party.FieldErrorf(party.ECONFLICT, "org_kinds", "现行规则要求%s召开“%s”（%s），不能取消%s；请先设置该规则的失效日期",
						k, t.Name, r.Describe(), k)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE event_types SET org_kinds = $1 WHERE code = $2`, joinKinds(kinds),
			string(code)); err != nil {
			return fmt.Errorf("store: update event type: %w", err)
		}
		return tx.audit(ctx, ActUpdate, ObjEventType, 0, 0, []Change{{Field: "org_kinds", Old: before, New: t.KindsText()},
			{Field: "code", New: string(code)}})
	})
}

// SetEventTypeActive offers (true) or withdraws (false) a type for new events; past events
// of a withdrawn type keep it.
func (db *DB) SetEventTypeActive(ctx context.Context, code party.EventTypeCode, active bool) error {
	return db.write(ctx, func(tx *Tx) error {
		t, err := findEventType(ctx, tx, code)
		if err != nil {
			return err
		}
		if t.Active == active {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE event_types SET active = $1 WHERE code = $2`, active, string(code)); err != nil {
			return fmt.Errorf("store: update event type: %w", err)
		}
		return tx.audit(ctx, ActUpdate, ObjEventType, 0, 0, []Change{{Field: "active",
			Old: strconv.FormatBool(t.Active), New: strconv.FormatBool(active)}, {Field: "code", New: string(code)}})
	})
}

// ExpectedAttendees returns who is expected at an event of type typ held by organization
// orgID on day on, each marked 出席, in pinyin order. For a type whose attendees are listed by
// hand (谈心谈话) it returns the people who may be listed: the organization's members.
func (db *DB) ExpectedAttendees(ctx context.Context, orgID int64, typ party.EventTypeCode, on party.Date) ([]party.Attendance, error) {
	o, err := findOrg(ctx, db.r, orgID)
	if err != nil {
		return nil, err
	}
	t, err := findEventType(ctx, db.r, typ)
	if err != nil {
		return nil, err
	}
	aud := t.Audience
	if aud == party.AudienceListed {
		aud = party.AudienceMembers
	}
	return expectedAttendees(ctx, db.r, o, aud, on)
}

// memberOrgOn is the SQL for the branch member m belonged to on day $1: where the first
// transfer after that day took it from (0, no organization, when that transfer brought it in
// from outside), or its branch today when it has not moved since.
const memberOrgOn = `COALESCE((SELECT CASE WHEN t.kind = '` + string(party.TransferIn) + `' THEN 0 ELSE t.from_org_id END
	FROM transfers t WHERE t.member_id = m.id AND t.on_date > $1 ORDER BY t.on_date, t.id LIMIT 1), m.org_id)`

// memberGroupOn is the SQL for the party group member m belonged to on day $1, from the dated
// group changes as memberOrgOn reads transfers (0 for none).
const memberGroupOn = `COALESCE((SELECT COALESCE(g.from_group_id, 0) FROM group_changes g
	WHERE g.member_id = m.id AND g.on_date > $1 ORDER BY g.on_date, g.id LIMIT 1), m.group_id, 0)`

// expectedAttendees lists the people audience aud of organization o covers on day on, from the
// roster as it stood that day: a member who moved to another branch after the day counts for
// the branch it left, not the one it joined, and one transferred in after the day counts
// nowhere (memberOrgOn); likewise for party groups (memberGroupOn).
func expectedAttendees(ctx context.Context, q querier, o *party.Org, aud party.Audience, on party.Date) ([]party.Attendance, error) {
	// A member counts from joining the party until the day they left the roster.
	alive := ` AND m.joined_on <= $1 AND (m.status = '` + string(party.StatusActive) + `' OR m.left_on > $1)`
	var query string
	args := []any{on, o.ID}
	switch {
	case aud == party.AudienceCommittee:
		query = `SELECT DISTINCT m.id, m.name, m.name_key FROM positions p JOIN members m ON m.id = p.member_id
			WHERE p.org_id = $2 AND p.title <> '党小组长' AND p.start_on <= $1 AND (p.end_on IS NULL OR p.end_on >= $1)` + alive
	case o.Kind == party.KindBranch:
		query = `WITH cand AS (SELECT m.id FROM members m WHERE m.org_id = $2
				UNION SELECT t.member_id FROM transfers t WHERE t.from_org_id = $2 AND t.on_date > $1)
			SELECT m.id, m.name, m.name_key FROM members m JOIN cand c ON c.id = m.id
			WHERE ` + memberOrgOn + ` = $2` + alive
	case o.Kind == party.KindGroup:
		query = `WITH cand AS (SELECT m.id FROM members m WHERE m.group_id = $2
				UNION SELECT g.member_id FROM group_changes g WHERE g.from_group_id = $2 AND g.on_date > $1)
			SELECT m.id, m.name, m.name_key FROM members m JOIN cand c ON c.id = m.id
			WHERE ` + memberGroupOn + ` = $2 AND ` + memberOrgOn + ` = $3` + alive
		args = append(args, o.ParentID)
	case o.Kind == party.KindTempBranch:
		query = `SELECT DISTINCT m.id, m.name, m.name_key FROM temp_attachments a JOIN members m ON m.id = a.member_id
			WHERE a.org_id = $2 AND a.start_on <= $1 AND (a.end_on IS NULL OR a.end_on >= $1)` + alive
	default:
		lo, hi := subtreeRange(o.Path)
		query = `WITH cand AS (SELECT m.id FROM members m JOIN orgs b ON b.id = m.org_id WHERE b.path >= $2 AND b.path < $3
				UNION SELECT t.member_id FROM transfers t JOIN orgs b ON b.id = t.from_org_id
				WHERE b.path >= $2 AND b.path < $3 AND t.on_date > $1)
			SELECT m.id, m.name, m.name_key FROM members m JOIN cand c ON c.id = m.id
			JOIN orgs b ON b.id = ` + memberOrgOn + `
			WHERE b.path >= $2 AND b.path < $3` + alive
		args = []any{on, lo, hi}
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY 3, 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: expected attendees: %w", err)
	}
	defer rows.Close()
	var out []party.Attendance
	for rows.Next() {
		var a party.Attendance
		var key string
		if err := rows.Scan(&a.MemberID, &a.MemberName, &key); err != nil {
			return nil, fmt.Errorf("store: scan attendee: %w", err)
		}
		a.Status = party.Present
		out = append(out, a)
	}
	return out, rows.Err()
}

// PlanEvent records a planned event (计划): it shows on calendars and in reminders, and is
// completed with attendance after it takes place.
func (db *DB) PlanEvent(ctx context.Context, e *party.Event) error {
	return db.write(ctx, func(tx *Tx) error {
		e.Status, e.Attendance = party.EventPlanned, nil
		return tx.saveEvent(ctx, e, nil, true)
	})
}

// RecordEvent records an event that took place (已召开) in one step. Every expected attendee
// is marked 出席 except those listed in exceptions (请假 with a reason, or 缺席); for a type
// whose attendees are listed by hand, exceptions is the whole list.
func (db *DB) RecordEvent(ctx context.Context, e *party.Event, exceptions []party.Attendance) error {
	return db.write(ctx, func(tx *Tx) error {
		e.Status = party.EventHeld
		return tx.saveEvent(ctx, e, exceptions, true)
	})
}

// CompleteEvent turns planned event e.ID into a held one with the fields of e (time, host,
// minutes, guests, 第一议题 ...) and attendance as RecordEvent takes it.
func (db *DB) CompleteEvent(ctx context.Context, e *party.Event, exceptions []party.Attendance) error {
	return db.write(ctx, func(tx *Tx) error {
		old, err := tx.db.findEvent(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		if old.Status != party.EventPlanned {
			return party.Errorf(party.ECONFLICT, "该活动%s，不能再登记召开", old.Status)
		}
		if err := tx.keepSignedInDay(ctx, old, e); err != nil {
			return err
		}
		e.OrgID, e.PlanID, e.CreatedAt = old.OrgID, old.PlanID, old.CreatedAt
		e.Status = party.EventHeld
		return tx.saveEvent(ctx, e, exceptions, false)
	})
}

// UpdateEvent changes the descriptive fields of event e.ID (title, time, place, host,
// recorder, minutes, decisions, materials, guests, 第一议题); status and attendance change
// through CompleteEvent, CancelEvent and SetAttendance. A change of day keeps the attendance.
// A planned event that members signed in to keeps its day: sign-in opens only on the
// event's day, so the sign-ins say it met then.
func (db *DB) UpdateEvent(ctx context.Context, e *party.Event) error {
	return db.write(ctx, func(tx *Tx) error {
		old, err := tx.db.findEvent(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		if old.Status == party.EventCancelled {
			return party.Errorf(party.ECONFLICT, "该活动已取消，不能修改")
		}
		if e.Type != old.Type {
			return party.FieldErrorf(party.EINVALID, "type", "活动类型不能修改，请取消后重新登记")
		}
		if old.Status == party.EventPlanned {
			if err := tx.keepSignedInDay(ctx, old, e); err != nil {
				return err
			}
		}
		e.OrgID, e.Status, e.PlanID, e.CreatedAt, e.CancelReason = old.OrgID, old.Status, old.PlanID, old.CreatedAt, ""
		e.Attendance = old.Attendance
		return tx.writeEvent(ctx, e, old)
	})
}

// keepSignedInDay refuses to move planned event old to the day of e once members signed in
// to it: sign-in opens only on the event's day, so the sign-ins say it met then. On
// PostgreSQL the event row is locked first, so a sign-in cannot slip in between the count
// and the move (CheckIn takes the row in share mode).
func (tx *Tx) keepSignedInDay(ctx context.Context, old, e *party.Event) error {
	if e.Date() == old.Date() {
		return nil
	}
	if err := tx.lockEvent(ctx, old.ID, true); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM event_checkins WHERE event_id = $1`, old.ID).Scan(&n); err != nil {
		return fmt.Errorf("store: count sign-ins: %w", err)
	}
	if n > 0 {
		return party.FieldErrorf(party.ECONFLICT, "on", "已有%d人在%s扫码签到，活动日期不能再改；如活动确已改期，请取消本次活动并另行登记",
			n, old.Date().Chinese())
	}
	return nil
}

// lockEvent locks the row of event id until the transaction ends, for update (exclusive) or
// in share mode, on PostgreSQL; SQLite runs one write transaction at a time already.
func (tx *Tx) lockEvent(ctx context.Context, id int64, exclusive bool) error {
	if tx.db.engine != Postgres {
		return nil
	}
	mode := "FOR SHARE"
	if exclusive {
		mode = "FOR UPDATE"
	}
	var got int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM events WHERE id = $1 `+mode, id).Scan(&got); err != nil {
		return fmt.Errorf("store: lock event: %w", err)
	}
	return nil
}

// CancelEvent cancels planned event id, with the reason it did not take place.
func (db *DB) CancelEvent(ctx context.Context, id int64, reason string) (*party.Event, error) {
	var out *party.Event
	err := db.write(ctx, func(tx *Tx) error {
		e, err := tx.db.findEvent(ctx, tx, id)
		if err != nil {
			return err
		}
		if e.Status != party.EventPlanned {
			return party.Errorf(party.ECONFLICT, "只能取消计划中的活动，该活动%s", e.Status)
		}
		e.Status, e.CancelReason = party.EventCancelled, reason
		if err := e.Validate(tx.now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET status = $1, cancel_reason = $2, updated_at = $3 WHERE id = $4`,
			string(e.Status), e.CancelReason, formatTS(tx.now), id); err != nil {
			return fmt.Errorf("store: cancel event: %w", err)
		}
		e.UpdatedAt, out = tx.now, e
		return tx.audit(ctx, ActEventCancel, ObjEvent, id, e.OrgID, []Change{{Field: "status", Old: string(party.EventPlanned),
			New: string(party.EventCancelled)}, {Field: "cancel_reason", New: e.CancelReason}})
	})
	return out, err
}

// SetAttendance changes how some attendees of held event eventID stood (a correction, or a
// member signing in); attendees not named keep their status. For a type whose attendees are
// listed by hand, a member of the organization not yet listed is added.
func (db *DB) SetAttendance(ctx context.Context, eventID int64, changes []party.Attendance) (*party.Event, error) {
	var out *party.Event
	err := db.write(ctx, func(tx *Tx) error {
		e, err := tx.db.findEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if e.Status != party.EventHeld {
			return party.Errorf(party.ECONFLICT, "只能为已召开的活动登记出勤，该活动%s", e.Status)
		}
		if err := tx.setAttendance(ctx, e, changes); err != nil {
			return err
		}
		out = e
		return nil
	})
	return out, err
}

// setAttendance applies changes to the attendance of held event e, read in tx, as
// SetAttendance describes; e gets the new attendance and counts. It writes nothing, and no
// audit row, when nothing changes.
func (tx *Tx) setAttendance(ctx context.Context, e *party.Event, changes []party.Attendance) error {
	t, err := findEventType(ctx, tx, e.Type)
	if err != nil {
		return err
	}
	before := e.Attendance
	idx := map[int64]int{}
	for i, a := range e.Attendance {
		idx[a.MemberID] = i
	}
	next := slices.Clone(before)
	var allowed map[int64]string
	var changed []Change
	for _, c := range changes {
		c.Reason = strings.TrimSpace(c.Reason)
		i, ok := idx[c.MemberID]
		if !ok {
			if t.Audience != party.AudienceListed {
				return party.FieldErrorf(party.EINVALID, "attendance", "所选人员不是本次活动的应到人员")
			}
			if allowed == nil {
				if allowed, err = tx.allowedAttendees(ctx, e); err != nil {
					return err
				}
			}
			name, ok := allowed[c.MemberID]
			if !ok {
				return party.FieldErrorf(party.EINVALID, "attendance", "所选人员不是本组织的党员")
			}
			c.MemberName = name
			idx[c.MemberID] = len(next)
			next = append(next, c)
			changed = append(changed, Change{Field: "member:" + strconv.FormatInt(c.MemberID, 10), New: string(c.Status)})
			continue
		}
		c.MemberName = next[i].MemberName
		if next[i].Status != c.Status || next[i].Reason != c.Reason {
			changed = append(changed, Change{Field: "member:" + strconv.FormatInt(c.MemberID, 10),
				Old: string(next[i].Status), New: string(c.Status)})
		}
		next[i] = c
	}
	e.Attendance = next
	if err := e.Validate(tx.now); err != nil {
		return err
	}
	if len(changed) == 0 {
		return nil
	}
	for _, c := range changes {
		a := next[idx[c.MemberID]]
		if _, err := tx.ExecContext(ctx, `INSERT INTO attendance (event_id, member_id, status, reason) VALUES ($1, $2, $3, $4)
			ON CONFLICT (event_id, member_id) DO UPDATE SET status = excluded.status, reason = excluded.reason`,
			e.ID, a.MemberID, string(a.Status), a.Reason); err != nil {
			return fmt.Errorf("store: set attendance: %w", err)
		}
	}
	oldCounts := e.Counts
	e.Tally()
	e.Judge(t)
	if _, err := tx.ExecContext(ctx, `UPDATE events SET expected = $1, present = $2, on_leave = $3, absent = $4,
		counts = $5, updated_at = $6 WHERE id = $7`, e.Expected, e.Present, e.Leave, e.Absent, e.Counts,
		formatTS(tx.now), e.ID); err != nil {
		return fmt.Errorf("store: update counts: %w", err)
	}
	if oldCounts != e.Counts {
		changed = append(changed, Change{Field: "counts", Old: strconv.FormatBool(oldCounts), New: strconv.FormatBool(e.Counts)})
	}
	e.UpdatedAt = tx.now
	return tx.audit(ctx, ActEventAttendance, ObjEvent, e.ID, e.OrgID, changed)
}

// allowedAttendees returns the members who may be listed at e, by id.
func (tx *Tx) allowedAttendees(ctx context.Context, e *party.Event) (map[int64]string, error) {
	o, err := findOrg(ctx, tx, e.OrgID)
	if err != nil {
		return nil, err
	}
	list, err := expectedAttendees(ctx, tx, o, party.AudienceMembers, e.Date())
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(list))
	for _, a := range list {
		out[a.MemberID] = a.MemberName
	}
	return out, nil
}

// saveEvent checks e against its organization, type and (for held events) its expected
// attendees with the exceptions applied, then inserts it (insert) or rewrites event e.ID.
func (tx *Tx) saveEvent(ctx context.Context, e *party.Event, exceptions []party.Attendance, insert bool) error {
	if err := e.Validate(tx.now); err != nil {
		return err
	}
	o, err := findOrg(ctx, tx, e.OrgID)
	if err != nil {
		return party.FieldErrorf(party.EINVALID, "org_id", "组织不存在")
	}
	t, err := findEventType(ctx, tx, e.Type)
	if err != nil {
		return err
	}
	if insert && !t.Active {
		return party.FieldErrorf(party.EINVALID, "type", "活动类型“%s”已停用", t.Name)
	}
	if insert {
		if err := t.HeldBy(o); err != nil {
			return err
		}
	}
	if !o.ActiveOn(e.Date()) {
		return party.FieldErrorf(party.EINVALID, "start_at", "“%s”在%s不存在（尚未成立或已撤销）", o.Name, e.Date().Chinese())
	}
	e.Attendance = nil
	if e.Status == party.EventHeld {
		if e.Attendance, err = tx.attendanceFor(ctx, o, t, e.Date(), exceptions); err != nil {
			return err
		}
		if t.Quorum && len(e.Attendance) == 0 {
			return party.FieldErrorf(party.EINVALID, "attendance", "“%s”在%s没有在任的委员，无法判断到会是否过半；请先登记班子成员",
				o.Name, e.Date().Chinese())
		}
		if err := e.Validate(tx.now); err != nil {
			return err
		}
	}
	if len(e.TopicIDs) > 0 && !t.Study {
		return party.FieldErrorf(party.EINVALID, "topics", "“%s”不登记第一议题", t.Name)
	}
	if !insert {
		old, err := tx.db.findEvent(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		return tx.writeEvent(ctx, e, old)
	}
	return tx.insertEvent(ctx, e, t, o)
}

// attendanceFor applies exceptions to the expected attendees of an event of type t held by o
// on day on.
func (tx *Tx) attendanceFor(ctx context.Context, o *party.Org, t *party.EventType, on party.Date, exceptions []party.Attendance) ([]party.Attendance, error) {
	if t.Audience == party.AudienceListed {
		allowed, err := expectedAttendees(ctx, tx, o, party.AudienceMembers, on)
		if err != nil {
			return nil, err
		}
		names := make(map[int64]string, len(allowed))
		for _, a := range allowed {
			names[a.MemberID] = a.MemberName
		}
		out := make([]party.Attendance, 0, len(exceptions))
		for _, x := range exceptions {
			name, ok := names[x.MemberID]
			if !ok {
				return nil, party.FieldErrorf(party.EINVALID, "attendance", "所列人员不是“%s”的党员", o.Name)
			}
			x.MemberName = name
			out = append(out, x)
		}
		if len(out) == 0 {
			return nil, party.FieldErrorf(party.EINVALID, "attendance", "请列出参加人员")
		}
		return out, nil
	}
	expected, err := expectedAttendees(ctx, tx, o, t.Audience, on)
	if err != nil {
		return nil, err
	}
	idx := make(map[int64]int, len(expected))
	for i, a := range expected {
		idx[a.MemberID] = i
	}
	for _, x := range exceptions {
		i, ok := idx[x.MemberID]
		if !ok {
			return nil, party.FieldErrorf(party.EINVALID, "attendance", "所选人员不是本次活动的应到人员；非应到人员请登记为列席人员")
		}
		expected[i].Status, expected[i].Reason = x.Status, x.Reason
	}
	return expected, nil
}

// eventFields flattens e for audit diffs.
func eventFields(e *party.Event) fields {
	topics := make([]string, len(e.TopicIDs))
	for i, id := range e.TopicIDs {
		topics[i] = strconv.FormatInt(id, 10)
	}
	guests := make([]string, len(e.Guests))
	for i, g := range e.Guests {
		guests[i] = g.Name
	}
	return fields{"org_id": strconv.FormatInt(e.OrgID, 10), "type": string(e.Type), "title": e.Title,
		"status": string(e.Status), "start_at": formatTS(e.StartAt), "end_at": formatTS(e.EndAt), "place": e.Place,
		"host": e.Host, "recorder": e.Recorder, "content": summarize(e.Content), "decisions": summarize(e.Decisions),
		"materials": summarize(e.Materials), "expected": strconv.Itoa(e.Expected), "present": strconv.Itoa(e.Present),
		"leave": strconv.Itoa(e.Leave), "absent": strconv.Itoa(e.Absent), "counts": strconv.FormatBool(e.Counts),
		"topics": strings.Join(topics, ","), "guests": strings.Join(guests, "、")}
}

// summarize shortens long text for the audit trail: its length and start.
func summarize(s string) string {
	r := []rune(s)
	if len(r) <= 60 {
		return s
	}
	return fmt.Sprintf("%s…（共%d字）", string(r[:60]), len(r))
}

// insertEvent writes a new event with its attendance, guests and topics, and its audit row.
func (tx *Tx) insertEvent(ctx context.Context, e *party.Event, t *party.EventType, o *party.Org) error {
	e.Tally()
	e.Judge(t)
	e.CreatedAt, e.UpdatedAt = tx.now, tx.now
	e.OrgCode, e.OrgName, e.TypeName = o.Code, o.Name, t.Name
	// An event of a recurring plan keeps the plan's day it was created for (plan_day), even
	// when it is moved, so the plan does not create that day again.
	var planDay any
	if e.PlanID != 0 {
		planDay = e.Date()
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO events (org_id, type_code, title, status, starts_at, ends_at, on_date,
		place, host, recorder, content, decisions, materials, cancel_reason, plan_id, expected, present, on_leave,
		absent, counts, created_at, updated_at, plan_day) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
		$15, $16, $17, $18, $19, $20, $21, $21, $22) RETURNING id`,
		e.OrgID, string(e.Type), e.Title, string(e.Status), formatTS(e.StartAt), formatTS(e.EndAt), e.Date(),
		e.Place, e.Host, e.Recorder, e.Content, e.Decisions, e.Materials, e.CancelReason, nullID(e.PlanID),
		e.Expected, e.Present, e.Leave, e.Absent, e.Counts, formatTS(tx.now), planDay).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("store: insert event: %w", err)
	}
	if err := tx.writeEventRows(ctx, e); err != nil {
		return err
	}
	return tx.audit(ctx, ActCreate, ObjEvent, e.ID, e.OrgID, diff(nil, eventFields(e)))
}

// writeEvent rewrites event e.ID (old is its stored state) with its rows and an audit diff.
func (tx *Tx) writeEvent(ctx context.Context, e, old *party.Event) error {
	if err := e.Validate(tx.now); err != nil {
		return err
	}
	t, err := findEventType(ctx, tx, e.Type)
	if err != nil {
		return err
	}
	if len(e.TopicIDs) > 0 && !t.Study {
		return party.FieldErrorf(party.EINVALID, "topics", "“%s”不登记第一议题", t.Name)
	}
	o, err := findOrg(ctx, tx, e.OrgID)
	if err != nil {
		return err
	}
	if !o.ActiveOn(e.Date()) {
		return party.FieldErrorf(party.EINVALID, "start_at", "“%s”在%s不存在（尚未成立或已撤销）", o.Name, e.Date().Chinese())
	}
	e.Tally()
	e.Judge(t)
	e.OrgCode, e.OrgName, e.TypeName = o.Code, o.Name, t.Name
	changes := diff(eventFields(old), eventFields(e))
	if len(changes) == 0 && sameGuests(old.Guests, e.Guests) && sameAttendance(old.Attendance, e.Attendance) {
		e.UpdatedAt = old.UpdatedAt
		return nil
	}
	e.UpdatedAt = tx.now
	_, err = tx.ExecContext(ctx, `UPDATE events SET title = $1, status = $2, starts_at = $3, ends_at = $4, on_date = $5,
		place = $6, host = $7, recorder = $8, content = $9, decisions = $10, materials = $11, cancel_reason = $12,
		expected = $13, present = $14, on_leave = $15, absent = $16, counts = $17, updated_at = $18 WHERE id = $19`,
		e.Title, string(e.Status), formatTS(e.StartAt), formatTS(e.EndAt), e.Date(), e.Place, e.Host, e.Recorder,
		e.Content, e.Decisions, e.Materials, e.CancelReason, e.Expected, e.Present, e.Leave, e.Absent, e.Counts,
		formatTS(tx.now), e.ID)
	if err != nil {
		return fmt.Errorf("store: update event: %w", err)
	}
	for _, q := range []string{`DELETE FROM attendance WHERE event_id = $1`, `DELETE FROM event_guests WHERE event_id = $1`,
		`DELETE FROM event_topics WHERE event_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, e.ID); err != nil {
			return fmt.Errorf("store: clear event rows: %w", err)
		}
	}
	if err := tx.writeEventRows(ctx, e); err != nil {
		return err
	}
	action := ActUpdate
	if old.Status == party.EventPlanned && e.Status == party.EventHeld {
		action = ActEventComplete
	}
	return tx.audit(ctx, action, ObjEvent, e.ID, e.OrgID, changes)
}

func sameGuests(a, b []party.Guest) bool { return slices.Equal(a, b) }

func sameAttendance(a, b []party.Attendance) bool {
	if len(a) != len(b) {
		return false
	}
	m := make(map[int64]party.Attendance, len(a))
	for _, x := range a {
		m[x.MemberID] = x
	}
	for _, y := range b {
		x, ok := m[y.MemberID]
		if !ok || x.Status != y.Status || x.Reason != y.Reason {
			return false
		}
	}
	return true
}

// writeEventRows inserts the attendance, guests and topic links of e.
func (tx *Tx) writeEventRows(ctx context.Context, e *party.Event) error {
	if len(e.Attendance) > 0 {
		err := tx.insertRows(ctx, "attendance", "event_id, member_id, status, reason", len(e.Attendance),
			func(i int, args []any) ([]any, error) {
				a := e.Attendance[i]
				return append(args, e.ID, a.MemberID, string(a.Status), a.Reason), nil
			})
		if err != nil {
			return fmt.Errorf("store: insert attendance: %w", err)
		}
	}
	for _, g := range e.Guests {
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_guests (event_id, name, unit_post) VALUES ($1, $2, $3)`,
			e.ID, g.Name, g.UnitPost); err != nil {
			return fmt.Errorf("store: insert guest: %w", err)
		}
	}
	seen := map[int64]bool{}
	for _, id := range e.TopicIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM first_topics WHERE id = $1`, id).Scan(&n); err != nil {
			return fmt.Errorf("store: check topic: %w", err)
		}
		if n == 0 {
			return party.FieldErrorf(party.EINVALID, "topics", "所选第一议题不存在")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_topics (event_id, topic_id) VALUES ($1, $2)`, e.ID, id); err != nil {
			return fmt.Errorf("store: link topic: %w", err)
		}
	}
	return nil
}
