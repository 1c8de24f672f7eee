package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"dangjian/internal/auth"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// Messages of the rule pages.
const (
	msgRuleKindWide = "只有负责全系统的党建管理员可以设置或修改适用于全部组织的规则；请选择您负责的组织作为适用范围"
	msgRuleScope    = "请选择适用范围"
	msgRuleOrg      = "所选组织不存在"
)

// ruleRow is one rule as the rule list shows it.
type ruleRow struct {
	Rule     *party.Rule
	Scope    string
	Upcoming bool
	CanEdit  bool
}

// rulesPage lists the rules in force (and those still to take effect) and the past ones.
type rulesPage struct {
	page
	Current []ruleRow
	Past    []ruleRow
}

// ruleVisible reports whether p, who administers rules in some subtrees, sees rule r: a rule
// for every organization of some kinds, or one whose subtree overlaps p's. A rule of another
// bureau's subtree is not shown, so its organization's name stays unseen.
func ruleVisible(p *party.Principal, r *party.Rule) bool {
	if r.RootOrgID == 0 {
		return true
	}
	for _, root := range p.Roots(party.ActRuleAdmin) {
		if strings.HasPrefix(r.RootPath, root) || strings.HasPrefix(root, r.RootPath) {
			return true
		}
	}
	return false
}

// ruleEditable reports whether p may change rule r: a subtree rule needs the action on that
// subtree, a rule for all organizations a grant on the whole installation.
func ruleEditable(p *party.Principal, r *party.Rule) bool {
	path := r.RootPath
	if r.RootOrgID == 0 {
		path = party.RootPath
	}
	return p.Can(party.ActRuleAdmin, party.Target{OrgPath: path})
}

// ruleScope describes where rule r applies.
func ruleScope(r *party.Rule) string {
	if r.RootOrgID == 0 {
		return "全部" + r.KindsText()
	}
	return r.RootName + "及下级组织中的" + r.KindsText()
}

func ruleURL(id int64) string { return "/admin/rules/" + strconv.FormatInt(id, 10) }

// ruleList shows the rules the user administers or is governed by.
func (s *Server) ruleList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := party.PrincipalFrom(ctx)
	rules, err := s.db.Rules(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	today := s.today()
	var data rulesPage
	for _, ru := range rules {
		if !ruleVisible(p, ru) {
			continue
		}
		row := ruleRow{Rule: ru, Scope: ruleScope(ru), Upcoming: ru.EffectiveFrom.After(today), CanEdit: ruleEditable(p, ru)}
		if !ru.EffectiveTo.IsZero() && ru.EffectiveTo.Before(today) {
			data.Past = append(data.Past, row)
		} else {
			data.Current = append(data.Current, row)
		}
	}
	data.page = s.frame(ctx, "组织生活规则")
	data.Flash = ruleFlash(r.URL.Query().Get("done"))
	s.render(w, r, http.StatusOK, "rules", "layout", data)
}

// ruleFlash confirms a change of the rules or the event types; unknown keys show nothing.
func ruleFlash(key string) string {
	switch key {
	case "created":
		return "规则已添加。"
	case "replaced":
		return "原规则已于新规则生效前一日失效，新规则已添加。"
	case "text":
		return "依据和备注已保存。"
	case "ended":
		return "已设置规则的失效日期。"
	case "type-created":
		return "活动类型已添加。"
	case "type-on":
		return "活动类型已启用。"
	case "type-off":
		return "活动类型已停用，以往活动不受影响。"
	case "type-kinds":
		return "已修改活动类型的适用组织；已登记和已计划的活动不受影响。"
	}
	return ""
}

// kindChoice is one organization kind in the rule form's checkbox group.
type kindChoice struct {
	Value   string
	Checked bool
}

// ruleFormPage is the form of a new rule: a formPage with the kinds as a checkbox group.
type ruleFormPage struct {
	formPage
	Kinds      []kindChoice
	KindsError string
}

// ruleFieldNames are the form fields a rule's validation errors may name.
var ruleFieldNames = []string{"type", "kinds", "root_org_id", "frequency", "min_count", "effective_from", "effective_to", "source", "note"}

// frequencyOptions lists the frequencies for a select.
func frequencyOptions() []option {
	out := []option{{Value: "", Label: "请选择"}}
	for _, f := range party.Frequencies {
		out = append(out, option{Value: string(f), Label: f.Label()})
	}
	return out
}

