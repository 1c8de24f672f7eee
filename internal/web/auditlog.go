package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dangjian/internal/audit"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// auditRow is one audit row as the page shows it.
type auditRow struct {
	store.AuditEntry
	ActionLabel string
	ObjectLabel string
	DetailText  string
}

// auditPage is the search over the audit trail.
type auditPage struct {
	page
	Fields    []field
	Rows      []auditRow
	Total     int
	Page      int
	Pages     int
	PrevURL   string
	NextURL   string
	ExportURL string
	Error     string
}

// auditActions are the actions offered in the search's select: every action of the trail.
func auditActions() []string { return audit.Actions() }

// actionLabel and objectLabel name an audit action and object type in Chinese.
func actionLabel(a string) string { return audit.ActionLabel(a) }
func objectLabel(o string) string { return audit.ObjectLabel(o) }

// auditPerPage is the number of rows on one page of the search.
const auditPerPage = 50

// auditFilter reads the search's parameters into a store filter; problems are recorded on f.
func auditFilter(f *form) store.AuditFilter {
	var af store.AuditFilter
	if d := f.date("from"); !d.IsZero() {
		af.From = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, party.Zone)
	}
	if d := f.date("to"); !d.IsZero() {
		af.To = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, party.Zone).AddDate(0, 0, 1)
	}
	af.Username = party.NormalizeUsername(f.get("user"))
	if a := f.get("action"); a != "" {
		for _, x := range auditActions() {
			if x == a {
				af.Action = a
			}
		}
		if af.Action == "" {
			f.setErr("action", "操作类型无效")
		}
	}
	af.ObjectType = f.get("object")
	if len(af.ObjectType) > 40 || len(af.Username) > 4*party.MaxUsernameLen {
		f.setErr("object", "查询条件过长")
	}
	if v := f.get("object_id"); v != "" {
		id, ok := parseID(v)
		if !ok {
			f.setErr("object_id", "对象编号应为正整数")
		}
		af.ObjectID = id
	}
	return af
}

// auditSearch shows one page of the audit rows matching the search, newest first.
func (s *Server) auditSearch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f := newForm(q)
	af := auditFilter(f)
	data := auditPage{page: s.frame(ctx, "审计记录")}
	actions := []option{{Value: "", Label: "全部操作"}}
	for _, a := range auditActions() {
		actions = append(actions, option{Value: a, Label: actionLabel(a)})
	}
	data.Fields = []field{
		f.input("from", "起始日期", "date"),
		f.input("to", "截止日期", "date"),
		f.input("user", "用户名", "text").max(party.MaxUsernameLen),
		f.choice("action", "操作", actions),
		f.input("object", "对象类型", "text").max(40).hint("member 党员、org 党组织、user 账户、api_token 访问令牌"),
		f.input("object_id", "对象编号", "text").numeric().max(18),
	}
	data.Page, _ = strconv.Atoi(q.Get("page"))
	data.Page = max(1, min(data.Page, 100000))
	status := http.StatusOK
	if !f.ok() {
		status = http.StatusUnprocessableEntity
		for _, fl := range data.Fields {
			if fl.Error != "" {
				data.Error = fl.Label + "：" + fl.Error
			}
		}
		s.render(w, r, status, "audit", "layout", data)
		return
	}
	af.Offset, af.Limit = (data.Page-1)*auditPerPage, auditPerPage
	entries, total, err := s.db.SearchAudit(ctx, af)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, e := range entries {
		data.Rows = append(data.Rows, auditRow{AuditEntry: e, ActionLabel: actionLabel(e.Action),
			ObjectLabel: objectLabel(e.ObjectType), DetailText: audit.DetailText(e.ObjectType, e.Detail)})
	}
	data.Total, data.Pages = total, (total+auditPerPage-1)/auditPerPage
	keep := url.Values{}
	for _, k := range []string{"from", "to", "user", "action", "object", "object_id"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			keep.Set(k, v)
		}
	}
	link := func(page int) string {
		v := url.Values{}
		for k, vs := range keep {
			v[k] = vs
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		if len(v) == 0 {
			return "/audit"
		}
		return "/audit?" + v.Encode()
	}
	if data.Page > 1 {
		data.PrevURL = link(data.Page - 1)
	}
	if data.Page < data.Pages {
		data.NextURL = link(data.Page + 1)
	}
	data.ExportURL = "/audit.xlsx"
	if len(keep) > 0 {
		data.ExportURL += "?" + keep.Encode()
	}
	s.render(w, r, status, "audit", "layout", data)
}

// auditExport downloads the rows matching the search as a workbook; the export is itself
// recorded in the trail.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request) {
	f := newForm(r.URL.Query())
	af := auditFilter(f)
	if !f.ok() {
		s.errorPage(w, r, http.StatusUnprocessableEntity, "无法导出", "查询条件有误，请返回审计记录页面修改后再导出。")
		return
	}
	var buf bytes.Buffer
	if _, err := audit.Export(r.Context(), s.db, af, &buf); err != nil {
		s.serverError(w, r, err)
		return
	}
	sendFile(w, "审计记录.xlsx", "audit.xlsx", buf.Bytes())
}
