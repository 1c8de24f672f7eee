package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// eventFieldNames are the event form fields, in the store's error field names.
func eventFieldNames() []string {
	return []string{"type", "title", "on", "start_at", "end_at", "place", "host", "recorder", "content", "decisions",
		"materials", "guests", "attendance", "topics"}
}

// attendanceBlock is the attendance list of a form: every expected attendee with a choice of
// 出席 / 请假 (with a reason) / 缺席, all 出席 unless changed, so only the exceptions need a tick.
// When members signed in by QR code before the event was completed, those are 出席 and the
// others 缺席 instead.
type attendanceBlock struct {
	// Listed is true for a type whose attendees are listed by hand (谈心谈话): a row left at
	// 未参加 is not listed.
	Listed bool
	Quorum bool
	Rows   []attendanceRow
	Error  string
	// Signed is how many members signed in by QR code; the rows start from their sign-ins.
	Signed int
}

// attendanceRow is one person of an attendance list.
type attendanceRow struct {
	MemberID int64
	Name     string
	// Status is 出席, 请假, 缺席, or empty (not listed).
	Status string
	Reason string
	// SignedIn is set for a member who signed in by QR code.
	SignedIn bool
}

// Choices are the statuses a row offers.
func (b *attendanceBlock) Choices() []string {
	c := []string{string(party.Present), string(party.Leave), string(party.Absent)}
	if b.Listed {
		c = append([]string{""}, c...)
	}
	return c
}

// postedAttendance reads the status_<member id> and reason_<member id> fields of a form in
// member id order; rows left empty (not listed) are skipped.
func postedAttendance(f *form) []party.Attendance {
	var out []party.Attendance
	for k := range f.values {
		rest, ok := strings.CutPrefix(k, "status_")
		if !ok {
			continue
		}
		id, ok := parseID(rest)
		if !ok {
			f.setErr("attendance", "出勤名单有误，请刷新页面后重新填写")
			continue
		}
		st := party.AttendanceStatus(f.get(k))
		if st == "" {
			continue
		}
		if !st.Valid() {
			f.setErr("attendance", "出勤情况应为出席、请假或缺席")
			continue
		}
		reason := f.get("reason_" + rest)
		if st == party.Leave && reason == "" {
			// The ledger records why someone was excused: 请假 always has its reason.
			f.setErr("attendance", "请为请假的人员填写请假事由")
			continue
		}
		out = append(out, party.Attendance{MemberID: id, Status: st, Reason: reason})
	}
	slices.SortFunc(out, func(a, b party.Attendance) int { return int(a.MemberID - b.MemberID) })
	return out
}

// overlay puts the submitted statuses of f on the rows, so a form shown again keeps them.
func (b *attendanceBlock) overlay(f *form) {
	if f == nil {
		return
	}
	for i := range b.Rows {
		row := &b.Rows[i]
		key := strconv.FormatInt(row.MemberID, 10)
		if v, ok := f.values["status_"+key]; ok && len(v) > 0 {
			row.Status = strings.TrimSpace(v[0])
			row.Reason = f.get("reason_" + key)
		}
	}
}

// attendanceForForm lists who is expected at an event of type t held by organization orgID
// on day on, each 出席 (for a listed type: not listed), with the form's choices on top. When
// some signed in by QR code (checkins), they start 出席 and the others 缺席 (not listed).
func (s *Server) attendanceForForm(ctx context.Context, orgID int64, t *party.EventType, on party.Date, checkins []party.Checkin, f *form) (*attendanceBlock, error) {
	list, err := s.db.ExpectedAttendees(ctx, orgID, t.Code, on)
	if err != nil {
		return nil, err
	}
	b := &attendanceBlock{Listed: t.Audience == party.AudienceListed, Quorum: t.Quorum, Signed: len(checkins)}
	signed := make(map[int64]bool, len(checkins))
	for _, c := range checkins {
		signed[c.MemberID] = true
	}
	missing := string(party.Absent)
	if b.Listed {
		missing = ""
	}
	for _, a := range list {
		row := attendanceRow{MemberID: a.MemberID, Name: a.MemberName, Status: string(party.Present), SignedIn: signed[a.MemberID]}
		if (b.Listed || len(checkins) > 0) && !row.SignedIn {
			row.Status = missing
		}
		b.Rows = append(b.Rows, row)
	}
	b.overlay(f)
	return b, nil
}

