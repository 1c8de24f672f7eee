package web

import (
	"context"
	"net/http"
	"strconv"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// loadActiveMember finds the member of the path and refuses one who left the roster.
func (s *Server) loadActiveMember(w http.ResponseWriter, r *http.Request) (*party.Member, bool) {
	m, ok := s.loadMember(w, r)
	if !ok {
		return nil, false
	}
	if m.Status != party.StatusActive {
		s.errorPage(w, r, http.StatusConflict, "无法办理", m.Name+"已"+string(m.Status)+"，其记录只能查阅。")
		return nil, false
	}
	return m, true
}

// memberForm renders a form page about member m.
func (s *Server) memberForm(w http.ResponseWriter, r *http.Request, status int, m *party.Member, title, intro, action, submit string, f *form, fields []field) {
	ctx := r.Context()
	branch, err := s.db.FindOrg(ctx, m.OrgID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p, err := s.orgPageBase(ctx, branch, title, crumb{Label: m.Name, URL: memberURL(m.ID)}, crumb{Label: title})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showForm(w, r, status, formPage{page: p, Intro: intro, Action: memberURL(m.ID) + action, Submit: submit,
		Cancel: memberURL(m.ID), Form: f, Fields: fields})
}

// memberTransferForm asks for the date and destination of a transfer out (转出).
func (s *Server) memberTransferForm(w http.ResponseWriter, r *http.Request) {
	m, ok := s.loadActiveMember(w, r)
	if !ok {
		return
	}
	f := newForm(nil)
	f.set("on", s.today().String())
	s.showTransfer(w, r, http.StatusOK, m, f)
}

func (s *Server) showTransfer(w http.ResponseWriter, r *http.Request, status int, m *party.Member, f *form) {
	s.memberForm(w, r, status, m, "组织关系转出",
		m.Name+"的组织关系转出本系统以外的党组织后，将不再列入名册，但历史记录保留。其现任职务和临时党支部编入同日结束。",
		"/transfer", "确认转出", f, []field{
			f.input("on", "转出日期", "date").req(),
			f.input("counterpart", "转入的党组织", "text").req().max(party.MaxNameLen).hint("写明对方党组织全称"),
			f.input("note", "说明", "textarea").max(party.MaxTextLen),
		})
}

// memberTransfer takes the member off the roster.
func (s *Server) memberTransfer(w http.ResponseWriter, r *http.Request) {
	m, ok := s.loadMember(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	on := f.date("on")
	status := http.StatusUnprocessableEntity
	if f.ok() {
		_, err := s.db.TransferOut(r.Context(), m.ID, on, f.get("counterpart"), f.get("note"))
		if err == nil {
			redirect(w, r, memberURL(m.ID)+"?done=transferred")
			return
		}
		if err := f.fail(err, "on", "counterpart", "note"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showTransfer(w, r, status, m, f)
}

// memberMoveForm asks for the new branch of a transfer within the tree (系统内转接).
func (s *Server) memberMoveForm(w http.ResponseWriter, r *http.Request) {
	m, ok := s.loadActiveMember(w, r)
	if !ok {
		return
	}
	f := newForm(nil)
	f.set("on", s.today().String())
	s.showMove(w, r, http.StatusOK, m, f)
}

func (s *Server) showMove(w http.ResponseWriter, r *http.Request, status int, m *party.Member, f *form) {
	branches, groups, err := s.branchOptions(r.Context(), 0)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.memberForm(w, r, status, m, "系统内转接",
		"把"+m.Name+"的组织关系从“"+m.OrgName+"”转到本系统内的另一个党支部。在原党支部和党小组的任职同日结束。",
		"/move", "确认转接", f, []field{
			f.choice("org_id", "转入党支部", branches).req(),
			f.choice("group_id", "党小组", groups).hint("须为转入党支部下的党小组"),
			f.input("on", "转接日期", "date").req(),
			f.input("note", "说明", "textarea").max(party.MaxTextLen),
		})
}

// memberMove moves the member to another branch.
func (s *Server) memberMove(w http.ResponseWriter, r *http.Request) {
	m, ok := s.loadMember(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	on := f.date("on")
	to := f.id("org_id")
	if to == 0 {
		f.setErr("org_id", "请选择转入党支部")
	} else if msg, err := s.formOrgError(r.Context(), party.ActMemberWrite, to, "转入党支部不存在"); err != nil {
		s.serverError(w, r, err)
		return
	} else if msg != "" {
		f.setErr("org_id", msg)
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		_, err := s.db.MoveMember(r.Context(), m.ID, to, f.id("group_id"), on, f.get("note"))
		if err == nil {
			redirect(w, r, memberURL(m.ID)+"?done=member-moved")
			return
		}
		if err := f.fail(err, "org_id", "group_id", "on", "note"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showMove(w, r, status, m, f)
}

// positionNew shows the form to record a post the member holds.
func (s *Server) positionNew(w http.ResponseWriter, r *http.Request) {
	m, ok := s.loadActiveMember(w, r)
	if !ok {
		return
	}
	f := newForm(nil)
	f.set("org_id", strconv.FormatInt(m.OrgID, 10))
	f.set("start_on", s.today().String())
	s.showPosition(w, r, http.StatusOK, m, f)
}

func (s *Server) showPosition(w http.ResponseWriter, r *http.Request, status int, m *party.Member, f *form) {
	ctx := r.Context()
	branch, err := s.db.FindOrg(ctx, m.OrgID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// A member holds posts in the own branch, its party groups, or an organization above it.
	orgs, err := s.db.Ancestors(ctx, branch)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	orgs = append(orgs, branch)
	kids, err := s.db.Children(ctx, branch.ID, false)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	orgs = append(orgs, kids...)
	opts := []option{{Value: "", Label: "请选择"}}
	for _, o := range orgs {
		if !o.Dissolved() && can(ctx, party.ActMemberWrite, party.Target{OrgPath: o.Path}) {
			opts = append(opts, option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name + "（" + string(o.Kind) + "）"})
		}
	}
	s.memberForm(w, r, status, m, "登记任职", "登记"+m.Name+"担任的党内职务。", "/positions", "登记", f, []field{
		f.choice("org_id", "任职组织", opts).req(),
		f.choice("title", "职务", textOptions("请选择", party.PositionTitles...)).req(),
		f.input("start_on", "任职日期", "date").req(),
	})
}

// positionCreate records the post.
func (s *Server) positionCreate(w http.ResponseWriter, r *http.Request) {
	m, ok := s.loadMember(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	p := &party.Position{MemberID: m.ID, OrgID: f.id("org_id"), Title: f.get("title"), StartOn: f.date("start_on")}
	if p.OrgID == 0 {
		f.setErr("org_id", "请选择任职组织")
	} else if msg, err := s.formOrgError(r.Context(), party.ActMemberWrite, p.OrgID, "组织不存在"); err != nil {
		s.serverError(w, r, err)
		return
	} else if msg != "" {
		f.setErr("org_id", msg)
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.AddPosition(r.Context(), p)
		if err == nil {
			redirect(w, r, memberURL(m.ID)+"?done=position-added")
			return
		}
		if err := f.fail(err, "org_id", "title", "start_on"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showPosition(w, r, status, m, f)
}

// positionEnd records the day a post ended; errors appear beside that post on the member page.
func (s *Server) positionEnd(w http.ResponseWriter, r *http.Request) {
	m, ok := s.loadMember(w, r)
	if !ok {
		return
	}
	pid, ok := pathID(r, "pid")
	if !ok {
		s.notFound(w, r)
		return
	}
	list, err := s.db.MemberPositions(r.Context(), m.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !hasID(list, pid, func(p *party.Position) int64 { return p.ID }) {
		s.notFound(w, r)
		return
	}
	if err := s.auth.AllowPosition(r.Context(), party.PrincipalFrom(r.Context()), party.ActMemberWrite, pid); err != nil {
		s.fail(w, r, err)
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	on := f.date("end_on")
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err = s.db.EndPosition(r.Context(), pid, on)
		if err == nil {
			redirect(w, r, memberURL(m.ID)+"?done=position-ended")
			return
		}
		if party.ErrorCode(err) == party.EINTERNAL {
			s.serverError(w, r, err)
			return
		}
		f.setErr("end_on", party.ErrorMessage(err))
		status = statusFor(err)
	}
	s.showMember(w, r, status, m, map[int64]string{pid: f.errs["end_on"]}, nil)
}

// attachNew shows the form to attach the member to a temporary branch.
func (s *Server) attachNew(w http.ResponseWriter, r *http.Request) {
	m, ok := s.loadActiveMember(w, r)
	if !ok {
		return
	}
	s.showAttach(w, r, http.StatusOK, m, newForm(nil))
}

// attachableTemps lists the temporary branches the user may attach members to.
func (s *Server) attachableTemps(ctx context.Context) ([]*party.Org, error) {
	all, err := s.db.ListOrgs(ctx, store.OrgFilter{Kinds: []party.OrgKind{party.KindTempBranch}})
	if err != nil {
		return nil, err
	}
	var temps []*party.Org
	for _, o := range all {
		if can(ctx, party.ActMemberWrite, party.Target{OrgPath: o.Path}) {
			temps = append(temps, o)
		}
	}
	return temps, nil
}

func (s *Server) showAttach(w http.ResponseWriter, r *http.Request, status int, m *party.Member, f *form) {
	temps, err := s.attachableTemps(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(temps) == 0 {
		s.errorPage(w, r, http.StatusConflict, "没有临时党支部", "您管理的范围内没有未撤销的临时党支部，请先在组织树中建立。")
		return
	}
	opts := []option{{Value: "", Label: "请选择"}}
	for _, o := range temps {
		label := o.Name + "（" + o.StartOn.Chinese() + "起"
		if !o.EndOn.IsZero() {
			label += "，至" + o.EndOn.Chinese()
		}
		opts = append(opts, option{Value: strconv.FormatInt(o.ID, 10), Label: label + "）"})
	}
	s.memberForm(w, r, status, m, "编入临时党支部",
		"把"+m.Name+"编入临时党支部；其组织关系仍在“"+m.OrgName+"”。", "/attach", "编入", f, []field{
			f.choice("org_id", "临时党支部", opts).req(),
			f.input("start_on", "编入日期", "date").hint("不填则为临时党支部的开始日期"),
			f.input("end_on", "结束日期", "date").hint("可不填，结束时再登记"),
		})
}

// attachCreate attaches the member.
func (s *Server) attachCreate(w http.ResponseWriter, r *http.Request) {
	m, ok := s.loadMember(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	a := &party.TempAttachment{MemberID: m.ID, OrgID: f.id("org_id"), StartOn: f.date("start_on"), EndOn: f.date("end_on")}
	if a.OrgID == 0 {
		f.setErr("org_id", "请选择临时党支部")
	} else if msg, err := s.formOrgError(r.Context(), party.ActMemberWrite, a.OrgID, "临时党支部不存在"); err != nil {
		s.serverError(w, r, err)
		return
	} else if msg != "" {
		f.setErr("org_id", msg)
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.Attach(r.Context(), a)
		if err == nil {
			redirect(w, r, memberURL(m.ID)+"?done=attached")
			return
		}
		if err := f.fail(err, "org_id", "start_on", "end_on"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showAttach(w, r, status, m, f)
}

// attachEnd ends an attachment; errors appear beside it on the member page.
func (s *Server) attachEnd(w http.ResponseWriter, r *http.Request) {
	m, ok := s.loadMember(w, r)
	if !ok {
		return
	}
	aid, ok := pathID(r, "aid")
	if !ok {
		s.notFound(w, r)
		return
	}
	list, err := s.db.MemberAttachments(r.Context(), m.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !hasID(list, aid, func(a *party.TempAttachment) int64 { return a.ID }) {
		s.notFound(w, r)
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	on := f.date("end_on")
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err = s.db.EndAttachment(r.Context(), aid, on)
		if err == nil {
			redirect(w, r, memberURL(m.ID)+"?done=attachment-ended")
			return
		}
		if party.ErrorCode(err) == party.EINTERNAL {
			s.serverError(w, r, err)
			return
		}
		f.setErr("end_on", party.ErrorMessage(err))
		status = statusFor(err)
	}
	s.showMember(w, r, status, m, nil, map[int64]string{aid: f.errs["end_on"]})
}

// hasID reports whether list holds a record with id.
func hasID[T any](list []T, id int64, idOf func(T) int64) bool {
	for _, x := range list {
		if idOf(x) == id {
			return true
		}
	}
	return false
}
