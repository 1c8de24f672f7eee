package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"dangjian/internal/party"
)

const eventColumns = `e.id, e.org_id, e.type_code, e.title, e.status, e.starts_at, e.ends_at, e.place, e.host,
	e.recorder, e.content, e.decisions, e.materials, e.cancel_reason, e.plan_id, e.expected, e.present, e.on_leave,
	e.absent, e.counts, e.created_at, e.updated_at, o.code, o.name, t.name`

const eventFrom = ` FROM events e JOIN orgs o ON o.id = e.org_id JOIN event_types t ON t.code = e.type_code`

// listColumns are the columns a calendar needs: no minutes, which can be long.
const eventListColumns = `e.id, e.org_id, e.type_code, e.title, e.status, e.starts_at, e.ends_at, e.place, e.host,
	e.recorder, '', '', '', e.cancel_reason, e.plan_id, e.expected, e.present, e.on_leave,
	e.absent, e.counts, e.created_at, e.updated_at, o.code, o.name, t.name`

func scanEvent(s scanner, extra ...any) (*party.Event, error) {
	var e party.Event
	dest := []any{&e.ID, &e.OrgID, &e.Type, &e.Title, &e.Status, ts{&e.StartAt}, ts{&e.EndAt}, &e.Place, &e.Host,
		&e.Recorder, &e.Content, &e.Decisions, &e.Materials, &e.CancelReason, nid{&e.PlanID}, &e.Expected, &e.Present,
		&e.Leave, &e.Absent, &e.Counts, ts{&e.CreatedAt}, ts{&e.UpdatedAt}, &e.OrgCode, &e.OrgName, &e.TypeName}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	return &e, nil
}