// attendanceForEvent is the stored attendance of held event e, for its correction; for a
// listed type the organization's other members follow, not listed.
func (s *Server) attendanceForEvent(ctx context.Context, e *party.Event, t *party.EventType, f *form) (*attendanceBlock, error) {
	b := &attendanceBlock{Listed: t.Audience == party.AudienceListed, Quorum: t.Quorum}
	listed := map[int64]bool{}
	for _, a := range e.Attendance {
		b.Rows = append(b.Rows, attendanceRow{MemberID: a.MemberID, Name: a.MemberName, Status: string(a.Status), Reason: a.Reason})
		listed[a.MemberID] = true
	}
	if b.Listed {
		more, err := s.db.ExpectedAttendees(ctx, e.OrgID, e.Type, e.Date())
		if err != nil {
			return nil, err
		}
		for _, a := range more {
			if !listed[a.MemberID] {
				b.Rows = append(b.Rows, attendanceRow{MemberID: a.MemberID, Name: a.MemberName})
			}
		}
	}
	b.overlay(f)
	return b, nil
}

// topicOption is a 第一议题 item offered for a study event.
type topicOption struct {
	ID      int64
	Title   string
	Issued  string
	Checked bool
}

// typeDependent is the part of the event form that depends on the type and day: the
// attendance list and, for study types, the 第一议题 items and materials.
type typeDependent struct {
	URL         string
	Held        bool
	NoType      bool
	Attendance  *attendanceBlock
	Study       bool
	Topics      []topicOption
	TopicsError string
	Materials   field
}

// eventFormPage is the form to plan, record, edit or complete an event.
type eventFormPage struct {
	page
	Intro  string
	Action string
	Submit string
	Cancel string
	Form   *form
	Errors []field
	// Status is held or planned for a new event; empty when the form keeps the event's.
	Status string
	Held   bool
	// TypeName is shown instead of the type choice when the type cannot change.
	TypeName                                                                 string
	TypeField                                                                field
	Topic, On, Start, End, Place, Host, Recorder, Content, Decisions, Guests field
	// AttendanceNote replaces the attendance list on the edit form of a held event.
	AttendanceNote string
	Dependent      typeDependent
}

// eventForm describes one use of the event form.
type eventForm struct {
	orgID    int64
	held     bool
	types    []*party.EventType // offered, when the type can be chosen
	fixed    *party.EventType   // the type, when it cannot
	withList bool               // show the attendance list (new held event, completion)
	checkins []party.Checkin    // sign-ins by QR code the attendance list starts from
	intro    string
	action   string
	submit   string
	cancel   string
	title    string
	org      *party.Org
	fragment string
}

// activeTypes returns the event types offered for new events of organization o: the active
// ones its kind holds.
func (s *Server) activeTypes(ctx context.Context, o *party.Org) ([]*party.EventType, error) {
	all, err := s.db.EventTypes(ctx)
	if err != nil {
		return nil, err
	}
	var out []*party.EventType
	for _, t := range all {
		if t.Active && t.AppliesTo(o.Kind) {
			out = append(out, t)
		}
	}
	return out, nil
}

// chosenType returns the type the form names among types, or nil.
func chosenType(types []*party.EventType, code string) *party.EventType {
	for _, t := range types {
		if string(t.Code) == code {
			return t
		}
	}
	return nil
}

// formDay returns the day the form's date field names, or fallback when it names none.
func formDay(f *form, fallback party.Date) party.Date {
	d, err := party.ParseDate(f.get("on"))
	if err != nil || d.IsZero() {
		return fallback
	}
	return d
}