// eventTypeOptions lists the active event types for a select.
func (s *Server) eventTypeOptions(ctx context.Context) ([]option, error) {
	types, err := s.db.EventTypes(ctx)
	if err != nil {
		return nil, err
	}
	out := []option{{Value: "", Label: "请选择"}}
	for _, t := range types {
		if t.Active {
			out = append(out, option{Value: string(t.Code), Label: t.Name})
		}
	}
	return out, nil
}

// ruleScopeOptions lists where the user may set a rule: all organizations (with a grant on
// the whole installation) and the organizations of their subtrees.
func (s *Server) ruleScopeOptions(ctx context.Context) ([]option, error) {
	p := party.PrincipalFrom(ctx)
	out := []option{{Value: "", Label: "请选择"}}
	everywhere, ids := p.Scopes(party.ActRuleAdmin)
	var orgs []*party.Org
	if everywhere {
		out = append(out, option{Value: "0", Label: "全部组织（按组织类别）"})
		all, err := s.db.ListOrgs(ctx, store.OrgFilter{})
		if err != nil {
			return nil, err
		}
		orgs = all
	}
	for _, id := range ids {
		list, err := s.db.ListOrgs(ctx, store.OrgFilter{Root: id})
		if err != nil {
			return nil, err
		}
		orgs = append(orgs, list...)
	}
	for _, o := range orgs {
		out = append(out, option{Value: strconv.FormatInt(o.ID, 10), Label: indent(o) + o.Name + "及下级组织"})
	}
	return out, nil
}

// ruleNew shows the form for a new rule.
func (s *Server) ruleNew(w http.ResponseWriter, r *http.Request) {
	f := newForm(url.Values{"min_count": {"1"}, "effective_from": {s.today().String()}})
	s.showRuleForm(w, r, http.StatusOK, f)
}

