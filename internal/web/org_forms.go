package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// orgFieldNames are the form fields of an organization, in the store's error field names.
func orgFieldNames() []string {
	return []string{"parent_id", "name", "code", "kind", "founded_on", "start_on", "end_on", "note"}
}

// loadOrg finds the organization named by the {id} path value, answering 404 itself.
func (s *Server) loadOrg(w http.ResponseWriter, r *http.Request) (*party.Org, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	o, err := s.db.FindOrg(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return o, true
}

// refuseDissolved answers the forms that a dissolved organization no longer has.
func (s *Server) refuseDissolved(w http.ResponseWriter, r *http.Request, o *party.Org) bool {
	if !o.Dissolved() {
		return false
	}
	s.errorPage(w, r, http.StatusConflict, "组织已撤销",
		"“"+o.Name+"”已于"+o.DissolvedOn.Chinese()+"撤销，只能查阅，不能再修改。")
	return true
}

// orgNew shows the form for a new organization under ?parent=ID (top level without it).
func (s *Server) orgNew(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var parent *party.Org
	if ps := r.URL.Query().Get("parent"); ps != "" {
		id, err := strconv.ParseInt(ps, 10, 64)
		if err != nil || id <= 0 {
			s.notFound(w, r)
			return
		}
		if parent, err = s.db.FindOrg(ctx, id); err != nil {
			s.fail(w, r, err)
			return
		}
		if s.refuseDissolved(w, r, parent) {
			return
		}
	}
	f := newForm(nil)
	if parent != nil {
		f.set("parent_id", strconv.FormatInt(parent.ID, 10))
	}
	s.showOrgCreate(w, r, http.StatusOK, f, parent)
}

func (s *Server) showOrgCreate(w http.ResponseWriter, r *http.Request, status int, f *form, parent *party.Org) {
	title := "新建组织"
	intro := "新建一个顶级党组织。"
	var kinds []option
	for _, k := range party.OrgKinds {
		if party.CheckParent(k, parent) == nil {
			kinds = append(kinds, option{Value: string(k), Label: string(k)})
		}
	}
	if parent != nil {
		title = "新建下级组织"
		intro = "在“" + parent.Name + "”（" + string(parent.Kind) + "）下新建组织。"
	}
	p, err := s.orgPageBase(r.Context(), parent, title, crumb{Label: title})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showForm(w, r, status, formPage{page: p, Intro: intro, Action: "/orgs", Submit: "创建", Cancel: cancelURL(parent),
		Form: f, Fields: []field{
			f.input("parent_id", "上级组织", "hidden"),
			f.input("name", "组织名称", "text").req().max(party.MaxNameLen),
			f.input("code", "组织编码", "text").req().max(party.MaxCodeLen).hint("字母、数字和 - _ .，全系统唯一，如 JG-01"),
			f.choice("kind", "组织类别", append([]option{{Value: "", Label: "请选择"}}, kinds...)).req(),
			f.input("founded_on", "成立日期", "date"),
			f.input("start_on", "开始日期", "date").hint("仅临时党支部填写，且必填"),
			f.input("end_on", "结束日期", "date").hint("仅临时党支部填写"),
			f.input("note", "备注", "textarea").max(party.MaxTextLen),
		}})
}

func cancelURL(o *party.Org) string {
	if o == nil {
		return "/orgs"
	}
	return orgURL(o.ID)
}

// orgCreate creates an organization and goes to its page.
func (s *Server) orgCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	var parent *party.Org
	if pid := f.id("parent_id"); pid != 0 {
		var err error
		if parent, err = s.db.FindOrg(ctx, pid); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	o := &party.Org{Name: f.get("name"), Code: f.get("code"), Kind: party.OrgKind(f.get("kind")),
		FoundedOn: f.date("founded_on"), StartOn: f.date("start_on"), EndOn: f.date("end_on"), Note: f.get("note")}
	if parent != nil {
		o.ParentID = parent.ID
	}
	if o.Kind == "" {
		f.setErr("kind", "请选择组织类别")
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		err := s.db.CreateOrg(ctx, o)
		if err == nil {
			redirect(w, r, orgURL(o.ID)+"?done=created")
			return
		}
		if err := f.fail(err, orgFieldNames()...); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showOrgCreate(w, r, status, f, parent)
}

// orgEdit shows the form to rename an organization or change its code, dates and note.
func (s *Server) orgEdit(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok || s.refuseDissolved(w, r, o) {
		return
	}
	f := newForm(nil)
	f.set("name", o.Name)
	f.set("code", o.Code)
	f.set("founded_on", o.FoundedOn.String())
	f.set("start_on", o.StartOn.String())
	f.set("end_on", o.EndOn.String())
	f.set("note", o.Note)
	s.showOrgEdit(w, r, http.StatusOK, f, o)
}

func (s *Server) showOrgEdit(w http.ResponseWriter, r *http.Request, status int, f *form, o *party.Org) {
	p, err := s.orgPageBase(r.Context(), o, "修改组织信息", crumb{Label: "修改"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	fields := []field{
		f.input("name", "组织名称", "text").req().max(party.MaxNameLen),
		f.input("code", "组织编码", "text").req().max(party.MaxCodeLen).hint("字母、数字和 - _ .，全系统唯一"),
		f.input("founded_on", "成立日期", "date"),
	}
	if o.Kind == party.KindTempBranch {
		fields = append(fields, f.input("start_on", "开始日期", "date").req(), f.input("end_on", "结束日期", "date"))
	}
	fields = append(fields, f.input("note", "备注", "textarea").max(party.MaxTextLen))
	s.showForm(w, r, status, formPage{page: p, Intro: "修改“" + o.Name + "”（" + string(o.Kind) + "）的信息。组织类别不能修改。",
		Action: orgURL(o.ID) + "/edit", Submit: "保存", Cancel: orgURL(o.ID), Form: f, Fields: fields})
}

// orgUpdate saves the edit form.
func (s *Server) orgUpdate(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	name, code, note := f.get("name"), f.get("code"), f.get("note")
	founded := f.date("founded_on")
	u := store.OrgUpdate{Name: &name, Code: &code, Note: &note, FoundedOn: &founded}
	if o.Kind == party.KindTempBranch {
		start, end := f.date("start_on"), f.date("end_on")
		u.StartOn, u.EndOn = &start, &end
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		_, err := s.db.UpdateOrg(r.Context(), o.ID, u)
		if err == nil {
			redirect(w, r, orgURL(o.ID)+"?done=saved")
			return
		}
		if err := f.fail(err, orgFieldNames()...); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showOrgEdit(w, r, status, f, o)
}

// orgMoveForm shows the choice of a new parent organization.
func (s *Server) orgMoveForm(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok || s.refuseDissolved(w, r, o) {
		return
	}
	f := newForm(nil)
	f.set("parent_id", strconv.FormatInt(o.ParentID, 10))
	s.showOrgMove(w, r, http.StatusOK, f, o)
}

// parentOptions lists the organizations that may take o (with its subtree) as a child,
// indented by depth in tree order; "0" stands for the top level.
func (s *Server) parentOptions(ctx context.Context, o *party.Org) ([]option, error) {
	all, err := s.db.ListOrgs(ctx, store.OrgFilter{})
	if err != nil {
		return nil, err
	}
	opts := []option{{Value: "", Label: "请选择"}}
	if party.CheckParent(o.Kind, nil) == nil && can(ctx, party.ActOrgWrite, party.Target{OrgPath: party.RootPath}) {
		opts = append(opts, option{Value: "0", Label: "（无上级，作为顶级组织）"})
	}
	for _, p := range all {
		if strings.HasPrefix(p.Path, o.Path) || party.CheckParent(o.Kind, p) != nil ||
			!can(ctx, party.ActOrgWrite, party.Target{OrgPath: p.Path}) {
			continue
		}
		opts = append(opts, option{Value: strconv.FormatInt(p.ID, 10), Label: indent(p) + p.Name + "（" + string(p.Kind) + "）"})
	}
	return opts, nil
}

// indent shows an organization's depth in a select, where nesting cannot be marked up.
func indent(o *party.Org) string { return strings.Repeat("　", o.Depth) }

func (s *Server) showOrgMove(w http.ResponseWriter, r *http.Request, status int, f *form, o *party.Org) {
	ctx := r.Context()
	opts, err := s.parentOptions(ctx, o)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p, err := s.orgPageBase(ctx, o, "调整隶属关系", crumb{Label: "调整隶属关系"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showForm(w, r, status, formPage{page: p,
		Intro:  "把“" + o.Name + "”连同其全部下级组织和党员调整到新的上级组织之下。",
		Action: orgURL(o.ID) + "/move", Submit: "调整", Cancel: orgURL(o.ID), Form: f,
		Fields: []field{f.choice("parent_id", "新的上级组织", opts).req()}})
}

// orgMove moves the organization and its subtree.
func (s *Server) orgMove(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	status := http.StatusUnprocessableEntity
	msg, err := s.formOrgError(r.Context(), party.ActOrgWrite, f.id("parent_id"), "新的上级组织不存在")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if f.get("parent_id") == "" {
		f.setErr("parent_id", "请选择新的上级组织")
	} else if msg != "" {
		f.setErr("parent_id", msg)
	} else {
		_, err := s.db.MoveOrg(r.Context(), o.ID, f.id("parent_id"))
		if err == nil {
			redirect(w, r, orgURL(o.ID)+"?done=moved")
			return
		}
		if err := f.fail(err, "parent_id"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showOrgMove(w, r, status, f, o)
}

// orgDissolveForm asks for the date and reason of a dissolution.
func (s *Server) orgDissolveForm(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok || s.refuseDissolved(w, r, o) {
		return
	}
	f := newForm(nil)
	f.set("dissolved_on", s.today().String())
	s.showOrgDissolve(w, r, http.StatusOK, f, o)
}

func (s *Server) showOrgDissolve(w http.ResponseWriter, r *http.Request, status int, f *form, o *party.Org) {
	p, err := s.orgPageBase(r.Context(), o, "撤销组织", crumb{Label: "撤销"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showForm(w, r, status, formPage{page: p, Danger: true,
		Intro: "撤销“" + o.Name + "”。撤销后组织及其历史记录仍可查阅，但不能再修改。" +
			"组织下还有未撤销的下级组织或在册党员时不能撤销。",
		Action: orgURL(o.ID) + "/dissolve", Submit: "确认撤销", Cancel: orgURL(o.ID), Form: f,
		Fields: []field{
			f.input("dissolved_on", "撤销日期", "date").req(),
			f.input("dissolve_note", "撤销说明", "textarea").max(party.MaxTextLen).hint("如：与某党支部合并"),
		}})
}

// orgDissolve dissolves the organization, or shows why it cannot be.
func (s *Server) orgDissolve(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	on := f.date("dissolved_on")
	status := http.StatusUnprocessableEntity
	if f.ok() {
		_, err := s.db.DissolveOrg(r.Context(), o.ID, on, f.get("dissolve_note"))
		if err == nil {
			redirect(w, r, orgURL(o.ID)+"?done=dissolved")
			return
		}
		if err := f.fail(err, "dissolved_on", "dissolve_note"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showOrgDissolve(w, r, status, f, o)
}
