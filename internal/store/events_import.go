package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"dangjian/internal/party"
)

// eventFieldColumn maps an event field (as in party.FieldErrorf) to its ledger column.
var eventFieldColumn = map[string]string{"org_id": "组织", "type": "类型", "start_at": "日期", "end_at": "开始时间",
	"title": "主题", "host": "主持人", "recorder": "记录人", "attendance": "出席人员", "topics": "第一议题"}

// EventImportOption changes how ImportEvents treats a file.
type EventImportOption func(*eventImportOptions)

type eventImportOptions struct {
	knownTopicsOnly bool
}

// KnownTopicsOnly makes a 第一议题 title that the ledger does not hold a row error instead of
// a new ledger item: the ledger is shared by the whole installation, so an importer who may
// not add to it names only items already there.
func KnownTopicsOnly() EventImportOption {
	return func(o *eventImportOptions) { o.knownTopicsOnly = true }
}

// ImportEvents records past events from a ledger (one row per held event) inside the subtree
// of root, all or nothing: any bad row imports nothing and every bad row is listed. Names are
// resolved to the members of the row's organization; 第一议题 titles missing from the ledger
// are added to it (issue date unknown). A row already recorded (same organization, type, day
// and topic) is left unchanged, so a ledger can be imported twice.
func (db *DB) ImportEvents(ctx context.Context, root int64, rows []party.EventRow, dryRun bool, opts ...EventImportOption) (*party.ImportResult, error) {
	var options eventImportOptions
	for _, opt := range opts {
		opt(&options)
	}
	res := &party.ImportResult{DryRun: dryRun}
	err := db.write(ctx, func(tx *Tx) error {
		rootOrg, err := findOrg(ctx, tx, root)
		if err != nil {
			return err
		}
		orgs, err := listOrgs(ctx, tx, OrgFilter{Root: root, IncludeDissolved: true})
		if err != nil {
			return err
		}
		resolve := newOrgResolver(orgs)
		types, err := eventTypes(ctx, tx)
		if err != nil {
			return err
		}
		typeByName := map[string]*party.EventType{}
		for _, t := range types {
			typeByName[t.Name], typeByName[string(t.Code)] = t, t
		}
		topics, err := tx.topicIDsByTitle(ctx)
		if err != nil {
			return err
		}
		bad := func(row int, col, msg string) {
			res.Errors = append(res.Errors, party.RowError{Row: row, Column: col, Message: msg})
		}
		seen := map[string]int{}
		people := map[string][]party.Attendance{}
		for i := range rows {
			r := &rows[i]
			o, err := resolve.find(r.Org, func(*party.Org) bool { return true })
			if err != nil {
				bad(r.Row, "组织", party.ErrorMessage(err)+"（须为“"+rootOrg.Name+"”范围内组织的名称或编码）")
				continue
			}
			t := typeByName[strings.TrimSpace(r.Type)]
			if t == nil {
				bad(r.Row, "类型", fmt.Sprintf("活动类型“%s”不存在，应为%s之一", r.Type, typeNames(types)))
				continue
			}
			if r.On.After(tx.today()) {
				bad(r.Row, "日期", "已召开的活动日期不能晚于今天")
				continue
			}
			if !o.ActiveOn(r.On) {
				bad(r.Row, "日期", fmt.Sprintf("“%s”在%s不存在（尚未成立或已撤销）", o.Name, r.On.Chinese()))
				continue
			}
			key := fmt.Sprintf("%d|%s|%s|%s", o.ID, t.Code, r.On, strings.TrimSpace(r.Title))
			if prev, dup := seen[key]; dup {
				bad(r.Row, "", fmt.Sprintf("与第%d行重复（同一组织、类型、日期和主题）", prev))
				continue
			}
			seen[key] = r.Row
			// An event already recorded is left as it is, before its names are checked: the
			// roster may have changed since (a member moved on), and re-importing the same
			// ledger must change nothing.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE org_id = $1 AND type_code = $2
				AND on_date = $3 AND title = $4 AND status = $5`, o.ID, string(t.Code), r.On, strings.TrimSpace(r.Title),
				string(party.EventHeld)).Scan(&n); err != nil {
				return fmt.Errorf("store: import events: %w", err)
			}
			if n > 0 {
				res.Unchanged++
				continue
			}
			if err := t.HeldBy(o); err != nil {
				bad(r.Row, "类型", party.ErrorMessage(err))
				continue
			}
			pk := fmt.Sprintf("%d|%s", o.ID, r.On)
			allowed, ok := people[pk]
			if !ok {
				if allowed, err = expectedAttendees(ctx, tx, o, party.AudienceMembers, r.On); err != nil {
					return err
				}
				people[pk] = allowed
			}
			att, ok := resolveAttendance(r, o, allowed, bad)
			if !ok {
				continue
			}
			start := time.Date(r.On.Year, r.On.Month, r.On.Day, 0, 0, 0, 0, party.Zone).Add(r.Start)
			e := &party.Event{OrgID: o.ID, Type: t.Code, Title: r.Title, Status: party.EventHeld, StartAt: start,
				EndAt: start.Add(eventDuration), Host: r.Host, Recorder: r.Recorder, Attendance: att}
			if err := e.Validate(tx.now); err != nil {
				bad(r.Row, eventFieldColumn[party.ErrorField(err)], party.ErrorMessage(err))
				continue
			}
			if len(r.Topics) > 0 && !t.Study {
				bad(r.Row, "第一议题", fmt.Sprintf("“%s”不登记第一议题", t.Name))
				continue
			}
			for _, title := range r.Topics {
				id, ok := topics[title]
				if !ok && options.knownTopicsOnly {
					bad(r.Row, "第一议题", fmt.Sprintf("第一议题台账中没有“%s”；请先由负责全系统的党建管理员登记该议题，或删去此项", title))
					break
				}
				if !ok {
					ft := &party.FirstTopic{Title: title, Source: "组织生活台账导入，发表日期待补"}
					if err := tx.createFirstTopic(ctx, ft); err != nil {
						if party.ErrorCode(err) == party.EINTERNAL {
							return err
						}
						bad(r.Row, "第一议题", party.ErrorMessage(err))
						break
					}
					id, topics[title] = ft.ID, ft.ID
				}
				e.TopicIDs = append(e.TopicIDs, id)
			}
			if len(e.TopicIDs) != len(r.Topics) {
				continue
			}
			if err := tx.insertEvent(ctx, e, t, o); err != nil {
				if party.ErrorCode(err) == party.EINTERNAL {
					return err
				}
				bad(r.Row, eventFieldColumn[party.ErrorField(err)], party.ErrorMessage(err))
				continue
			}
			res.Created++
		}
		if len(res.Errors) > 0 {
			return errBadRows
		}
		if err := tx.audit(ctx, ActImport, ObjEvent, 0, root, fields{"rows": fmt.Sprint(len(rows)),
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

// resolveAttendance turns the names of row r into attendance rows among allowed, the members
// of organization o on the day; it reports every unknown or ambiguous name.
func resolveAttendance(r *party.EventRow, o *party.Org, allowed []party.Attendance, bad func(int, string, string)) ([]party.Attendance, bool) {
	byName := map[string][]int64{}
	for _, a := range allowed {
		byName[a.MemberName] = append(byName[a.MemberName], a.MemberID)
	}
	ok := true
	var out []party.Attendance
	listed := map[string]string{}
	add := func(col, name, reason string, status party.AttendanceStatus) {
		if prev, dup := listed[name]; dup {
			bad(r.Row, col, fmt.Sprintf("“%s”已列在%s中", name, prev))
			ok = false
			return
		}
		listed[name] = col
		ids := byName[name]
		switch len(ids) {
		case 0:
			bad(r.Row, col, fmt.Sprintf("“%s”不是“%s”在%s的党员", name, o.Name, r.On.Chinese()))
			ok = false
		case 1:
			out = append(out, party.Attendance{MemberID: ids[0], MemberName: name, Status: status, Reason: reason})
		default:
			bad(r.Row, col, fmt.Sprintf("“%s”有%d名同名党员，无法区分，请在系统中逐人登记", name, len(ids)))
			ok = false
		}
	}
	for _, n := range r.Present {
		add("出席人员", n, "", party.Present)
	}
	for _, n := range r.Leave {
		add("请假人员", n.Name, n.Reason, party.Leave)
	}
	for _, n := range r.Absent {
		add("缺席人员", n, "", party.Absent)
	}
	if !ok {
		return nil, false
	}
	total := len(r.Present) + len(r.Leave) + len(r.Absent)
	if total == 0 {
		bad(r.Row, "出席人员", "请填写出席人员")
		return nil, false
	}
	if r.Expected != 0 && r.Expected != total {
		bad(r.Row, "应到人数", fmt.Sprintf("应到人数%d与出席、请假、缺席人员合计%d人不一致", r.Expected, total))
		return nil, false
	}
	return out, true
}

func typeNames(types []*party.EventType) string {
	var names []string
	for _, t := range types {
		if t.Active {
			names = append(names, t.Name)
		}
	}
	return strings.Join(names, "、")
}

// topicIDsByTitle returns the ids of the 第一议题 items by title.
func (tx *Tx) topicIDsByTitle(ctx context.Context) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, title FROM first_topics`)
	if err != nil {
		return nil, fmt.Errorf("store: list first topics: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id int64
		var title string
		if err := rows.Scan(&id, &title); err != nil {
			return nil, fmt.Errorf("store: scan first topic: %w", err)
		}
		out[title] = id
	}
	return out, rows.Err()
}
