package store

import (
	"context"
	"fmt"
	"strconv"

	"dangjian/internal/party"
)

// eventInsertColumns are the columns a bulk load writes for an event.
const eventInsertColumns = `id, org_id, type_code, title, status, starts_at, ends_at, on_date, place, host, recorder,
	content, decisions, materials, cancel_reason, plan_id, expected, present, on_leave, absent, counts, created_at,
	updated_at`

// BulkCreateEvents inserts events with their attendance rows and topic links in one
// transaction with multi-row INSERT statements, for loading a city-sized history. Each event
// is validated like RecordEvent validates it, but its attendance is taken as given (the
// caller chose the expected attendees); the counts and whether it counts as held are computed
// here. One audit row records the batch. It fills ID and the timestamps.
func (db *DB) BulkCreateEvents(ctx context.Context, events []*party.Event) error {
	if len(events) == 0 {
		return nil
	}
	return db.write(ctx, func(tx *Tx) error {
		types, err := eventTypes(ctx, tx)
		if err != nil {
			return err
		}
		byCode := map[party.EventTypeCode]*party.EventType{}
		for _, t := range types {
			byCode[t.Code] = t
		}
		seen := map[int64]bool{}
		var orgIDs []int64
		for i, e := range events {
			if err := e.Validate(tx.now); err != nil {
				return bulkError("活动", i, e.Title, err)
			}
			t := byCode[e.Type]
			if t == nil {
				return bulkError("活动", i, e.Title, party.FieldErrorf(party.EINVALID, "type", "活动类型不存在"))
			}
			e.Tally()
			e.Judge(t)
			if !seen[e.OrgID] {
				seen[e.OrgID] = true
				orgIDs = append(orgIDs, e.OrgID)
			}
		}
		orgs, err := tx.orgsByID(ctx, orgIDs)
		if err != nil {
			return err
		}
		for i, e := range events {
			o := orgs[e.OrgID]
			if o == nil {
				return bulkError("活动", i, e.Title, party.FieldErrorf(party.EINVALID, "org_id", "组织不存在"))
			}
			if !o.ActiveOn(e.Date()) {
				return bulkError("活动", i, e.Title, party.FieldErrorf(party.EINVALID, "start_at", "“%s”在%s不存在", o.Name, e.Date().Chinese()))
			}
		}
		ids, err := tx.reserveIDs(ctx, "events", len(events))
		if err != nil {
			return err
		}
		now := formatTS(tx.now)
		attendance, topics := 0, 0
		for i, e := range events {
			e.ID, e.CreatedAt, e.UpdatedAt = ids[i], tx.now, tx.now
			attendance += len(e.Attendance)
			topics += len(e.TopicIDs)
		}
		err = tx.insertRows(ctx, "events", eventInsertColumns, len(events), func(i int, args []any) ([]any, error) {
			e := events[i]
			return append(args, e.ID, e.OrgID, string(e.Type), e.Title, string(e.Status), formatTS(e.StartAt),
				formatTS(e.EndAt), e.Date().String(), e.Place, e.Host, e.Recorder, e.Content, e.Decisions, e.Materials,
				e.CancelReason, nullID(e.PlanID), e.Expected, e.Present, e.Leave, e.Absent, e.Counts, now, now), nil
		})
		if err != nil {
			return fmt.Errorf("store: bulk insert events: %w", err)
		}
		if err := tx.insertChildren(ctx, events, attendance, topics); err != nil {
			return err
		}
		return tx.audit(ctx, ActImport, ObjEvent, 0, 0, fields{"bulk": "true", "events": strconv.Itoa(len(events)),
			"attendance": strconv.Itoa(attendance), "first_id": strconv.FormatInt(ids[0], 10),
			"last_id": strconv.FormatInt(ids[len(ids)-1], 10)})
	})
}

// insertChildren writes the attendance rows and topic links of events, which have their ids.
func (tx *Tx) insertChildren(ctx context.Context, events []*party.Event, attendance, topics int) error {
	type ref struct{ e, i int }
	rows := make([]ref, 0, attendance)
	for ei, e := range events {
		for ai := range e.Attendance {
			rows = append(rows, ref{ei, ai})
		}
	}
	err := tx.insertRows(ctx, "attendance", "event_id, member_id, status, reason", len(rows), func(i int, args []any) ([]any, error) {
		e := events[rows[i].e]
		a := e.Attendance[rows[i].i]
		return append(args, e.ID, a.MemberID, string(a.Status), a.Reason), nil
	})
	if err != nil {
		return fmt.Errorf("store: bulk insert attendance: %w", err)
	}
	links := make([]ref, 0, topics)
	for ei, e := range events {
		for ti := range e.TopicIDs {
			links = append(links, ref{ei, ti})
		}
	}
	err = tx.insertRows(ctx, "event_topics", "event_id, topic_id", len(links), func(i int, args []any) ([]any, error) {
		e := events[links[i].e]
		return append(args, e.ID, e.TopicIDs[links[i].i]), nil
	})
	if err != nil {
		return fmt.Errorf("store: bulk insert event topics: %w", err)
	}
	return nil
}

// MemberRef is a member's id with their branch and party group, for bulk generators.
type MemberRef struct {
	ID      int64
	OrgID   int64
	GroupID int64
}

// MemberRefs lists the members on the roster whose branch lies in the subtree of root, by
// branch and id.
func (db *DB) MemberRefs(ctx context.Context, root int64) ([]MemberRef, error) {
	o, err := db.FindOrg(ctx, root)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(o.Path)
	rows, err := db.r.QueryContext(ctx, `SELECT m.id, m.org_id, m.group_id FROM members m JOIN orgs o ON o.id = m.org_id
		WHERE o.path >= $1 AND o.path < $2 AND m.status = $3 ORDER BY m.org_id, m.id`, lo, hi, string(party.StatusActive))
	if err != nil {
		return nil, fmt.Errorf("store: member refs: %w", err)
	}
	defer rows.Close()
	var out []MemberRef
	for rows.Next() {
		var m MemberRef
		if err := rows.Scan(&m.ID, &m.OrgID, nid{&m.GroupID}); err != nil {
			return nil, fmt.Errorf("store: scan member ref: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