// dependent builds the type-dependent part of the form.
func (s *Server) dependent(ctx context.Context, ef eventForm, t *party.EventType, f *form) (typeDependent, error) {
	d := typeDependent{URL: ef.fragment, Held: ef.held, NoType: t == nil}
	if t == nil {
		return d, nil
	}
	if ef.withList {
		var err error
		if d.Attendance, err = s.attendanceForForm(ctx, ef.orgID, t, formDay(f, s.today()), ef.checkins, f); err != nil {
			if party.ErrorCode(err) == party.EINTERNAL {
				return d, err
			}
			d.Attendance = &attendanceBlock{}
		}
		d.Attendance.Error = f.errs["attendance"]
	}
	if t.Study {
		d.Study = true
		d.Materials = f.input("materials", "学习材料", "textarea").max(party.MaxTextLen).hint("篇目、出处等，每行一项")
		topics, err := s.db.FirstTopics(ctx, store.TopicFilter{})
		if err != nil {
			return d, err
		}
		chosen := f.values["topic"]
		for _, x := range topics {
			id := strconv.FormatInt(x.ID, 10)
			opt := topicOption{ID: x.ID, Title: x.Title, Checked: slices.Contains(chosen, id)}
			if !x.IssuedOn.IsZero() {
				opt.Issued = x.IssuedOn.Chinese()
			}
			d.Topics = append(d.Topics, opt)
		}
		d.TopicsError = f.errs["topics"]
	}
	return d, nil
}

// showEventForm renders the event form; status is 200 for a new form and the error's status
// after a failed submission.
func (s *Server) showEventForm(w http.ResponseWriter, r *http.Request, status int, ef eventForm, f *form) {
	ctx := r.Context()
	t := ef.fixed
	if t == nil {
		t = chosenType(ef.types, f.get("type"))
	}
	dep, err := s.dependent(ctx, ef, t, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "type-dependent" {
		s.render(w, r, http.StatusOK, "event_form", "type-dependent", dep)
		return
	}
	p, err := s.orgPageBase(ctx, ef.org, ef.title, crumb{Label: "组织生活", URL: calendarURL(ef.org.ID)}, crumb{Label: ef.title})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := eventFormPage{page: p, Intro: ef.intro, Action: ef.action, Submit: ef.submit, Cancel: ef.cancel, Form: f,
		Held:     ef.held,
		Topic:    f.input("title", "主题", "text").req().max(party.MaxTitleLen),
		On:       f.input("on", "日期", "date").req(),
		Start:    f.input("start_at", "开始时间", "time").req(),
		End:      f.input("end_at", "结束时间", "time").req(),
		Place:    f.input("place", "地点", "text").max(party.MaxPlaceLen),
		Host:     f.input("host", "主持人", "text").max(party.MaxPersonNameLen),
		Recorder: f.input("recorder", "记录人", "text").max(party.MaxPersonNameLen),
		Content: f.input("content", "会议记录", "textarea").max(party.MaxMinutesLen).
			hint("会议内容和发言要点，纯文本；换行会保留"),
		Decisions: f.input("decisions", "决议事项", "textarea").max(party.MaxTextLen),
		Guests: f.input("guests", "列席人员", "textarea").
			hint("非应到人员，每行一人，写作“姓名 单位职务”，如：王明 局办公室主任"),
		Dependent: dep}
	if ef.fixed != nil {
		data.TypeName = ef.fixed.Name
	} else {
		data.Status = "planned"
		if ef.held {
			data.Status = "held"
		}
		opts := []option{{Value: "", Label: "请选择"}}
		for _, x := range ef.types {
			opts = append(opts, option{Value: string(x.Code), Label: x.Name})
		}
		data.TypeField = f.choice("type", "活动类型", opts).req()
	}
	if ef.held && !ef.withList {
		data.AttendanceNote = "出勤情况请在活动页面修改。"
	}
	for _, fl := range []field{data.TypeField, data.Topic, data.On, data.Start, data.End, data.Place, data.Host, data.Recorder,
		data.Content, data.Decisions, data.Guests, dep.Materials} {
		if fl.Error != "" {
			data.Errors = append(data.Errors, fl)
		}
	}
	if msg := f.errs["attendance"]; msg != "" {
		data.Errors = append(data.Errors, field{Name: "attendance", Label: "出勤情况", Error: msg})
	}
	if msg := f.errs["topics"]; msg != "" {
		data.Errors = append(data.Errors, field{Name: "topics", Label: "第一议题", Error: msg})
	}
	s.render(w, r, status, "event_form", "layout", data)
}

// readEventFields reads the descriptive fields of an event from f into e; held adds the
// minutes, decisions and guests, study the 第一议题 items and materials.
func readEventFields(f *form, e *party.Event, held, study bool) {
	e.Title = f.get("title")
	if e.Title == "" {
		f.setErr("title", "请填写主题")
	}
	on := f.date("on")
	if on.IsZero() && f.errs["on"] == "" {
		f.setErr("on", "请填写日期")
	}
	clock := func(name, label string) (string, bool) {
		v := f.get(name)
		if v == "" {
			f.setErr(name, "请填写"+label)
			return "", false
		}
		if _, err := party.ParseClock(v); err != nil {
			f.setErr(name, party.ErrorMessage(err))
			return "", false
		}
		return v, true
	}
	start, okStart := clock("start_at", "开始时间")
	end, okEnd := clock("end_at", "结束时间")
	if !on.IsZero() && okStart && okEnd {
		e.StartAt, _ = party.At(on, start)
		e.EndAt, _ = party.At(on, end)
		if !e.EndAt.After(e.StartAt) {
			f.setErr("end_at", "结束时间应晚于开始时间")
		}
	}
	e.Place, e.Host, e.Recorder = f.get("place"), f.get("host"), f.get("recorder")
	if held {
		e.Content, e.Decisions = f.get("content"), f.get("decisions")
		e.Guests = parseGuests(f.values.Get("guests"))
	}
	if study {
		e.Materials = f.get("materials")
		for _, v := range f.values["topic"] {
			id, ok := parseID(v)
			if !ok {
				f.setErr("topics", "所选第一议题无效")
				continue
			}
			e.TopicIDs = append(e.TopicIDs, id)
		}
	}
}

// parseGuests reads one guest a line, "姓名 单位职务", the name ending at the first space.
func parseGuests(s string) []party.Guest {
	var out []party.Guest
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(strings.ReplaceAll(line, "\u3000", " "))
		if line == "" {
			continue
		}
		name, post, _ := strings.Cut(line, " ")
		out = append(out, party.Guest{Name: strings.TrimSpace(name), UnitPost: strings.TrimSpace(post)})
	}
	return out
}