func (s *Server) showRuleForm(w http.ResponseWriter, r *http.Request, status int, f *form) {
	ctx := r.Context()
	types, err := s.eventTypeOptions(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	scopes, err := s.ruleScopeOptions(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.frame(ctx, "添加规则")
	p.Crumbs = []crumb{{Label: "组织生活规则", URL: "/admin/rules"}, {Label: "添加规则"}}
	fp := ruleFormPage{formPage: formPage{page: p, Action: "/admin/rules", Submit: "添加", Cancel: "/admin/rules", Form: f,
		Intro: "规则规定某类组织在什么期间内至少召开几次某类活动。规则有生效日期：以往期间始终按当时有效的规则检查；要改变现行要求，请在规则页面“调整要求”，不要新建重叠的规则。"}}
	fp.Fields = []field{
		f.choice("type", "活动类型", types).req(),
		f.choice("root_org_id", "适用范围", scopes).req().hint("选择某个组织时，规则只适用于该组织及其下级组织，并在其中取代同类的全局规则"),
		f.choice("frequency", "频次", frequencyOptions()).req(),
		f.input("min_count", "每期至少次数", "text").req().numeric().max(3).hint("1至100"),
		f.input("effective_from", "生效日期", "date").req(),
		f.input("effective_to", "失效日期", "date").hint("规则有效的最后一天；长期有效可不填"),
		f.input("source", "依据", "text").req().max(500).hint("如：《中国共产党支部工作条例（试行）》第十一条"),
		f.input("note", "备注", "textarea").max(party.MaxTextLen),
	}
	fp.Kinds = kindChoices(f.values["kinds"])
	fp.KindsError = f.errs["kinds"]
	for _, fl := range fp.Fields {
		if fl.Error != "" {
			fp.Errors = append(fp.Errors, fl)
		}
	}
	if fp.KindsError != "" {
		fp.Errors = append(fp.Errors, field{Name: "kinds", Label: "适用的组织类别", Error: fp.KindsError})
	}
	s.render(w, r, status, "rule_form", "layout", fp)
}

// ruleFromForm reads the requirement fields of a rule, recording malformed values beside
// their fields.
func ruleFromForm(f *form) *party.Rule {
	ru := &party.Rule{Type: party.EventTypeCode(f.get("type")), Frequency: party.Frequency(f.get("frequency")),
		EffectiveFrom: f.date("effective_from"), EffectiveTo: f.date("effective_to"), Source: f.get("source"),
		Note: strings.TrimSpace(f.values.Get("note"))}
	ru.Kinds = formKinds(f.values["kinds"])
	if v := f.get("min_count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.setErr("min_count", "每期至少次数应为1至100的整数")
		}
		ru.MinCount = n
	}
	return ru
}

// checkRuleScope reads the rule form's scope into ru and checks that the user may set a rule
// there; a refusal is recorded beside the field and its status returned.
func (s *Server) checkRuleScope(ctx context.Context, f *form, ru *party.Rule) (int, error) {
	v := f.get("root_org_id")
	switch v {
	case "":
		f.setErr("root_org_id", msgRuleScope)
		return http.StatusUnprocessableEntity, nil
	case "0":
		if !party.PrincipalFrom(ctx).Can(party.ActRuleAdmin, party.Target{OrgPath: party.RootPath}) {
			f.setErr("root_org_id", msgRuleKindWide)
			return http.StatusForbidden, nil
		}
		return 0, nil
	}
	id, ok := parseID(v)
	if !ok {
		f.setErr("root_org_id", msgRuleOrg)
		return http.StatusUnprocessableEntity, nil
	}
	msg, err := s.formOrgError(ctx, party.ActRuleAdmin, id, msgRuleOrg)
	if err != nil {
		return 0, err
	}
	if msg != "" {
		f.setErr("root_org_id", msg)
		return http.StatusUnprocessableEntity, nil
	}
	ru.RootOrgID = id
	return 0, nil
}

// ruleCreate adds a rule.
func (s *Server) ruleCreate(w http.ResponseWriter, r *http.Request) {
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	ru := ruleFromForm(f)
	status, err := s.checkRuleScope(ctx, f, ru)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if status == 0 {
		status = http.StatusUnprocessableEntity
	}
	if f.ok() {
		err := s.db.CreateRule(ctx, ru)
		if err == nil {
			redirect(w, r, "/admin/rules?done=created")
			return
		}
		if err := f.fail(err, ruleFieldNames...); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showRuleForm(w, r, status, f)
}

// loadRule finds the rule of the {rid} path value: 404 for one the user does not see, and,
// when change is set, 403 for one the user may not change.
func (s *Server) loadRule(w http.ResponseWriter, r *http.Request, change bool) (*party.Rule, bool) {
	id, ok := pathID(r, "rid")
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	ru, err := s.db.FindRule(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	p := party.PrincipalFrom(r.Context())
	if !ruleVisible(p, ru) {
		s.fail(w, r, party.Errorf(party.ENOTFOUND, "规则不存在"))
		return nil, false
	}
	if change && !ruleEditable(p, ru) {
		err := auth.Forbidden()
		if ru.RootOrgID == 0 {
			err = party.Errorf(party.EFORBIDDEN, "只有负责全系统的党建管理员可以修改适用于全部组织的规则")
		}
		s.fail(w, r, err)
		return nil, false
	}
	return ru, true
}

// subForm is one of several forms on a page, with its own values and errors.
type subForm struct {
	Action string
	Op     string
	Submit string
	Form   *form
	Fields []field
	Errors []field
	Danger bool
}

func newSubForm(action, op, submit string, f *form, fields ...field) subForm {
	sf := subForm{Action: action, Op: op, Submit: submit, Form: f, Fields: fields}
	for _, fl := range fields {
		if fl.Error != "" {
			sf.Errors = append(sf.Errors, fl)
		}
	}
	return sf
}

// ruleEditPage is one rule with the three ways to change it.
type ruleEditPage struct {
	page
	Rule    *party.Rule
	Scope   string
	Replace subForm
	Text    subForm
	End     subForm
}

// ruleEdit shows a rule with the forms that change it.
func (s *Server) ruleEdit(w http.ResponseWriter, r *http.Request) {
	ru, ok := s.loadRule(w, r, true)
	if !ok {
		return
	}
	s.showRuleEdit(w, r, http.StatusOK, ru, nil, nil, nil)
}

func (s *Server) showRuleEdit(w http.ResponseWriter, r *http.Request, status int, ru *party.Rule, replace, text, end *form) {
	if replace == nil {
		replace = newForm(url.Values{"frequency": {string(ru.Frequency)}, "min_count": {strconv.Itoa(ru.MinCount)},
			"source": {ru.Source}, "note": {ru.Note}})
	}
	if text == nil {
		text = newForm(url.Values{"text_source": {ru.Source}, "text_note": {ru.Note}})
	}
	if end == nil {
		end = newForm(nil)
	}
	action := ruleURL(ru.ID) + "/edit"
	data := ruleEditPage{Rule: ru, Scope: ruleScope(ru),
		Replace: newSubForm(action, "replace", "调整要求", replace,
			replace.choice("frequency", "新的频次", frequencyOptions()).req(),
			replace.input("min_count", "新的每期至少次数", "text").req().numeric().max(3).hint("1至100"),
			replace.input("effective_from", "新要求的生效日期", "date").req().hint("原规则于此日前一天失效；此前的期间仍按原规则检查"),
			replace.input("source", "依据", "text").req().max(500),
			replace.input("note", "备注", "textarea").max(party.MaxTextLen)),
		Text: newSubForm(action, "text", "保存", text,
			text.input("text_source", "依据", "text").req().max(500),
			text.input("text_note", "备注", "textarea").max(party.MaxTextLen)),
		End: newSubForm(ruleURL(ru.ID)+"/end", "", "设置失效日期", end,
			end.input("effective_to", "失效日期", "date").req().hint("规则有效的最后一天；此后不再要求，除非另有规则")),
	}
	data.End.Danger = true
	data.page = s.frame(r.Context(), "规则："+ru.TypeName+" "+ru.Describe())
	data.Crumbs = []crumb{{Label: "组织生活规则", URL: "/admin/rules"}, {Label: ru.TypeName + " " + ru.Describe()}}
	s.render(w, r, status, "rule_edit", "layout", data)
}

// ruleUpdate changes a rule: op=replace ends it and adds its successor from a date (how a
// requirement changes without rewriting how the past is judged); op=text changes the source
// and note, which judge nothing.
func (s *Server) ruleUpdate(w http.ResponseWriter, r *http.Request) {
	ru, ok := s.loadRule(w, r, true)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	switch f.get("op") {
	case "replace":
		next := ruleFromForm(f)
		next.Type, next.Kinds, next.RootOrgID, next.EffectiveTo = ru.Type, ru.Kinds, ru.RootOrgID, party.Date{}
		status := http.StatusUnprocessableEntity
		if f.ok() {
			err := s.db.ReplaceRule(ctx, ru.ID, next)
			if err == nil {
				redirect(w, r, "/admin/rules?done=replaced")
				return
			}
			status = statusFor(err)
			// The old rule's end date is the day before the new start.
			if party.ErrorField(err) == "effective_to" {
				f.setErr("effective_from", party.ErrorMessage(err))
			} else if err := f.fail(err, "frequency", "min_count", "effective_from", "source", "note"); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		s.showRuleEdit(w, r, status, ru, f, nil, nil)
	case "text":
		_, err := s.db.UpdateRuleText(ctx, ru.ID, f.get("text_source"), strings.TrimSpace(f.values.Get("text_note")))
		if err == nil {
			redirect(w, r, "/admin/rules?done=text")
			return
		}
		if party.ErrorCode(err) == party.EINTERNAL {
			s.serverError(w, r, err)
			return
		}
		switch party.ErrorField(err) {
		case "source", "note":
			f.setErr("text_"+party.ErrorField(err), party.ErrorMessage(err))
		default:
			f.Message = party.ErrorMessage(err)
		}
		s.showRuleEdit(w, r, statusFor(err), ru, nil, f, nil)
	default:
		f.Message = "请使用页面上的表单提交修改"
		s.showRuleEdit(w, r, http.StatusUnprocessableEntity, ru, nil, nil, f)
	}
}

// ruleEnd sets the last day a rule is in force.
func (s *Server) ruleEnd(w http.ResponseWriter, r *http.Request) {
	ru, ok := s.loadRule(w, r, true)
	if !ok {
		return
	}
	f, ok := s.parseForm(w, r)
	if !ok {
		return
	}
	last := f.date("effective_to")
	if f.ok() && last.IsZero() {
		f.setErr("effective_to", "请填写失效日期")
	}
	status := http.StatusUnprocessableEntity
	if f.ok() {
		_, err := s.db.EndRule(r.Context(), ru.ID, last)
		if err == nil {
			redirect(w, r, "/admin/rules?done=ended")
			return
		}
		if err := f.fail(err, "effective_to"); err != nil {
			s.serverError(w, r, err)
			return
		}
		status = statusFor(err)
	}
	s.showRuleEdit(w, r, status, ru, nil, nil, f)
}
