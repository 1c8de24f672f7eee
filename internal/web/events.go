package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// calendarLimit bounds the events one calendar page shows; a month of a whole city has fewer.
const calendarLimit = 2000

func eventURL(id int64) string    { return "/events/" + strconv.FormatInt(id, 10) }
func calendarURL(id int64) string { return orgURL(id) + "/calendar" }

// eventFlash turns the done= key of a redirect after an event action into its confirmation.
func eventFlash(key string) string {
	switch key {
	case "recorded":
		return "活动已登记。"
	case "planned":
		return "活动计划已登记。"
	case "completed":
		return "活动已登记为已召开。"
	case "cancelled":
		return "活动已取消。"
	case "attendance":
		return "出勤情况已更新。"
	case "file-added":
		return "附件已上传。"
	case "file-removed":
		return "附件已删除。"
	case "plan-created":
		return "周期计划已创建，近期的活动计划已生成。"
	case "plan-stopped":
		return "周期计划已停止，此后的活动计划已取消。"
	}
	return flashMessage(key)
}

// calEvent is an event as calendars and lists show it.
type calEvent struct {
	*party.Event
	URL string
	// Time is the local start and end, 14:30–16:00.
	Time string
	// StatusClass styles the status label, which always says the status in words too.
	StatusClass string
	// Mine is how the member whose list this is stood at a held event (出席, 请假, 缺席).
	Mine party.AttendanceStatus
}

func newCalEvent(e *party.Event) calEvent {
	return calEvent{Event: e, URL: eventURL(e.ID), Time: clockSpan(e.StartAt, e.EndAt), StatusClass: statusClass(e.Status)}
}

// clockSpan writes start and end in the display zone: 14:30–16:00, with the end's day when it
// differs.
func clockSpan(start, end time.Time) string {
	s, e := start.In(party.Zone), end.In(party.Zone)
	if party.DateOf(s) != party.DateOf(e) {
		return s.Format("15:04") + "–" + e.Format("1月2日 15:04")
	}
	return s.Format("15:04") + "–" + e.Format("15:04")
}

// whenText is the event's day and hours: 2026年6月10日（星期三）14:30–16:00.
func whenText(e *party.Event) string {
	d := e.Date()
	return d.Chinese() + "（" + weekdayNames[d.Time().Weekday()] + "）" + clockSpan(e.StartAt, e.EndAt)
}

var weekdayNames = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

func statusClass(s party.EventStatus) string {
	switch s {
	case party.EventHeld:
		return "ev-held"
	case party.EventCancelled:
		return "ev-cancelled"
	}
	return "ev-planned"
}

// eventsRoots returns the top organizations of the subtrees whose events the user may read.
func (s *Server) eventsRoots(ctx context.Context) ([]*party.Org, error) {
	everywhere, ids := party.PrincipalFrom(ctx).Scopes(party.ActEventRead)
	if everywhere {
		return s.db.RootOrgs(ctx, false)
	}
	var out []*party.Org
	for _, id := range ids {
		o, err := s.db.FindOrg(ctx, id)
		if err != nil {
			return nil, err
		}
		if !o.Dissolved() {
			out = append(out, o)
		}
	}
	return out, nil
}

// myEventsPage lists a user's calendars and, for a 党员, its own meetings.
type myEventsPage struct {
	page
	Roots []crumb
	// Own is true for a user linked to a member record.
	Own      bool
	Upcoming []calEvent
	Past     []calEvent
	// Planned are the planned meetings the member is expected at.
	Planned []calEvent
}