// guestsText writes guests back one a line.
func guestsText(gs []party.Guest) string {
	lines := make([]string, len(gs))
	for i, g := range gs {
		lines[i] = strings.TrimSpace(g.Name + " " + g.UnitPost)
	}
	return strings.Join(lines, "\n")
}

// fillEventForm puts the fields of e into f.
func fillEventForm(f *form, e *party.Event) {
	f.set("title", e.Title)
	f.set("on", e.Date().String())
	f.set("start_at", e.StartAt.In(party.Zone).Format("15:04"))
	f.set("end_at", e.EndAt.In(party.Zone).Format("15:04"))
	f.set("place", e.Place)
	f.set("host", e.Host)
	f.set("recorder", e.Recorder)
	f.set("content", e.Content)
	f.set("decisions", e.Decisions)
	f.set("materials", e.Materials)
	f.set("guests", guestsText(e.Guests))
	for _, id := range e.TopicIDs {
		f.values.Add("topic", strconv.FormatInt(id, 10))
	}
}

// newEventForm describes the form for a new event of organization o.
func (s *Server) newEventForm(ctx context.Context, o *party.Org, held bool) (eventForm, error) {
	types, err := s.activeTypes(ctx, o)
	if err != nil {
		return eventForm{}, err
	}
	ef := eventForm{orgID: o.ID, org: o, held: held, types: types, withList: held, action: orgURL(o.ID) + "/events",
		cancel: calendarURL(o.ID), fragment: orgURL(o.ID) + "/events/new"}
	if held {
		ef.title, ef.submit = "登记已召开的活动", "登记"
		ef.intro = "登记“" + o.Name + "”已召开的会议或活动。应到人员默认全部出席，只需标出请假和缺席的人员。"
	} else {
		ef.title, ef.submit = "安排活动计划", "保存计划"
		ef.intro = "为“" + o.Name + "”安排一次活动。召开后在活动页面登记出勤和会议记录。"
	}
	return ef, nil
}

