package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"dangjian/internal/party"
)

// audienceLabel says in Chinese who is expected at events of a type.
func audienceLabel(a party.Audience) string {
	switch a {
	case party.AudienceMembers:
		return "本组织全体党员"
	case party.AudienceCommittee:
		return "委员会（班子）成员"
	case party.AudienceListed:
		return "记录人列出的人员"
	}
	return string(a)
}

// eventTypeRow is one entry of the catalogue as its page shows it, with the checkbox group
// that sets the organization kinds holding it.
type eventTypeRow struct {
	*party.EventType
	AudienceText string
	Kinds        []kindChoice
}

// eventTypesPage is the event type catalogue with the form that adds a type.
type eventTypesPage struct {
	page
	Types []eventTypeRow
	Add   subForm
	// AddKinds are the organization kinds of the form that adds a type, AddKindsError what
	// is wrong with them.
	AddKinds      []kindChoice
	AddKindsError string
	// CanChange is set for a 党建管理员 of the whole installation: the catalogue is shared by
	// every organization, so one of a subtree only reads it.
	CanChange bool
}

// mayChangeEventTypes reports whether the signed-in user may add, enable or disable event
// types: the rule-admin action on the whole installation, as the routes' guard requires.
func mayChangeEventTypes(r *http.Request) bool {
	return can(r.Context(), party.ActRuleAdmin, party.Target{OrgPath: party.RootPath})
}

// eventTypeList shows the catalogue of event types.
func (s *Server) eventTypeList(w http.ResponseWriter, r *http.Request) {
	s.showEventTypes(w, r, http.StatusOK, newForm(url.Values{"category": {string(party.CategoryOrgLife)},
		"audience": {string(party.AudienceMembers)}, "sort": {"100"}}))
}

func (s *Server) showEventTypes(w http.ResponseWriter, r *http.Request, status int, f *form) {
	ctx := r.Context()
	types, err := s.db.EventTypes(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := eventTypesPage{CanChange: mayChangeEventTypes(r)}
	for _, t := range types {
		var held []string
		for _, k := range t.OrgKinds {
			held = append(held, string(k))
		}
		data.Types = append(data.Types, eventTypeRow{EventType: t, AudienceText: audienceLabel(t.Audience),
			Kinds: kindChoices(held)})
	}
	data.AddKinds = kindChoices(f.values["org_kinds"])
	data.AddKindsError = f.errs["org_kinds"]
	audiences := []option{}
	for _, a := range []party.Audience{party.AudienceMembers, party.AudienceCommittee, party.AudienceListed} {
		audiences = append(audiences, option{Value: string(a), Label: audienceLabel(a)})
	}
	data.Add = newSubForm("/admin/event-types", "", "添加活动类型", f,
		f.input("code", "编码", "text").req().max(40).hint("小写字母、数字和下划线，如 youth_study；添加后不能修改"),
		f.input("name", "名称", "text").req().max(40),
		f.choice("category", "类别", textOptions("请选择", string(party.CategoryOrgLife), string(party.CategoryStudy), string(party.CategoryOther))).req(),
		f.choice("audience", "应到人员", audiences).req(),
		f.input("quorum", "须过半数应到人员出席方为有效", "checkbox"),
		f.input("study", "学习类活动（可选择第一议题）", "checkbox"),
		f.input("sort", "排序号", "text").numeric().max(6).hint("数字小的排在前面"),
	)
	if data.AddKindsError != "" {
		data.Add.Errors = append(data.Add.Errors, field{Name: "org_kinds", Label: "适用组织", Error: data.AddKindsError})
	}
	data.page = s.frame(ctx, "活动类型")
	data.Crumbs = []crumb{{Label: "组织生活规则", URL: "/admin/rules"}, {Label: "活动类型"}}
	data.Flash = ruleFlash(r.URL.Query().Get("done"))
	s.render(w, r, status, "event_types", "layout", data)
}

// eventTypeCreate adds a type to the catalogue.
func (s *Server) eventTypeCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	t := &party.EventType{Code: party.EventTypeCode(f.get("code")), Name: f.get("name"),
		Category: party.EventCategory(f.get("category")), Audience: party.Audience(f.get("audience")),
		Quorum: f.get("quorum") != "", Study: f.get("study") != "", OrgKinds: formKinds(f.values["org_kinds"])}
	if v := f.get("sort"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 999999 {
			f.setErr("sort", "排序号应为0至999999的整数")
		}
		t.Sort = n
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.CreateEventType(r.Context(), t)
		if err == nil {
			redirect(w, r, "/admin/event-types?done=type-created")
			return
		}
		if err := f.fail(err, "code", "name", "category", "audience", "org_kinds"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showEventTypes(w, r, status, f)
}

// loadEventType returns the code of the path's event type, or answers 404 when there is none.
func (s *Server) loadEventType(w http.ResponseWriter, r *http.Request) (party.EventTypeCode, bool) {
	code := party.EventTypeCode(r.PathValue("code"))
	if _, err := s.db.EventType(r.Context(), code); err != nil {
		if party.ErrorCode(err) == party.EINVALID {
			s.errorPage(w, r, http.StatusNotFound, "记录不存在", "活动类型不存在")
			return "", false
		}
		s.fail(w, r, err)
		return "", false
	}
	return code, true
}

// eventTypeActive offers (active=1) or withdraws (active=0) a type for new events.
func (s *Server) eventTypeActive(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	code, ok := s.loadEventType(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	var active bool
	switch f.get("active") {
	case "1":
		active = true
	case "0":
	default:
		s.errorPage(w, r, http.StatusUnprocessableEntity, "无法完成操作", "请使用页面上的“启用”或“停用”按钮")
		return
	}
	if err := s.db.SetEventTypeActive(ctx, code, active); err != nil {
		s.fail(w, r, err)
		return
	}
	done := "type-off"
	if active {
		done = "type-on"
	}
	redirect(w, r, "/admin/event-types?done="+done)
}

// kindChoices lists every organization kind for a checkbox group, the chosen ones checked.
func kindChoices(chosen []string) []kindChoice {
	var out []kindChoice
	for _, k := range party.OrgKinds {
		out = append(out, kindChoice{Value: string(k), Checked: slices.Contains(chosen, string(k))})
	}
	return out
}

// formKinds reads a checkbox group of organization kinds.
func formKinds(values []string) []party.OrgKind {
	var out []party.OrgKind
	for _, v := range values {
		out = append(out, party.OrgKind(strings.TrimSpace(v)))
	}
	return out
}

// eventTypeKinds sets the organization kinds that hold events of a type (none ticked: every
// kind).
func (s *Server) eventTypeKinds(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	code, ok := s.loadEventType(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	if err := s.db.SetEventTypeKinds(ctx, code, formKinds(f.values["org_kinds"])); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/event-types?done=type-kinds")
}
