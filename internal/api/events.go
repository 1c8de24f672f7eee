package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// Event and attendance statuses travel as English codes, the domain's Chinese names beside
// them in answers.
var (
	eventStatusCodes = map[party.EventStatus]string{party.EventPlanned: "planned", party.EventHeld: "held",
		party.EventCancelled: "cancelled"}
	attendanceCodes = map[party.AttendanceStatus]string{party.Present: "present", party.Leave: "leave",
		party.Absent: "absent"}
)

// eventStatusOf returns the status written code, or false.
func eventStatusOf(code string) (party.EventStatus, bool) {
	for s, c := range eventStatusCodes {
		if c == code {
			return s, true
		}
	}
	return "", false
}

// eventJSON is an event as lists show it: no minutes, attendance rows, guests or topics.
// Times are in China Standard Time (+08:00).
type eventJSON struct {
	ID           int64      `json:"id"`
	OrgID        int64      `json:"org_id"`
	OrgCode      string     `json:"org_code"`
	OrgName      string     `json:"org_name"`
	Type         string     `json:"type"`
	TypeName     string     `json:"type_name"`
	Title        string     `json:"title"`
	Status       string     `json:"status"`
	StatusName   string     `json:"status_name"`
	Date         party.Date `json:"date"`
	StartAt      time.Time  `json:"start_at"`
	EndAt        time.Time  `json:"end_at"`
	Place        string     `json:"place"`
	Host         string     `json:"host"`
	Recorder     string     `json:"recorder"`
	CancelReason string     `json:"cancel_reason"`
	PlanID       int64      `json:"plan_id"`
	Expected     int        `json:"expected"`
	Present      int        `json:"present"`
	Leave        int        `json:"leave"`
	Absent       int        `json:"absent"`
	Counts       bool       `json:"counts"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

func toEvent(e *party.Event) eventJSON {
	return eventJSON{ID: e.ID, OrgID: e.OrgID, OrgCode: e.OrgCode, OrgName: e.OrgName, Type: string(e.Type),
		TypeName: e.TypeName, Title: e.Title, Status: eventStatusCodes[e.Status], StatusName: string(e.Status),
		Date: e.Date(), StartAt: e.StartAt.In(party.Zone), EndAt: e.EndAt.In(party.Zone), Place: e.Place, Host: e.Host,
		Recorder: e.Recorder, CancelReason: e.CancelReason, PlanID: e.PlanID, Expected: e.Expected, Present: e.Present,
		Leave: e.Leave, Absent: e.Absent, Counts: e.Counts, CreatedAt: e.CreatedAt.In(party.Zone),
		UpdatedAt: e.UpdatedAt.In(party.Zone)}
}

// eventDetailJSON is one event with its minutes, attendance, guests and 第一议题 items.
type eventDetailJSON struct {
	eventJSON
	Content    string           `json:"content"`
	Decisions  string           `json:"decisions"`
	Materials  string           `json:"materials"`
	Attendance []attendanceJSON `json:"attendance"`
	Guests     []guestJSON      `json:"guests"`
	Topics     []topicJSON      `json:"topics"`
}

// attendanceJSON is one expected attendee and how they stood.
type attendanceJSON struct {
	MemberID   int64  `json:"member_id"`
	MemberName string `json:"member_name"`
	Status     string `json:"status"`
	StatusName string `json:"status_name"`
	Reason     string `json:"reason"`
}

// guestJSON is a person who sat in (列席).
type guestJSON struct {
	Name     string `json:"name"`
	UnitPost string `json:"unit_post"`
}

// toEventDetail writes e; when onlyMember is not 0, the attendance shows that member's own row
// only (a 党员 sees its own record, never the others' reasons for leave).
func toEventDetail(e *party.Event, onlyMember int64) eventDetailJSON {
	out := eventDetailJSON{eventJSON: toEvent(e), Content: e.Content, Decisions: e.Decisions, Materials: e.Materials,
		Attendance: []attendanceJSON{}, Guests: make([]guestJSON, 0, len(e.Guests)), Topics: make([]topicJSON, 0, len(e.Topics))}
	for _, x := range e.Attendance {
		if onlyMember != 0 && x.MemberID != onlyMember {
			continue
		}
		out.Attendance = append(out.Attendance, attendanceJSON{MemberID: x.MemberID, MemberName: x.MemberName,
			Status: attendanceCodes[x.Status], StatusName: string(x.Status), Reason: x.Reason})
	}
	for _, g := range e.Guests {
		out.Guests = append(out.Guests, guestJSON{Name: g.Name, UnitPost: g.UnitPost})
	}
	for i := range e.Topics {
		out.Topics = append(out.Topics, toTopic(&e.Topics[i]))
	}
	return out
}

// eventPageJSON is one page of an event list.
type eventPageJSON struct {
	Items   []eventJSON `json:"items"`
	Total   int         `json:"total"`
	Page    int         `json:"page"`
	PerPage int         `json:"per_page"`
}

// queryDate reads an optional date parameter written 2006-01-02; absent gives the zero date.
func queryDate(r *http.Request, name string) (party.Date, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return party.Date{}, nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return party.Date{}, invalid(name, fmt.Sprintf("参数 %s 应为 2006-01-02 格式的有效日期", name))
	}
	d, err := party.ParseDate(s)
	if err != nil {
		return party.Date{}, invalid(name, fmt.Sprintf("参数 %s 应为有效日期", name))
	}
	return d, nil
}

// listEvents answers GET /api/v1/events: one page of the events of an organization's subtree
// (default: the account's), or for a 党员 the events it is expected at, in time order.
func (a *API) listEvents(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	q := r.URL.Query()
	var f store.EventFilter
	var err error
	if f.Root, err = queryID(r, "org"); err != nil {
		return err
	}
	if f.From, err = queryDate(r, "from"); err != nil {
		return err
	}
	to, err := queryDate(r, "to")
	if err != nil {
		return err
	}
	if !to.IsZero() {
		if !f.From.IsZero() && to.Before(f.From) {
			return invalid("to", "参数 to 不能早于 from")
		}
		f.To = to.AddDays(1) // to is the last day shown
	}
	if code := q.Get("type"); code != "" {
		if _, err := a.db.EventType(ctx, party.EventTypeCode(code)); err != nil {
			return invalid("type", "参数 type 不是已有的活动类型编码（见 GET /api/v1/event-types）")
		}
		f.Types = []party.EventTypeCode{party.EventTypeCode(code)}
	}
	if s := q.Get("status"); s != "" {
		st, ok := eventStatusOf(s)
		if !ok {
			return invalid("status", "参数 status 应为 planned、held 或 cancelled")
		}
		f.Status = st
	}
	page, err := queryInt(r, "page", 1, 1, 1_000_000)
	if err != nil {
		return err
	}
	perPage, err := queryInt(r, "per_page", 20, 1, maxPerPage)
	if err != nil {
		return err
	}
	empty := eventPageJSON{Items: []eventJSON{}, Page: page, PerPage: perPage}
	if f.Root != 0 {
		if err := a.auth.AllowOrg(ctx, p, party.ActEventRead, f.Root); err != nil {
			return err
		}
	} else {
		everywhere, ids := p.Scopes(party.ActEventRead)
		switch {
		case everywhere:
		case len(ids) == 1:
			f.Root = ids[0]
		case len(ids) > 1:
			return invalid("org", "您的权限涵盖多个组织，请用参数 org 指定其中一个")
		case p.OwnMember() != 0:
			f.MemberID = p.OwnMember()
		default:
			writeJSON(w, http.StatusOK, empty)
			return nil
		}
	}
	f.Offset, f.Limit = (page-1)*perPage, perPage
	list, total, err := a.db.ListEvents(ctx, f)
	if err != nil {
		return err
	}
	out := empty
	out.Total = total
	for _, e := range list {
		out.Items = append(out.Items, toEvent(e))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// attendanceRequest is how one member stood at an event.
type attendanceRequest struct {
	MemberID int64  `json:"member_id"`
	Status   string `json:"status"`
	Reason   string `json:"reason"`
}

// attendance converts list, naming field in its errors.
func attendance(field string, list []attendanceRequest) ([]party.Attendance, error) {
	out := make([]party.Attendance, 0, len(list))
	for _, x := range list {
		if x.MemberID <= 0 {
			return nil, invalid(field, fmt.Sprintf("字段 %s.member_id 应为正整数", field))
		}
		var st party.AttendanceStatus
		for s, c := range attendanceCodes {
			if c == x.Status {
				st = s
			}
		}
		if st == "" {
			return nil, invalid(field, fmt.Sprintf("字段 %s.status 应为 present、leave 或 absent", field))
		}
		out = append(out, party.Attendance{MemberID: x.MemberID, Status: st, Reason: x.Reason})
	}
	return out, nil
}

// guestRequest is a person who sat in.
type guestRequest struct {
	Name     string `json:"name"`
	UnitPost string `json:"unit_post"`
}

// eventPatchRequest holds the descriptive fields of an event; absent fields stay.
type eventPatchRequest struct {
	Title     *string         `json:"title"`
	StartAt   *string         `json:"start_at"`
	EndAt     *string         `json:"end_at"`
	Place     *string         `json:"place"`
	Host      *string         `json:"host"`
	Recorder  *string         `json:"recorder"`
	Content   *string         `json:"content"`
	Decisions *string         `json:"decisions"`
	Materials *string         `json:"materials"`
	Guests    *[]guestRequest `json:"guests"`
	TopicIDs  *[]int64        `json:"topic_ids"`
}

// parseTime reads a request time written in RFC 3339 (2026-03-15T14:30:00+08:00).
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, invalid(field, fmt.Sprintf("字段 %s 应为 RFC 3339 格式的时间，如 2026-03-15T14:30:00+08:00", field))
	}
	return t, nil
}

// apply sets the fields req carries on e.
func (req *eventPatchRequest) apply(e *party.Event) error {
	var err error
	if req.StartAt != nil {
		if e.StartAt, err = parseTime("start_at", *req.StartAt); err != nil {
			return err
		}
	}
	if req.EndAt != nil {
		if e.EndAt, err = parseTime("end_at", *req.EndAt); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		from *string
		to   *string
	}{{req.Title, &e.Title}, {req.Place, &e.Place}, {req.Host, &e.Host}, {req.Recorder, &e.Recorder},
		{req.Content, &e.Content}, {req.Decisions, &e.Decisions}, {req.Materials, &e.Materials}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if req.Guests != nil {
		e.Guests = make([]party.Guest, 0, len(*req.Guests))
		for _, g := range *req.Guests {
			e.Guests = append(e.Guests, party.Guest{Name: g.Name, UnitPost: g.UnitPost})
		}
	}
	if req.TopicIDs != nil {
		e.TopicIDs = *req.TopicIDs
	}
	return nil
}

// eventFieldNames maps the store's field names to the requests' where they differ.
var eventFieldNames = map[string]string{"topics": "topic_ids", "cancel_reason": "reason", "on": "start_at"}

// eventCreateRequest is the body of POST /api/v1/events: an event planned or recorded.
type eventCreateRequest struct {
	eventPatchRequest
	OrgID      int64               `json:"org_id"`
	Type       string              `json:"type"`
	Status     string              `json:"status"`
	Attendance []attendanceRequest `json:"attendance"`
}

// createEvent answers POST /api/v1/events: status planned records a plan (计划), held an event
// that took place, with every expected attendee present but the exceptions listed.
func (a *API) createEvent(w http.ResponseWriter, r *http.Request) error {
	var req eventCreateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	e := &party.Event{OrgID: req.OrgID, Type: party.EventTypeCode(req.Type)}
	if err := req.apply(e); err != nil {
		return err
	}
	exceptions, err := attendance("attendance", req.Attendance)
	if err != nil {
		return err
	}
	if e.OrgID < 0 {
		return invalid("org_id", "组织不存在")
	}
	if e.OrgID != 0 {
		if err := a.allowBodyOrg(r, party.ActEventWrite, e.OrgID, "org_id", "组织不存在"); err != nil {
			return err
		}
	}
	switch req.Status {
	case "planned":
		if len(exceptions) > 0 {
			return invalid("attendance", "计划中的活动不登记出勤，召开后再登记")
		}
		err = a.db.PlanEvent(r.Context(), e)
	case "held":
		err = a.db.RecordEvent(r.Context(), e, exceptions)
	default:
		return invalid("status", "字段 status 应为 planned（计划）或 held（已召开）")
	}
	if err != nil {
		return renameField(err, eventFieldNames)
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/events/%d", e.ID))
	return a.writeEvent(w, r, http.StatusCreated, e.ID)
}

// writeEvent answers event id as it is now stored, as principal(r) may see it.
func (a *API) writeEvent(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	e, err := a.db.FindEvent(r.Context(), id)
	if err != nil {
		return err
	}
	only, err := a.attendeeOnly(r.Context(), principal(r), e)
	if err != nil {
		return err
	}
	writeJSON(w, status, toEventDetail(e, only))
	return nil
}

// attendeeOnly returns p's own member when p sees e only as one of its attendees (a 党员),
// not through a grant on its organization; otherwise 0.
func (a *API) attendeeOnly(ctx context.Context, p *party.Principal, e *party.Event) (int64, error) {
	t, err := a.auth.OrgTarget(ctx, e.OrgID)
	if err != nil {
		return 0, err
	}
	if p.Can(party.ActEventRead, t) {
		return 0, nil
	}
	return p.OwnMember(), nil
}

// getEvent answers GET /api/v1/events/{id} with attendance, guests and 第一议题 items.
func (a *API) getEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return a.writeEvent(w, r, http.StatusOK, id)
}

// updateEvent answers PATCH /api/v1/events/{id}: the descriptive fields change; status and
// attendance change through their own routes.
func (a *API) updateEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req eventPatchRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	e, err := a.db.FindEvent(r.Context(), id)
	if err != nil {
		return err
	}
	if err := req.apply(e); err != nil {
		return err
	}
	if err := a.db.UpdateEvent(r.Context(), e); err != nil {
		return renameField(err, eventFieldNames)
	}
	return a.writeEvent(w, r, http.StatusOK, id)
}

// eventCompleteRequest is the body of POST /api/v1/events/{id}/complete.
type eventCompleteRequest struct {
	eventPatchRequest
	Attendance []attendanceRequest `json:"attendance"`
}

// completeEvent answers POST /api/v1/events/{id}/complete: a planned event took place, with the
// fields given (the plan's where absent) and attendance as on POST /api/v1/events.
func (a *API) completeEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req eventCompleteRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	exceptions, err := attendance("attendance", req.Attendance)
	if err != nil {
		return err
	}
	e, err := a.db.FindEvent(r.Context(), id)
	if err != nil {
		return err
	}
	if err := req.apply(e); err != nil {
		return err
	}
	if err := a.db.CompleteEvent(r.Context(), e, exceptions); err != nil {
		return renameField(err, eventFieldNames)
	}
	return a.writeEvent(w, r, http.StatusOK, id)
}

// cancelRequest is the body of POST /api/v1/events/{id}/cancel.
type cancelRequest struct {
	Reason string `json:"reason"`
}

// cancelEvent answers POST /api/v1/events/{id}/cancel: a planned event will not take place.
func (a *API) cancelEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req cancelRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return invalid("reason", "请填写取消原因")
	}
	if _, err := a.db.CancelEvent(r.Context(), id, req.Reason); err != nil {
		return renameField(err, eventFieldNames)
	}
	return a.writeEvent(w, r, http.StatusOK, id)
}

// attendancePutRequest is the body of PUT /api/v1/events/{id}/attendance.
type attendancePutRequest struct {
	Attendance []attendanceRequest `json:"attendance"`
}

// setAttendance answers PUT /api/v1/events/{id}/attendance: the members named change how they
// stood at a held event; the others keep theirs.
func (a *API) setAttendance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req attendancePutRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	changes, err := attendance("attendance", req.Attendance)
	if err != nil {
		return err
	}
	if len(changes) == 0 {
		return invalid("attendance", "请在 attendance 中列出要登记的出勤情况")
	}
	if _, err := a.db.SetAttendance(r.Context(), id, changes); err != nil {
		return err
	}
	return a.writeEvent(w, r, http.StatusOK, id)
}

// eventTypeJSON is an entry of the event type catalogue.
type eventTypeJSON struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Audience string `json:"audience"`
	Quorum   bool   `json:"quorum"`
	Study    bool   `json:"study"`
	Sort     int    `json:"sort"`
	Active   bool   `json:"active"`
	// OrgKinds are the organization kinds that hold events of the type; empty, every kind.
	OrgKinds []string `json:"org_kinds"`
}

// listEventTypes answers GET /api/v1/event-types: the catalogue in display order.
func (a *API) listEventTypes(w http.ResponseWriter, r *http.Request) error {
	list, err := a.db.EventTypes(r.Context())
	if err != nil {
		return err
	}
	out := make([]eventTypeJSON, 0, len(list))
	for _, t := range list {
		kinds := make([]string, 0, len(t.OrgKinds))
		for _, k := range t.OrgKinds {
			kinds = append(kinds, string(k))
		}
		out = append(out, eventTypeJSON{Code: string(t.Code), Name: t.Name, Category: string(t.Category),
			Audience: string(t.Audience), Quorum: t.Quorum, Study: t.Study, Sort: t.Sort, Active: t.Active,
			OrgKinds: kinds})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}