// eventNew shows the form to record a held event (?status=held, the default) or plan one
// (?status=planned), for the type ?type= when given.
func (s *Server) eventNew(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	held := q.Get("status") != "planned"
	ef, err := s.newEventForm(r.Context(), o, held)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := newForm(nil)
	f.set("type", q.Get("type"))
	on := s.today().String()
	if d, err := party.ParseDate(q.Get("on")); err == nil && !d.IsZero() {
		on = d.String()
	}
	f.set("on", on)
	s.showEventForm(w, r, http.StatusOK, ef, f)
}

// eventCreate records a held event with its attendance, or plans one, and goes to its page.
func (s *Server) eventCreate(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	held := f.get("status") != "planned"
	ef, err := s.newEventForm(ctx, o, held)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	t := chosenType(ef.types, f.get("type"))
	e := &party.Event{OrgID: o.ID}
	switch {
	case f.get("type") == "":
		f.setErr("type", "请选择活动类型")
	case t == nil:
		f.setErr("type", "活动类型不存在、已停用或不适用于本组织")
	default:
		e.Type = t.Code
	}
	readEventFields(f, e, held, t != nil && t.Study)
	var exceptions []party.Attendance
	if held {
		exceptions = postedAttendance(f)
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		done := "planned"
		if held {
			err, done = s.db.RecordEvent(ctx, e, exceptions), "recorded"
		} else {
			err = s.db.PlanEvent(ctx, e)
		}
		if err == nil {
			redirect(w, r, eventURL(e.ID)+"?done="+done)
			return
		}
		if err := f.fail(err, eventFieldNames()...); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showEventForm(w, r, status, ef, f)
}

// editEventForm describes the edit form of event e.
func (s *Server) editEventForm(ctx context.Context, e *party.Event) (eventForm, error) {
	t, err := s.db.EventType(ctx, e.Type)
	if err != nil {
		return eventForm{}, err
	}
	o, err := s.db.FindOrg(ctx, e.OrgID)
	if err != nil {
		return eventForm{}, err
	}
	return eventForm{orgID: o.ID, org: o, held: e.Status == party.EventHeld, fixed: t, action: eventURL(e.ID) + "/edit",
		cancel: eventURL(e.ID), title: "修改活动", submit: "保存",
		intro: "修改“" + e.Title + "”（" + o.Name + "，" + string(e.Status) + "）的信息。活动类型不能修改。"}, nil
}

// refuseCancelled answers the forms a cancelled event no longer has.
func (s *Server) refuseCancelled(w http.ResponseWriter, r *http.Request, e *party.Event) bool {
	if e.Status != party.EventCancelled {
		return false
	}
	s.errorPage(w, r, http.StatusConflict, "活动已取消", "该活动已取消，只能查阅，不能再修改。")
	return true
}

// eventEdit shows the form to change an event's descriptive fields.
func (s *Server) eventEdit(w http.ResponseWriter, r *http.Request) {
	e, ok := s.loadEvent(w, r)
	if !ok || s.refuseCancelled(w, r, e) {
		return
	}
	ef, err := s.editEventForm(r.Context(), e)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := newForm(nil)
	fillEventForm(f, e)
	s.showEventForm(w, r, http.StatusOK, ef, f)
}

// eventUpdate saves the edit form.
func (s *Server) eventUpdate(w http.ResponseWriter, r *http.Request) {
	e, ok := s.loadEvent(w, r)
	if !ok || s.refuseCancelled(w, r, e) {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	ef, err := s.editEventForm(ctx, e)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	held := e.Status == party.EventHeld
	next := &party.Event{ID: e.ID, Type: e.Type}
	readEventFields(f, next, held, ef.fixed.Study)
	if !held {
		// A planned event's form has no minutes; keep what is stored.
		next.Content, next.Decisions, next.Guests = e.Content, e.Decisions, e.Guests
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.UpdateEvent(ctx, next)
		if err == nil {
			redirect(w, r, eventURL(e.ID)+"?done=saved")
			return
		}
		if err := f.fail(err, eventFieldNames()...); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showEventForm(w, r, status, ef, f)
}

// completeEventForm describes the form that records planned event e as held.
func (s *Server) completeEventForm(ctx context.Context, e *party.Event) (eventForm, error) {
	ef, err := s.editEventForm(ctx, e)
	if err != nil {
		return ef, err
	}
	ef.held, ef.withList = true, true
	ef.action, ef.fragment = eventURL(e.ID)+"/complete", eventURL(e.ID)+"/complete"
	ef.title, ef.submit = "登记召开情况", "登记为已召开"
	ef.intro = "“" + e.Title + "”已召开：核对时间，标出请假和缺席的人员，填写会议记录。"
	if ef.checkins, err = s.db.EventCheckins(ctx, e.ID); err != nil {
		return ef, err
	}
	if len(ef.checkins) > 0 {
		ef.intro = "“" + e.Title + "”已召开：核对时间和出勤（已按扫码签到预选），填写会议记录。"
	}
	return ef, nil
}

// refuseNotPlanned answers the completion of an event that is not planned.
func (s *Server) refuseNotPlanned(w http.ResponseWriter, r *http.Request, e *party.Event) bool {
	if e.Status == party.EventPlanned {
		return false
	}
	s.errorPage(w, r, http.StatusConflict, "无法登记召开", "该活动"+string(e.Status)+"，不能再登记召开。")
	return true
}

// eventCompleteForm shows the form that turns a planned event into a held one.
func (s *Server) eventCompleteForm(w http.ResponseWriter, r *http.Request) {
	e, ok := s.loadEvent(w, r)
	if !ok || s.refuseNotPlanned(w, r, e) {
		return
	}
	ef, err := s.completeEventForm(r.Context(), e)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := newForm(nil)
	fillEventForm(f, e)
	if d, err := party.ParseDate(r.URL.Query().Get("on")); err == nil && !d.IsZero() {
		f.set("on", d.String())
	}
	s.showEventForm(w, r, http.StatusOK, ef, f)
}

// eventComplete records a planned event as held, with its attendance.
func (s *Server) eventComplete(w http.ResponseWriter, r *http.Request) {
	e, ok := s.loadEvent(w, r)
	if !ok || s.refuseNotPlanned(w, r, e) {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	ef, err := s.completeEventForm(ctx, e)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	next := &party.Event{ID: e.ID, Type: e.Type}
	readEventFields(f, next, true, ef.fixed.Study)
	exceptions := postedAttendance(f)
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.CompleteEvent(ctx, next, exceptions)
		if err == nil {
			redirect(w, r, eventURL(e.ID)+"?done=completed")
			return
		}
		if err := f.fail(err, eventFieldNames()...); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showEventForm(w, r, status, ef, f)
}

// eventCancel cancels a planned event, with the reason it does not take place.
func (s *Server) eventCancel(w http.ResponseWriter, r *http.Request) {
	e, ok := s.loadEvent(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	reason := f.get("cancel_reason")
	_, err := s.db.CancelEvent(r.Context(), e.ID, reason)
	switch {
	case err == nil:
		redirect(w, r, eventURL(e.ID)+"?done=cancelled")
	case party.ErrorCode(err) == party.EINVALID:
		s.showEventWithError(w, r, e, statusFor(err), func(p *eventPage) {
			p.CancelError, p.CancelReason = party.ErrorMessage(err), reason
		})
	default:
		s.fail(w, r, err)
	}
}

// eventAttendance changes how attendees of a held event stood (a correction), and, for a
// listed type, adds people.
func (s *Server) eventAttendance(w http.ResponseWriter, r *http.Request) {
	e, ok := s.loadEvent(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	changes := postedAttendance(f)
	if msg := f.errs["attendance"]; msg != "" {
		s.showEventWithError(w, r, e, http.StatusUnprocessableEntity, func(p *eventPage) { p.AttendanceError = msg })
		return
	}
	if len(changes) == 0 {
		redirect(w, r, eventURL(e.ID))
		return
	}
	_, err := s.db.SetAttendance(r.Context(), e.ID, changes)
	switch party.ErrorCode(err) {
	case "":
		redirect(w, r, eventURL(e.ID)+"?done=attendance")
	case party.EINVALID, party.ECONFLICT:
		s.showEventWithError(w, r, e, statusFor(err), func(p *eventPage) {
			p.AttendanceError = party.ErrorMessage(err)
			if p.Attendance != nil {
				p.Attendance.overlay(f)
			}
		})
	default:
		s.fail(w, r, err)
	}
}