// eventsHome sends the user to the calendar of its subtree, or lists its subtrees and, for a
// 党员, the meetings it is expected at.
func (s *Server) eventsHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := party.PrincipalFrom(ctx)
	roots, err := s.eventsRoots(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	own := p.OwnMember()
	if own == 0 && len(roots) == 1 {
		redirect(w, r, calendarURL(roots[0].ID))
		return
	}
	pg, err := s.orgPageBase(ctx, nil, "组织生活", crumb{Label: "组织生活"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := myEventsPage{page: pg, Own: own != 0}
	for _, o := range roots {
		data.Roots = append(data.Roots, crumb{Label: o.Name, URL: calendarURL(o.ID)})
	}
	if own != 0 {
		if err := s.fillOwnEvents(ctx, own, &data); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "event_list", "layout", data)
}

// How far ahead, and how many of, the planned meetings a member's page lists.
const (
	plannedAheadDays  = 120
	plannedAheadLimit = 50
)

// fillOwnEvents loads the events member id is expected at, upcoming first and past latest
// first, and the planned meetings that will expect it.
func (s *Server) fillOwnEvents(ctx context.Context, id int64, data *myEventsPage) error {
	today := s.today()
	list, _, err := s.db.ListEvents(ctx, store.EventFilter{MemberID: id, Limit: calendarLimit})
	if err != nil {
		return err
	}
	for _, e := range list {
		// A meeting held today is among those taken part in, not those ahead.
		if e.Date().Before(today) || e.Status == party.EventHeld {
			data.Past = append(data.Past, newCalEvent(e))
		} else {
			data.Upcoming = append(data.Upcoming, newCalEvent(e))
		}
	}
	slices.Reverse(data.Past)
	mine, err := s.db.MemberStatuses(ctx, id)
	if err != nil {
		return err
	}
	for i := range data.Past {
		data.Past[i].Mine = mine[data.Past[i].ID]
	}
	// The planned meetings that will expect the member, as the permission check decides, so
	// each opens; the held ones are listed above from their attendance.
	ahead, err := s.db.MemberEvents(ctx, id, today, today.AddDays(plannedAheadDays), plannedAheadLimit)
	if err != nil {
		return err
	}
	for _, e := range ahead {
		if e.Status == party.EventPlanned {
			data.Planned = append(data.Planned, newCalEvent(e))
		}
	}
	slices.SortFunc(data.Planned, func(a, b calEvent) int { return a.StartAt.Compare(b.StartAt) })
	return nil
}

// calendarDay is one cell of the month grid.
type calendarDay struct {
	Date    party.Date
	InMonth bool
	Today   bool
	Events  []calEvent
}

// calendarPage is the month grid or list of the events of a subtree, with its recurring plans.
type calendarPage struct {
	page
	Org        *party.Org
	List       bool
	MonthLabel string
	MonthValue string
	MonthError string
	Weekdays   []string
	Weeks      [][]calendarDay
	Events     []calEvent
	Total      int
	// Shown is how many of Total the page lists (calendarLimit at most).
	Shown                     int
	Planned, Held, Cancelled  int
	PrevURL, NextURL, ThisURL string
	MonthURL, ListURL         string
	Plans                     []planRow
	CanWrite                  bool
	NewHeldURL, NewPlannedURL string
	NewPlanURL, ImportURL     string
	StopDefault               string
	ShowOrg                   bool
}

// planRow is a recurring plan on the calendar page.
type planRow struct {
	*party.Plan
	TypeName string
	Rule     string
	Span     string
	StopURL  string
}

// parseMonth reads 2026-06 as the first day of that month.
func parseMonth(s string) (party.Date, bool) {
	y, m, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok || len(y) != 4 || len(m) < 1 || len(m) > 2 {
		return party.Date{}, false
	}
	yy, err1 := strconv.Atoi(y)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || yy < 1921 || yy > 2200 || mm < 1 || mm > 12 {
		return party.Date{}, false
	}
	return party.Date{Year: yy, Month: time.Month(mm), Day: 1}, true
}

func monthValue(d party.Date) string { return d.String()[:7] }

// addMonths moves the first day of a month by n months.
func addMonths(d party.Date, n int) party.Date {
	return party.DateOf(time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC))
}

// calendar shows the events of an organization's subtree in one month, as a grid or a list:
// one query for the events, one for the plans.
func (s *Server) calendar(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	today := s.today()
	month := party.Date{Year: today.Year, Month: today.Month, Day: 1}
	data := calendarPage{Org: o, List: q.Get("view") == "list", ShowOrg: o.Kind != party.KindBranch && o.Kind != party.KindGroup}
	if v := q.Get("month"); v != "" {
		if m, ok := parseMonth(v); ok {
			month = m
		} else {
			data.MonthError = "月份“" + v + "”无效，应写作 2026-06；已显示本月。"
		}
	}
	next := addMonths(month, 1)
	list, total, err := s.db.ListEvents(ctx, store.EventFilter{Root: o.ID, From: month, To: next, Limit: calendarLimit})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Total, data.Shown = total, len(list)
	data.MonthLabel = strconv.Itoa(month.Year) + "年" + strconv.Itoa(int(month.Month)) + "月"
	data.MonthValue = monthValue(month)
	view := "month"
	if data.List {
		view = "list"
	}
	link := func(m party.Date, v string) string {
		return calendarURL(o.ID) + "?" + url.Values{"view": {v}, "month": {monthValue(m)}}.Encode()
	}
	data.PrevURL, data.NextURL, data.ThisURL = link(addMonths(month, -1), view), link(next, view), link(party.Date{Year: today.Year, Month: today.Month, Day: 1}, view)
	data.MonthURL, data.ListURL = link(month, "month"), link(month, "list")
	byDay := map[party.Date][]calEvent{}
	for _, e := range list {
		ce := newCalEvent(e)
		data.Events = append(data.Events, ce)
		byDay[e.Date()] = append(byDay[e.Date()], ce)
		switch e.Status {
		case party.EventPlanned:
			data.Planned++
		case party.EventHeld:
			data.Held++
		case party.EventCancelled:
			data.Cancelled++
		}
	}
	if !data.List {
		data.Weekdays = []string{"一", "二", "三", "四", "五", "六", "日"}
		// The grid runs from the Monday on or before the first of the month to the Sunday on
		// or after its last day; the days of the months around show their events too, which
		// the month's counts leave out.
		start := month.AddDays(-((int(month.Time().Weekday()) + 6) % 7))
		end := next.AddDays((7 - (int(next.Time().Weekday())+6)%7) % 7)
		for _, span := range [][2]party.Date{{start, month}, {next, end}} {
			if !span[0].Before(span[1]) {
				continue
			}
			around, _, err := s.db.ListEvents(ctx, store.EventFilter{Root: o.ID, From: span[0], To: span[1], Limit: calendarLimit})
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			for _, e := range around {
				byDay[e.Date()] = append(byDay[e.Date()], newCalEvent(e))
			}
		}
		for d := start; d.Before(next); {
			week := make([]calendarDay, 7)
			for i := range week {
				week[i] = calendarDay{Date: d, InMonth: d.Month == month.Month, Today: d == today, Events: byDay[d]}
				d = d.AddDays(1)
			}
			data.Weeks = append(data.Weeks, week)
		}
	}
	here := party.Target{OrgPath: o.Path}
	data.CanWrite = can(ctx, party.ActEventWrite, here) && !o.Dissolved()
	if data.CanWrite {
		base := orgURL(o.ID) + "/events/new?status="
		data.NewHeldURL, data.NewPlannedURL = base+"held", base+"planned"
		data.NewPlanURL = orgURL(o.ID) + "/plans/new"
		data.ImportURL = orgURL(o.ID) + "/events/import"
	}
	if err := s.fillPlans(ctx, o, &data); err != nil {
		s.serverError(w, r, err)
		return
	}
	data.page, err = s.orgPageBase(ctx, o, o.Name+" · 组织生活", crumb{Label: "组织生活"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Flash = eventFlash(q.Get("done"))
	s.render(w, r, http.StatusOK, "calendar", "layout", data)
}

// fillPlans lists the recurring plans of the subtree with the means to stop the active ones.
func (s *Server) fillPlans(ctx context.Context, o *party.Org, data *calendarPage) error {
	plans, err := s.db.Plans(ctx, o.ID)
	if err != nil {
		return err
	}
	if len(plans) == 0 {
		return nil
	}
	names, err := s.typeNames(ctx)
	if err != nil {
		return err
	}
	data.StopDefault = s.today().String()
	for _, p := range plans {
		row := planRow{Plan: p, TypeName: names[p.Type], Rule: planRule(p),
			Span: p.FromOn.Chinese() + " 起" + map[bool]string{true: "", false: "，至 " + p.UntilOn.Chinese()}[p.UntilOn.IsZero()]}
		if p.Active && data.CanWrite {
			row.StopURL = orgURL(o.ID) + "/plans/" + strconv.FormatInt(p.ID, 10) + "/stop"
		}
		data.Plans = append(data.Plans, row)
	}
	return nil
}

// planRule describes when a plan repeats: 每月15日 14:30，90分钟.
func planRule(p *party.Plan) string {
	when := "每月" + strconv.Itoa(p.Day) + "日"
	if p.Frequency == party.PlanWeekly {
		when = "每" + weekdayNames[p.Day%7]
	}
	return when + " " + p.StartTime + "，" + strconv.Itoa(p.Minutes) + "分钟"
}

// typeNames returns the names of the event types by code.
func (s *Server) typeNames(ctx context.Context) (map[party.EventTypeCode]string, error) {
	types, err := s.db.EventTypes(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[party.EventTypeCode]string, len(types))
	for _, t := range types {
		out[t.Code] = t.Name
	}
	return out, nil
}

// loadEvent finds the event named by the {id} path value, answering 404 itself.
func (s *Server) loadEvent(w http.ResponseWriter, r *http.Request) (*party.Event, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	e, err := s.db.FindEvent(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return e, true
}

// eventPage is everything about one event.
type eventPage struct {
	page
	E    *party.Event
	Type *party.EventType
	When string
	// NotCounted says why a held event does not count for compliance.
	NotCounted string
	Files      []fileRow
	CanWrite   bool
	CanEdit    bool
	// CanComplete and CanCancel are for a planned event.
	CanComplete bool
	CanCancel   bool
	CheckinURL  string
	// Checkins are the sign-ins by QR code at a planned event, in the order they came; for a
	// member's own view (OwnView) only its own.
	Checkins []party.Checkin
	OwnView  bool
	// Attendance is the editable attendance of a held event, for those who may write it.
	Attendance *attendanceBlock
	// FilesEnabled is false when the server keeps no attachments.
	FilesEnabled bool
	MaxFileMB    int64
	Accept       string
	// Errors of the forms on the page.
	AttendanceError string
	CancelError     string
	CancelReason    string
	FileError       string
}

// fileRow is an attachment on the event page.
type fileRow struct {
	*store.EventFile
	URL       string
	DeleteURL string
	SizeText  string
}

// sizeText writes a file size for people: 823 KB, 4.2 MB.
func sizeText(n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatInt((n+512)>>10, 10) + " KB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
}

// eventShow shows one event: facts, attendance, guests, minutes, decisions, 第一议题 items,
// attachments, and the actions the user may take.
func (s *Server) eventShow(w http.ResponseWriter, r *http.Request) {
	e, ok := s.loadEvent(w, r)
	if !ok {
		return
	}
	data, err := s.eventPageFor(r.Context(), e)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Flash = eventFlash(r.URL.Query().Get("done"))
	s.render(w, r, http.StatusOK, "event", "layout", data)
}

// showEventWithError shows the event page again with a form's error, with status.
func (s *Server) showEventWithError(w http.ResponseWriter, r *http.Request, e *party.Event, status int, set func(*eventPage)) {
	data, err := s.eventPageFor(r.Context(), e)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	set(data)
	s.render(w, r, status, "event", "layout", data)
}

// eventPageFor loads what the page of event e shows for the request's principal.
func (s *Server) eventPageFor(ctx context.Context, e *party.Event) (*eventPage, error) {
	p := party.PrincipalFrom(ctx)
	t, err := s.db.EventType(ctx, e.Type)
	if err != nil {
		return nil, err
	}
	o, err := s.db.FindOrg(ctx, e.OrgID)
	if err != nil {
		return nil, err
	}
	target, err := s.auth.EventTarget(ctx, p, e)
	if err != nil {
		return nil, err
	}
	data := &eventPage{E: e, Type: t, When: whenText(e), NotCounted: e.NotCountedReason(t),
		CanWrite: p.Can(party.ActEventWrite, target), FilesEnabled: s.files != nil, Accept: uploadAccept}
	if s.files != nil {
		data.MaxFileMB = s.files.MaxBytes() >> 20
	}
	if data.CanWrite {
		data.CanEdit = e.Status != party.EventCancelled
		data.CanComplete = e.Status == party.EventPlanned
		data.CanCancel = e.Status == party.EventPlanned
		// The QR code is offered while members can sign in: on the meeting's day.
		if checkinClosed(s.now(), e) == "" {
			data.CheckinURL = eventURL(e.ID) + "/checkin"
		}
		if e.Status == party.EventHeld {
			if data.Attendance, err = s.attendanceForEvent(ctx, e, t, nil); err != nil {
				return nil, err
			}
		}
	}
	reader := p.Can(party.ActEventRead, party.Target{OrgPath: o.Path})
	if !reader {
		// A member sees its own attendance row, not its colleagues' (nor their reasons for
		// leave), as the API answers it; the counts above stay whole.
		own := slices.DeleteFunc(slices.Clone(e.Attendance), func(a party.Attendance) bool { return a.MemberID != target.MemberID })
		shown := *e
		shown.Attendance = own
		data.E = &shown
	}
	if e.Status == party.EventPlanned {
		if data.Checkins, err = s.db.EventCheckins(ctx, e.ID); err != nil {
			return nil, err
		}
		if !reader {
			// A member sees its own sign-in, not who else came, as it sees only its own
			// attendance row of a held meeting.
			data.OwnView = true
			data.Checkins = slices.DeleteFunc(data.Checkins, func(c party.Checkin) bool { return c.MemberID != target.MemberID })
		}
	}
	files, err := s.db.EventFiles(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		row := fileRow{EventFile: f, URL: eventURL(e.ID) + "/files/" + strconv.FormatInt(f.ID, 10), SizeText: sizeText(f.Size)}
		if data.CanWrite && s.files != nil {
			row.DeleteURL = row.URL + "/delete"
		}
		data.Files = append(data.Files, row)
	}
	title := t.Name + " · " + e.Title
	if reader {
		data.page, err = s.orgPageBase(ctx, o, title, crumb{Label: "组织生活", URL: calendarURL(o.ID)}, crumb{Label: e.Title})
		if err != nil {
			return nil, err
		}
	} else {
		data.page = s.frame(ctx, title)
		data.Crumbs = []crumb{{Label: "我的组织生活", URL: "/events"}, {Label: e.Title}}
	}
	return data, nil
}
