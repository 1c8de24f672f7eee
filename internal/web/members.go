package web

import (
	"context"
	"net/http"
	"strconv"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// memberFieldNames are the member form fields, in the store's error field names.
func memberFieldNames() []string {
	return []string{"name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "unit_post",
		"joined_on", "full_on", "category", "org_id", "group_id", "note"}
}

// loadMember finds the member named by the {id} path value, answering 404 itself.
func (s *Server) loadMember(w http.ResponseWriter, r *http.Request) (*party.Member, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	m, err := s.db.FindMember(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return m, true
}

// branchOptions lists the active branches and party groups in the subtree of root (0: all)
// whose members the user may change, for the 所在党支部 and 党小组 selects.
func (s *Server) branchOptions(ctx context.Context, root int64) (branches, groups []option, err error) {
	all, err := s.db.ListOrgs(ctx, store.OrgFilter{Root: root, Kinds: []party.OrgKind{party.KindBranch, party.KindGroup}})
	if err != nil {
		return nil, nil, err
	}
	var orgs []*party.Org
	for _, o := range all {
		if can(ctx, party.ActMemberWrite, party.Target{OrgPath: o.Path}) {
			orgs = append(orgs, o)
		}
	}
	names := map[int64]string{}
	branches = []option{{Value: "", Label: "请选择"}}
	groups = []option{{Value: "", Label: "（不属于党小组）"}}
	for _, o := range orgs {
		if o.Kind == party.KindBranch {
			names[o.ID] = o.Name
			branches = append(branches, option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
		}
	}
	for _, o := range orgs {
		if o.Kind == party.KindGroup {
			label := o.Name
			if b, ok := names[o.ParentID]; ok {
				label = b + " — " + o.Name
			}
			groups = append(groups, option{Value: strconv.FormatInt(o.ID, 10), Label: label})
		}
	}
	return branches, groups, nil
}

// memberFields returns the fields of the member form; branch and group selects are given.
func memberFields(f *form, branches, groups []option, editing *party.Member) []field {
	var cats []option
	for _, c := range party.Categories {
		cats = append(cats, option{Value: string(c), Label: string(c)})
	}
	id := f.input("id_number", "身份证号", "text").max(18).hint("18位，末位可为X；出生日期和性别须与之一致")
	phone := f.input("phone", "手机号码", "tel").max(13).hint("11位大陆手机号，可不填")
	id.Inputmode, phone.Inputmode = "text", "numeric"
	if editing != nil {
		id = id.hint("当前为 " + editing.IDNumber.Masked() + "；留空表示不修改")
		phone = phone.hint("当前为 " + orDash(editing.Phone.Masked()) + "；留空表示不修改")
	} else {
		id = id.req()
	}
	fields := []field{
		f.input("name", "姓名", "text").req().max(party.MaxPersonNameLen),
		f.choice("gender", "性别", textOptions("请选择", string(party.Male), string(party.Female))).req(),
		f.choice("ethnicity", "民族", textOptions("请选择", party.Ethnicities...)).req(),
		f.input("birth_date", "出生日期", "date").req(),
		id,
		phone,
	}
	if editing != nil {
		fields = append(fields, f.input("clear_phone", "删除已登记的手机号码", "checkbox"))
	}
	fields = append(fields,
		f.choice("education", "学历", textOptions("请选择", party.Educations...)).req(),
		f.input("unit_post", "工作单位及职务", "text").max(party.MaxUnitPostLen),
		f.input("joined_on", "入党日期", "date").req(),
		f.input("full_on", "转正日期", "date").hint("正式党员必填，预备党员不填"),
		f.choice("category", "人员类别", append([]option{{Value: "", Label: "请选择"}}, cats...)).req(),
	)
	if editing == nil {
		fields = append(fields, f.choice("org_id", "所在党支部", branches).req())
	}
	fields = append(fields,
		f.choice("group_id", "党小组", groups),
		f.input("note", "备注", "textarea").max(party.MaxTextLen),
	)
	return fields
}

func orDash(s string) string {
	if s == "" {
		return "未登记"
	}
	return s
}

// memberFromForm reads the member form into m (the fields a form can change).
func memberFromForm(f *form, m *party.Member) {
	m.Name = f.get("name")
	m.Gender = party.Gender(f.get("gender"))
	m.Ethnicity = f.get("ethnicity")
	m.BirthDate = f.date("birth_date")
	m.Education = f.get("education")
	m.UnitPost = f.get("unit_post")
	m.JoinedOn = f.date("joined_on")
	m.FullOn = f.date("full_on")
	m.Category = party.Category(f.get("category"))
	m.GroupID = f.id("group_id")
	m.Note = f.get("note")
	if m.BirthDate.IsZero() && f.errs["birth_date"] == "" {
		f.setErr("birth_date", "出生日期不能为空")
	}
	if m.JoinedOn.IsZero() && f.errs["joined_on"] == "" {
		f.setErr("joined_on", "入党日期不能为空")
	}
}

// forgetSensitive blanks a valid ID number or phone before a form is shown again, so no page
// carries a full number; an invalid one is kept so that the typing error can be fixed.
func forgetSensitive(f *form, today party.Date) {
	if v := f.get("id_number"); v != "" {
		if _, _, _, err := party.ParseIDNumber(v, today); err == nil {
			f.set("id_number", "")
			f.setErr("id_number", "为保护个人信息，请重新输入身份证号")
		}
	}
	if v := f.get("phone"); v != "" {
		if _, err := party.ParsePhone(v); err == nil {
			f.set("phone", "")
			f.setErr("phone", "为保护个人信息，请重新输入手机号码")
		}
	}
}

// memberNew shows the form to add a member to a branch of the subtree of {id}.
func (s *Server) memberNew(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok || s.refuseDissolved(w, r, o) {
		return
	}
	f := newForm(nil)
	f.set("ethnicity", "汉族")
	if o.Kind == party.KindBranch {
		f.set("org_id", strconv.FormatInt(o.ID, 10))
	}
	s.showMemberNew(w, r, http.StatusOK, f, o)
}

func (s *Server) showMemberNew(w http.ResponseWriter, r *http.Request, status int, f *form, o *party.Org) {
	ctx := r.Context()
	branches, groups, err := s.branchOptions(ctx, o.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(branches) == 1 {
		s.errorPage(w, r, http.StatusConflict, "无法添加党员", "“"+o.Name+"”范围内没有党支部。党员的组织关系只能在党支部，请先建立党支部。")
		return
	}
	p, err := s.orgPageBase(ctx, o, "添加党员", crumb{Label: "添加党员"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showForm(w, r, status, formPage{page: p, Intro: "在“" + o.Name + "”范围内的党支部登记一名党员。",
		Action: orgURL(o.ID) + "/members", Submit: "添加", Cancel: orgURL(o.ID), Form: f,
		Fields: memberFields(f, branches, groups, nil)})
}

// memberCreate adds the member and goes to the member's page.
func (s *Server) memberCreate(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	m := &party.Member{IDNumber: party.IDNumber(f.get("id_number")), Phone: party.Phone(f.get("phone")), OrgID: f.id("org_id")}
	memberFromForm(f, m)
	if m.OrgID == 0 {
		f.setErr("org_id", "请选择所在党支部")
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		if err := s.checkInSubtree(r.Context(), o, m.OrgID); err != nil {
			f.setErr("org_id", party.ErrorMessage(err))
		} else if err := s.db.CreateMember(r.Context(), m); err == nil {
			redirect(w, r, memberURL(m.ID)+"?done=member-created")
			return
		} else {
			if err := f.fail(err, memberFieldNames()...); err != nil {
				s.serverError(w, r, err)
				return
			}
			status = statusFor(err)
		}
	}
	forgetSensitive(f, s.today())
	s.showMemberNew(w, r, status, f, o)
}

// checkInSubtree refuses a branch outside the organization whose page the form came from.
func (s *Server) checkInSubtree(ctx context.Context, root *party.Org, id int64) error {
	o, err := s.db.FindOrg(ctx, id)
	if err != nil || len(o.Path) < len(root.Path) || o.Path[:len(root.Path)] != root.Path {
		return party.FieldErrorf(party.EINVALID, "org_id", "所选党支部不在“%s”范围内", root.Name)
	}
	return nil
}

// memberPage is the page of one member.
type memberPage struct {
	page
	M           *party.Member
	Age         int
	Active      bool
	Positions   []*party.Position
	Transfers   []*party.Transfer
	Attachments []*party.TempAttachment
	Today       string
	PosErr      map[int64]string
	AttErr      map[int64]string
	// CanWrite and CanUnmask show the actions the user's roles allow on this member;
	// CanAttach that there is a temporary branch the user may attach it to.
	CanWrite  bool
	CanAttach bool
	CanUnmask bool
	// Revealed holds the full numbers after an audited unmask, for this one answer.
	Revealed *revealed
	// Readable marks the organizations on the page the user may open.
	Readable map[int64]bool
	// Attendance is the member's own attendance this year (组织生活出勤), never compared.
	Attendance *memberAttendance
}

// revealed is a member's full ID and phone numbers, shown once after an unmask.
type revealed struct {
	IDNumber string
	Phone    string
}

// memberShow shows a member with masked ID and phone, posts, transfers and attachments.
func (s *Server) memberShow(w http.ResponseWriter, r *http.Request) {
	m, ok := s.loadMember(w, r)
	if !ok {
		return
	}
	s.showMember(w, r, http.StatusOK, m, nil, nil)
}

// memberUnmask shows the member's page with the full ID and phone numbers, after recording
// in the audit trail who saw them.
func (s *Server) memberUnmask(w http.ResponseWriter, r *http.Request) {
	m, ok := s.loadMember(w, r)
	if !ok {
		return
	}
	if err := s.db.RecordUnmask(r.Context(), m.ID, m.OrgID, []string{"id_number", "phone"}, "web"); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderMember(w, r, http.StatusOK, m, nil, nil, &revealed{IDNumber: m.IDNumber.Reveal(), Phone: m.Phone.Reveal()})
}

func (s *Server) showMember(w http.ResponseWriter, r *http.Request, status int, m *party.Member, posErr, attErr map[int64]string) {
	s.renderMember(w, r, status, m, posErr, attErr, nil)
}

func (s *Server) renderMember(w http.ResponseWriter, r *http.Request, status int, m *party.Member, posErr, attErr map[int64]string, rev *revealed) {
	ctx := r.Context()
	branch, err := s.db.FindOrg(ctx, m.OrgID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p, err := s.orgPageBase(ctx, branch, m.Name, crumb{Label: m.Name})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Flash = flashMessage(r.URL.Query().Get("done"))
	data := memberPage{page: p, M: m, Age: m.Age(s.today()), Active: m.Status == party.StatusActive,
		Today: s.today().String(), PosErr: posErr, AttErr: attErr}
	if data.Positions, err = s.db.MemberPositions(ctx, m.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if data.Transfers, err = s.db.Transfers(ctx, m.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if data.Attachments, err = s.db.MemberAttachments(ctx, m.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	t, err := s.auth.MemberTarget(ctx, m)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.CanWrite, data.CanUnmask, data.Revealed = can(ctx, party.ActMemberWrite, t), can(ctx, party.ActMemberUnmask, t), rev
	if data.CanWrite {
		temps, err := s.attachableTemps(ctx)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data.CanAttach = len(temps) > 0
	}
	ids := []int64{m.OrgID, m.GroupID}
	for _, p := range data.Positions {
		ids = append(ids, p.OrgID)
	}
	for _, x := range data.Transfers {
		ids = append(ids, x.FromOrgID, x.ToOrgID)
	}
	for _, a := range data.Attachments {
		ids = append(ids, a.OrgID)
	}
	if data.Readable, err = s.readable(ctx, ids); err != nil {
		s.serverError(w, r, err)
		return
	}
	if data.Attendance, err = s.memberAttendance(ctx, m.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "member", "layout", data)
}

// readable returns which of the organizations ids the user may open.
func (s *Server) readable(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for _, id := range ids {
		if _, seen := out[id]; seen || id == 0 {
			continue
		}
		o, err := s.db.FindOrg(ctx, id)
		if err != nil {
			return nil, err
		}
		out[id] = can(ctx, party.ActOrgRead, party.Target{OrgPath: o.Path})
	}
	return out, nil
}

// memberEdit shows the member form filled in; ID number and phone are never filled in.
func (s *Server) memberEdit(w http.ResponseWriter, r *http.Request) {
	m, ok := s.loadMember(w, r)
	if !ok {
		return
	}
	if m.Status != party.StatusActive {
		s.errorPage(w, r, http.StatusConflict, "无法修改", m.Name+"已"+string(m.Status)+"，其记录只能查阅。")
		return
	}
	f := newForm(nil)
	f.set("name", m.Name)
	f.set("gender", string(m.Gender))
	f.set("ethnicity", m.Ethnicity)
	f.set("birth_date", m.BirthDate.String())
	f.set("education", m.Education)
	f.set("unit_post", m.UnitPost)
	f.set("joined_on", m.JoinedOn.String())
	f.set("full_on", m.FullOn.String())
	f.set("category", string(m.Category))
	if m.GroupID != 0 {
		f.set("group_id", strconv.FormatInt(m.GroupID, 10))
	}
	f.set("note", m.Note)
	s.showMemberEdit(w, r, http.StatusOK, f, m)
}

func (s *Server) showMemberEdit(w http.ResponseWriter, r *http.Request, status int, f *form, m *party.Member) {
	ctx := r.Context()
	branch, err := s.db.FindOrg(ctx, m.OrgID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	_, groups, err := s.branchOptions(ctx, m.OrgID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p, err := s.orgPageBase(ctx, branch, "修改党员信息", crumb{Label: m.Name, URL: memberURL(m.ID)}, crumb{Label: "修改"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showForm(w, r, status, formPage{page: p,
		Intro:  "修改" + m.Name + "的信息。调整所在党支部请使用“系统内转接”。",
		Action: memberURL(m.ID) + "/edit", Submit: "保存", Cancel: memberURL(m.ID), Form: f,
		Fields: memberFields(f, nil, groups, m)})
}

// memberUpdate saves the member form; an empty ID number or phone keeps the stored one.
func (s *Server) memberUpdate(w http.ResponseWriter, r *http.Request) {
	old, ok := s.loadMember(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	m := *old
	memberFromForm(f, &m)
	if v := f.get("id_number"); v != "" {
		m.IDNumber = party.IDNumber(v)
	}
	if v := f.get("phone"); v != "" {
		m.Phone = party.Phone(v)
	} else if f.get("clear_phone") != "" {
		m.Phone = ""
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.UpdateMember(r.Context(), &m)
		if err == nil {
			redirect(w, r, memberURL(m.ID)+"?done=saved")
			return
		}
		if err := f.fail(err, memberFieldNames()...); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	forgetSensitive(f, s.today())
	s.showMemberEdit(w, r, status, f, old)
}