// findEvent loads event id with its attendance (names in pinyin order), guests and topics.
func (db *DB) findEvent(ctx context.Context, q querier, id int64) (*party.Event, error) {
	e, err := scanEvent(q.QueryRowContext(ctx, `SELECT `+eventColumns+eventFrom+` WHERE e.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, party.Errorf(party.ENOTFOUND, "活动不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find event: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT a.member_id, a.status, a.reason, m.name FROM attendance a
		JOIN members m ON m.id = a.member_id WHERE a.event_id = $1 ORDER BY m.name_key, m.id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: list attendance: %w", err)
	}
	for rows.Next() {
		var a party.Attendance
		if err := rows.Scan(&a.MemberID, &a.Status, &a.Reason, &a.MemberName); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: scan attendance: %w", err)
		}
		e.Attendance = append(e.Attendance, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list attendance: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT name, unit_post FROM event_guests WHERE event_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: list guests: %w", err)
	}
	for rows.Next() {
		var g party.Guest
		if err := rows.Scan(&g.Name, &g.UnitPost); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: scan guest: %w", err)
		}
		e.Guests = append(e.Guests, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list guests: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT f.id, f.title, f.issued_on, f.source, f.note FROM event_topics x
		JOIN first_topics f ON f.id = x.topic_id WHERE x.event_id = $1 ORDER BY f.issued_on DESC, f.id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: list event topics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t party.FirstTopic
		if err := rows.Scan(&t.ID, &t.Title, &t.IssuedOn, &t.Source, &t.Note); err != nil {
			return nil, fmt.Errorf("store: scan topic: %w", err)
		}
		e.Topics = append(e.Topics, t)
		e.TopicIDs = append(e.TopicIDs, t.ID)
	}
	return e, rows.Err()
}

// FindEvent returns event id with its attendance, guests and 第一议题 items.
func (db *DB) FindEvent(ctx context.Context, id int64) (*party.Event, error) {
	return db.findEvent(ctx, db.r, id)
}

// EventFilter selects events for calendars and lists. From and To bound the day the event
// starts on, [From, To).
type EventFilter struct {
	// Root limits to a subtree (the root included); OrgID to one organization.
	Root   int64
	OrgID  int64
	From   party.Date
	To     party.Date
	Types  []party.EventTypeCode
	Status party.EventStatus
	// MemberID limits to the events at which that member is an expected attendee (a 党员's own).
	MemberID int64
	// Newest lists the latest events first.
	Newest bool
	Offset int
	Limit  int // default 100, at most 2000
}

// ListEvents returns one page of the events matching f in time order (newest first with
// f.Newest), without their minutes,
// attendance rows or topics, and the total.
func (db *DB) ListEvents(ctx context.Context, f EventFilter) ([]*party.Event, int, error) {
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
		where = append(where, "e.org_id = "+arg(f.OrgID))
	}
	if !f.From.IsZero() {
		where = append(where, "e.on_date >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "e.on_date < "+arg(f.To))
	}
	if len(f.Types) > 0 {
		ph := make([]string, len(f.Types))
		for i, t := range f.Types {
			ph[i] = arg(string(t))
		}
		where = append(where, "e.type_code IN ("+strings.Join(ph, ",")+")")
	}
	if f.Status != "" {
		where = append(where, "e.status = "+arg(string(f.Status)))
	}
	if f.MemberID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM attendance a WHERE a.event_id = e.id AND a.member_id = "+arg(f.MemberID)+")")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 2000)
	f.Offset = max(f.Offset, 0)
	q := `SELECT ` + eventListColumns + `, count(*) OVER ()` + eventFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	order := " ORDER BY e.starts_at, e.id"
	if f.Newest {
		order = " ORDER BY e.starts_at DESC, e.id DESC"
	}
	q += order + " LIMIT " + arg(f.Limit) + " OFFSET " + arg(f.Offset)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list events: %w", err)
	}
	defer rows.Close()
	var out []*party.Event
	total := 0
	for rows.Next() {
		e, err := scanEvent(rows, &total)
		if err != nil {
			return nil, 0, fmt.Errorf("store: scan event: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: list events: %w", err)
	}
	if len(out) == 0 && f.Offset > 0 {
		f.Offset, f.Limit = 0, 1
		_, total, err = db.ListEvents(ctx, f)
		return nil, total, err
	}
	return out, total, nil
}

// EventTopicTitles returns the titles of the 第一议题 items each of the given events studied,
// by event id, for ledgers.
func (db *DB) EventTopicTitles(ctx context.Context, eventIDs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	err := inChunks(eventIDs, func(list string, args []any) error {
		rows, err := db.r.QueryContext(ctx, `SELECT x.event_id, f.title FROM event_topics x JOIN first_topics f
			ON f.id = x.topic_id WHERE x.event_id IN `+list+` ORDER BY x.event_id, f.issued_on, f.id`, args...)
		if err != nil {
			return fmt.Errorf("store: event topics: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var title string
			if err := rows.Scan(&id, &title); err != nil {
				return fmt.Errorf("store: scan event topic: %w", err)
			}
			out[id] = append(out[id], title)
		}
		return rows.Err()
	})
	return out, err
}

// HeldEvents returns the events that count as held, of the organizations in the subtree of
// root, starting on a day of span, for compliance; types limits them to some event types
// (none: all).
func (db *DB) HeldEvents(ctx context.Context, root int64, span party.Span, types ...party.EventTypeCode) ([]party.HeldEvent, error) {
	o, err := db.FindOrg(ctx, root)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(o.Path)
	args := []any{lo, hi, span.From, span.To, true}
	q := `SELECT e.id, e.org_id, e.type_code, e.on_date FROM orgs o JOIN events e ON e.org_id = o.id
		WHERE o.path >= $1 AND o.path < $2 AND e.on_date >= $3 AND e.on_date < $4 AND e.counts = $5`
	if len(types) > 0 {
		ph := make([]string, len(types))
		for i, t := range types {
			args = append(args, string(t))
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		q += ` AND e.type_code IN (` + strings.Join(ph, ",") + `)`
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: held events: %w", err)
	}
	defer rows.Close()
	out := make([]party.HeldEvent, 0, 1024)
	var on string
	for rows.Next() {
		var h party.HeldEvent
		if err := rows.Scan(&h.ID, &h.OrgID, &h.Type, &on); err != nil {
			return nil, fmt.Errorf("store: scan held event: %w", err)
		}
		if h.On, err = parseDay(on); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// parseDay reads a stored 2006-01-02 quickly: compliance reads hundreds of thousands.
func parseDay(s string) (party.Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return party.Date{}, fmt.Errorf("store: bad stored date %q", s)
	}
	n := func(t string) int {
		v := 0
		for i := 0; i < len(t); i++ {
			v = v*10 + int(t[i]-'0')
		}
		return v
	}
	return party.Date{Year: n(s[:4]), Month: time.Month(n(s[5:7])), Day: n(s[8:])}, nil
}
