package store

import (
	"context"
	"fmt"

	"dangjian/internal/party"
)

// OrgAttendance sums the attendance of one organization's held events.
type OrgAttendance struct {
	OrgID    int64
	OrgCode  string
	OrgName  string
	OrgKind  party.OrgKind
	Events   int
	Expected int
	Present  int
	Leave    int
	Absent   int
}

// Rate returns present over expected.
func (a OrgAttendance) Rate() float64 { return party.AttendanceRate(a.Expected, a.Present) }

// OrgAttendances returns, for each organization of the subtree of root that held events
// starting in span, the sums of its attendance, in tree order.
func (db *DB) OrgAttendances(ctx context.Context, root int64, span party.Span) ([]OrgAttendance, error) {
	o, err := db.FindOrg(ctx, root)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(o.Path)
	rows, err := db.r.QueryContext(ctx, `SELECT o.id, o.code, o.name, o.kind, count(*), sum(e.expected), sum(e.present),
		sum(e.on_leave), sum(e.absent) FROM orgs o JOIN events e ON e.org_id = o.id
		WHERE o.path >= $1 AND o.path < $2 AND e.on_date >= $3 AND e.on_date < $4 AND e.status = $5
		GROUP BY o.id, o.code, o.name, o.kind, o.path ORDER BY o.path`, lo, hi, span.From, span.To, string(party.EventHeld))
	if err != nil {
		return nil, fmt.Errorf("store: org attendance: %w", err)
	}
	defer rows.Close()
	var out []OrgAttendance
	for rows.Next() {
		var a OrgAttendance
		if err := rows.Scan(&a.OrgID, &a.OrgCode, &a.OrgName, &a.OrgKind, &a.Events, &a.Expected, &a.Present, &a.Leave, &a.Absent); err != nil {
			return nil, fmt.Errorf("store: scan org attendance: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// EventCounts counts the held events of the subtree of root that started in span, by type.
func (db *DB) EventCounts(ctx context.Context, root int64, span party.Span) (map[party.EventTypeCode]int, error) {
	o, err := db.FindOrg(ctx, root)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(o.Path)
	rows, err := db.r.QueryContext(ctx, `SELECT e.type_code, count(*) FROM orgs o JOIN events e ON e.org_id = o.id
		WHERE o.path >= $1 AND o.path < $2 AND e.on_date >= $3 AND e.on_date < $4 AND e.status = $5
		GROUP BY e.type_code`, lo, hi, span.From, span.To, string(party.EventHeld))
	if err != nil {
		return nil, fmt.Errorf("store: count events: %w", err)
	}
	defer rows.Close()
	out := map[party.EventTypeCode]int{}
	for rows.Next() {
		var t party.EventTypeCode
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, fmt.Errorf("store: scan event count: %w", err)
		}
		out[t] = n
	}
	return out, rows.Err()
}

// MemberEvent is one held event a member was expected at, and how they stood.
type MemberEvent struct {
	EventID  int64
	On       party.Date
	OrgName  string
	OrgPath  string // for the viewer's permission check
	TypeName string
	Title    string
	Status   party.AttendanceStatus
	Reason   string
}

// MemberAttendance lists the held events starting in span that member memberID was expected
// at, in time order: the member's own record, never compared with anyone else's.
func (db *DB) MemberAttendance(ctx context.Context, memberID int64, span party.Span) ([]MemberEvent, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT e.id, e.on_date, o.name, o.path, t.name, e.title, a.status, a.reason
		FROM attendance a JOIN events e ON e.id = a.event_id JOIN orgs o ON o.id = e.org_id
		JOIN event_types t ON t.code = e.type_code
		WHERE a.member_id = $1 AND e.on_date >= $2 AND e.on_date < $3 AND e.status = $4
		ORDER BY e.starts_at, e.id`, memberID, span.From, span.To, string(party.EventHeld))
	if err != nil {
		return nil, fmt.Errorf("store: member attendance: %w", err)
	}
	defer rows.Close()
	var out []MemberEvent
	for rows.Next() {
		var m MemberEvent
		if err := rows.Scan(&m.EventID, &m.On, &m.OrgName, &m.OrgPath, &m.TypeName, &m.Title, &m.Status, &m.Reason); err != nil {
			return nil, fmt.Errorf("store: scan member attendance: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MemberTally sums one member's attendance at the held events of one organization.
type MemberTally struct {
	MemberID int64
	Name     string
	Expected int
	Present  int
	Leave    int
	Absent   int
}

// Rate returns present over expected.
func (m MemberTally) Rate() float64 { return party.AttendanceRate(m.Expected, m.Present) }

// MemberTallies sums, per member, the attendance at the held events of organization orgID
// starting in span, in pinyin order of names: a ledger for the branch, deliberately not a
// ranking.
func (db *DB) MemberTallies(ctx context.Context, orgID int64, span party.Span) ([]MemberTally, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT m.id, m.name, count(*),
		sum(CASE WHEN a.status = $1 THEN 1 ELSE 0 END), sum(CASE WHEN a.status = $2 THEN 1 ELSE 0 END),
		sum(CASE WHEN a.status = $3 THEN 1 ELSE 0 END)
		FROM events e JOIN attendance a ON a.event_id = e.id JOIN members m ON m.id = a.member_id
		WHERE e.org_id = $4 AND e.on_date >= $5 AND e.on_date < $6 AND e.status = $7
		GROUP BY m.id, m.name, m.name_key ORDER BY m.name_key, m.id`,
		string(party.Present), string(party.Leave), string(party.Absent), orgID, span.From, span.To, string(party.EventHeld))
	if err != nil {
		return nil, fmt.Errorf("store: member tallies: %w", err)
	}
	defer rows.Close()
	var out []MemberTally
	for rows.Next() {
		var m MemberTally
		if err := rows.Scan(&m.MemberID, &m.Name, &m.Expected, &m.Present, &m.Leave, &m.Absent); err != nil {
			return nil, fmt.Errorf("store: scan member tally: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MemberStatuses returns how member memberID stood at each held event it was expected at
// (出席, 请假, 缺席), by event id: its own record, for its list of meetings.
func (db *DB) MemberStatuses(ctx context.Context, memberID int64) (map[int64]party.AttendanceStatus, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT event_id, status FROM attendance WHERE member_id = $1`, memberID)
	if err != nil {
		return nil, fmt.Errorf("store: member statuses: %w", err)
	}
	defer rows.Close()
	out := map[int64]party.AttendanceStatus{}
	for rows.Next() {
		var id int64
		var st party.AttendanceStatus
		if err := rows.Scan(&id, &st); err != nil {
			return nil, fmt.Errorf("store: scan member status: %w", err)
		}
		out[id] = st
	}
	return out, rows.Err()
}
