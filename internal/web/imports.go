package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"dangjian/internal/office"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// importPage is the page of an import: the upload form, then either every bad row or the
// counts with a confirm button, then the result.
type importPage struct {
	page
	Intro       string
	Action      string
	TemplateURL string
	Form        *form
	Fields      []field
	Errors      []field
	FileName    string
	Result      *party.ImportResult
	Noun        string // 人, 个组织 or 次活动
	// Ledger is set for the event ledger: its rows are only added, never updated, and the
	// whole file is 活动.
	Ledger     bool
	ConfirmURL string
	Done       bool
	DoneURL    string
	DoneLabel  string
}

// memberImportForm shows the roster upload form of organization {id}.
func (s *Server) memberImportForm(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok || s.refuseDissolved(w, r, o) {
		return
	}
	s.showMemberImport(w, r, http.StatusOK, o, importPage{Form: newForm(nil)})
}

func (s *Server) showMemberImport(w http.ResponseWriter, r *http.Request, status int, o *party.Org, ip importPage) {
	p, err := s.orgPageBase(r.Context(), o, "导入党员名册", crumb{Label: "导入党员名册"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ip.page = p
	ip.Intro = "把党员名册（.xlsx）导入“" + o.Name + "”。所在党支部须为本组织范围内的党支部名称或编码。" +
		"先检查整个文件：有任何一行错误就不导入，并列出全部错误；无误时显示将新增和更新的人数，确认后才导入。" +
		"身份证号已登记的党员会被更新，不会重复。"
	ip.Action = orgURL(o.ID) + "/import"
	ip.TemplateURL = orgURL(o.ID) + "/template.xlsx"
	ip.Noun = "人"
	ip.Fields = []field{fileField(ip.Form)}
	s.showImport(w, r, status, ip)
}

func (s *Server) showImport(w http.ResponseWriter, r *http.Request, status int, ip importPage) {
	for _, fl := range ip.Fields {
		if fl.Error != "" {
			ip.Errors = append(ip.Errors, fl)
		}
	}
	s.render(w, r, status, "import", "layout", ip)
}

func fileField(f *form) field {
	fl := f.input("file", "Excel 文件（.xlsx，不超过20MB）", "file").req()
	fl.Accept = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	return fl
}

// readUpload reads a multipart form holding one file named "file" and small text fields,
// entirely in memory. Problems the user can fix are recorded on f, with the status to answer.
func readUpload(r *http.Request) (f *form, name string, data []byte, status int) {
	f = newForm(nil)
	fail := func(code int, msg string) (*form, string, []byte, int) {
		f.setErr("file", msg)
		return f, "", nil, code
	}
	const tooBig = "文件超过20MB，请拆分后分批导入"
	mr, err := r.MultipartReader()
	if err != nil {
		return fail(http.StatusUnprocessableEntity, "请选择要导入的文件")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return fail(http.StatusRequestEntityTooLarge, tooBig)
		}
		if err != nil {
			return fail(http.StatusBadRequest, "上传未完成，请重新选择文件")
		}
		limit := int64(1024)
		if part.FormName() == "file" {
			limit = maxUploadFile + 1
		}
		b, err := io.ReadAll(io.LimitReader(part, limit))
		part.Close()
		switch {
		case errors.As(err, &maxErr) || (part.FormName() == "file" && len(b) > maxUploadFile):
			return fail(http.StatusRequestEntityTooLarge, tooBig)
		case err != nil:
			return fail(http.StatusBadRequest, "上传未完成，请重新选择文件")
		case part.FormName() == "file":
			name, data = filepath.Base(part.FileName()), b
		default:
			f.values.Add(part.FormName(), string(b))
		}
	}
	if len(data) == 0 {
		return fail(http.StatusUnprocessableEntity, "请选择要导入的文件（文件不能为空）")
	}
	if !strings.EqualFold(filepath.Ext(name), ".xlsx") {
		return fail(http.StatusUnprocessableEntity, "只能导入 Excel 2007 及以上版本的 .xlsx 文件；.xls 文件请先在 Excel 中另存为 .xlsx")
	}
	return f, name, data, http.StatusOK
}

// orgImport is one kind of workbook imported into an organization's subtree, checked in a dry
// run first and imported after the user confirms: the roster, the event ledger.
type orgImport struct {
	kind string // the pending upload's kind
	path string // the import page under the organization's URL, e.g. "/import"
	// refuseDissolved refuses the import into a dissolved organization before reading the file.
	refuseDissolved bool
	run             func(ctx context.Context, db *store.DB, root int64, r io.Reader, dryRun bool) (*party.ImportResult, error)
	show            func(s *Server, w http.ResponseWriter, r *http.Request, status int, o *party.Org, ip importPage)
	// done is where the result page leads.
	done func(s *Server, o *party.Org) (url, label string)
}

// rosterImport imports a roster (党员名册).
var rosterImport = orgImport{kind: "members", path: "/import", run: office.ImportMembers,
	show: (*Server).showMemberImport,
	done: func(_ *Server, o *party.Org) (string, string) {
		return orgURL(o.ID) + "#members", "查看“" + o.Name + "”的党员名单"
	}}

// importPreview checks an uploaded workbook in a dry run and shows every bad row, or the
// counts and a confirm button; the file waits in memory for the confirmation.
func (s *Server) importPreview(w http.ResponseWriter, r *http.Request, im orgImport) {
	o, ok := s.loadOrg(w, r)
	if !ok || (im.refuseDissolved && s.refuseDissolved(w, r, o)) {
		return
	}
	f, name, data, status := readUpload(r)
	ip := importPage{Form: f, FileName: name}
	if status != http.StatusOK {
		im.show(s, w, r, status, o, ip)
		return
	}
	res, err := im.run(r.Context(), s.db, o.ID, bytes.NewReader(data), true)
	if err != nil {
		if err := f.fail(err, "file"); err != nil {
			s.serverError(w, r, err)
			return
		}
		im.show(s, w, r, statusFor(err), o, ip)
		return
	}
	ip.Result = res
	if len(res.Errors) > 0 {
		im.show(s, w, r, http.StatusUnprocessableEntity, o, ip)
		return
	}
	if res.Created+res.Updated+res.Unchanged == 0 {
		// An empty template: nothing to confirm.
		f.setErr("file", "文件中没有数据：第1行为表头，请从第2行起每行填写一条记录")
		ip.Result = nil
		im.show(s, w, r, http.StatusUnprocessableEntity, o, ip)
		return
	}
	token, err := s.uploads.put(&upload{kind: im.kind, orgID: o.ID, userID: userOf(r), name: name, data: data})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ip.ConfirmURL = orgURL(o.ID) + im.path + "/" + token
	im.show(s, w, r, http.StatusOK, o, ip)
}

// importConfirm imports the previewed workbook for real and shows the result.
func (s *Server) importConfirm(w http.ResponseWriter, r *http.Request, im orgImport) {
	o, ok := s.loadOrg(w, r)
	if !ok || (im.refuseDissolved && s.refuseDissolved(w, r, o)) {
		return
	}
	token := r.PathValue("token")
	if !validToken(token) {
		s.notFound(w, r)
		return
	}
	up, ok := s.uploads.get(token, im.kind, o.ID, userOf(r))
	if !ok {
		f := newForm(nil)
		f.Message = "没有待确认的导入：该文件可能已经导入，或上传已超过30分钟。请重新选择文件。"
		im.show(s, w, r, http.StatusGone, o, importPage{Form: f})
		return
	}
	res, err := im.run(r.Context(), s.db, o.ID, bytes.NewReader(up.data), false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.uploads.remove(token)
	ip := importPage{Form: newForm(nil), FileName: up.name, Result: res}
	if len(res.Errors) > 0 {
		// The tree or the rosters changed since the preview: nothing was imported.
		im.show(s, w, r, http.StatusConflict, o, ip)
		return
	}
	ip.Done = true
	ip.DoneURL, ip.DoneLabel = im.done(s, o)
	im.show(s, w, r, http.StatusOK, o, ip)
}

// memberImportPreview and memberImportConfirm are the roster's import steps.
func (s *Server) memberImportPreview(w http.ResponseWriter, r *http.Request) {
	s.importPreview(w, r, rosterImport)
}

func (s *Server) memberImportConfirm(w http.ResponseWriter, r *http.Request) {
	s.importConfirm(w, r, rosterImport)
}

// orgImportForm shows the organization sheet upload form, with ?parent=ID preselected.
func (s *Server) orgImportForm(w http.ResponseWriter, r *http.Request) {
	f := newForm(nil)
	f.set("parent_id", r.URL.Query().Get("parent"))
	s.showOrgImport(w, r, http.StatusOK, importPage{Form: f})
}

func (s *Server) showOrgImport(w http.ResponseWriter, r *http.Request, status int, ip importPage) {
	ctx := r.Context()
	orgs, err := s.db.ListOrgs(ctx, store.OrgFilter{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var opts []option
	if can(ctx, party.ActOrgWrite, party.Target{OrgPath: party.RootPath}) {
		opts = append(opts, option{Value: "0", Label: "（无，作为顶级组织）"})
	}
	for _, o := range orgs {
		if o.Kind == party.KindGroup || !can(ctx, party.ActOrgWrite, party.Target{OrgPath: o.Path}) {
			continue
		}
		opts = append(opts, option{Value: strconv.FormatInt(o.ID, 10), Label: indent(o) + o.Name + "（" + string(o.Kind) + "）"})
	}
	p, err := s.orgPageBase(ctx, nil, "导入组织机构", crumb{Label: "导入组织机构"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ip.page = p
	ip.Intro = "用一张表建立组织树。表头为：" + strings.Join(party.OrgHeaders, "、") + "。" +
		"上级组织填已有组织或本表前面各行的名称或编码；不填的行放在下面所选的上级组织之下。" +
		"有任何一行错误就不导入，并列出全部错误；无误时显示将新增的组织数，确认后才导入。"
	ip.Action = "/orgs/import"
	ip.TemplateURL = "/orgs/template.xlsx"
	ip.Noun = "个组织"
	ip.Fields = []field{ip.Form.choice("parent_id", "默认上级组织", opts), fileField(ip.Form)}
	s.showImport(w, r, status, ip)
}

// orgImportPreview checks an uploaded organization sheet in a dry run.
func (s *Server) orgImportPreview(w http.ResponseWriter, r *http.Request) {
	f, name, data, status := readUpload(r)
	ip := importPage{Form: f, FileName: name}
	parent := f.id("parent_id")
	if msg, err := s.formOrgError(r.Context(), party.ActOrgWrite, parent, "所选上级组织不存在"); err != nil {
		s.serverError(w, r, err)
		return
	} else if msg != "" {
		f.setErr("parent_id", msg)
	}
	if status == http.StatusOK && !f.ok() {
		status = http.StatusUnprocessableEntity
	}
	if status != http.StatusOK {
		s.showOrgImport(w, r, status, ip)
		return
	}
	res, err := office.ImportOrgs(r.Context(), s.db, parent, bytes.NewReader(data), true)
	if err != nil {
		if err := f.fail(err, "file"); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.showOrgImport(w, r, statusFor(err), ip)
		return
	}
	ip.Result = res
	if len(res.Errors) > 0 {
		s.showOrgImport(w, r, http.StatusUnprocessableEntity, ip)
		return
	}
	token, err := s.uploads.put(&upload{kind: "orgs", orgID: parent, userID: userOf(r), name: name, data: data})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ip.ConfirmURL = "/orgs/import/confirm/" + token + "?" + url.Values{"parent": {strconv.FormatInt(parent, 10)}}.Encode()
	s.showOrgImport(w, r, http.StatusOK, ip)
}

// orgImportConfirm imports the previewed organization sheet for real.
func (s *Server) orgImportConfirm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !validToken(token) {
		s.notFound(w, r)
		return
	}
	parent, err := strconv.ParseInt(r.URL.Query().Get("parent"), 10, 64)
	if err != nil || parent < 0 {
		s.notFound(w, r)
		return
	}
	if err := s.auth.AllowParent(r.Context(), party.PrincipalFrom(r.Context()), party.ActOrgWrite, parent); err != nil {
		s.fail(w, r, err)
		return
	}
	up, ok := s.uploads.get(token, "orgs", parent, userOf(r))
	if !ok {
		f := newForm(nil)
		f.Message = "没有待确认的导入：该文件可能已经导入，或上传已超过30分钟。请重新选择文件。"
		s.showOrgImport(w, r, http.StatusGone, importPage{Form: f})
		return
	}
	res, err := office.ImportOrgs(r.Context(), s.db, parent, bytes.NewReader(up.data), false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.uploads.remove(token)
	ip := importPage{Form: newForm(nil), FileName: up.name, Result: res}
	if len(res.Errors) > 0 {
		s.showOrgImport(w, r, http.StatusConflict, ip)
		return
	}
	ip.Done, ip.DoneURL, ip.DoneLabel = true, "/orgs", "查看组织树"
	if parent != 0 {
		ip.DoneURL, ip.DoneLabel = orgURL(parent), "查看上级组织"
	}
	s.showOrgImport(w, r, http.StatusOK, ip)
}

// userOf returns the id of the request's user.
func userOf(r *http.Request) int64 { return party.PrincipalFrom(r.Context()).UserID }
