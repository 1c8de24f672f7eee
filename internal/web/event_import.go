package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"

	"dangjian/internal/office"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// uploadEvents is the kind of a pending event ledger upload.
const uploadEvents = "events"

// eventImportForm shows the event ledger upload form of organization {id}.
func (s *Server) eventImportForm(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok || s.refuseDissolved(w, r, o) {
		return
	}
	s.showEventImport(w, r, http.StatusOK, o, importPage{Form: newForm(nil)})
}

// eventTemplate downloads the empty event ledger template of the subtree of {id}, with
// drop-down lists of its organizations and of the active event types.
func (s *Server) eventTemplate(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	orgs, err := s.db.ListOrgs(ctx, store.OrgFilter{Root: o.ID})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	types, err := s.db.EventTypes(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := office.WriteEventTemplate(&buf, orgs, types); err != nil {
		s.serverError(w, r, err)
		return
	}
	sendFile(w, o.Name+"活动台账导入模板.xlsx", "event-ledger-template.xlsx", buf.Bytes())
}

func (s *Server) showEventImport(w http.ResponseWriter, r *http.Request, status int, o *party.Org, ip importPage) {
	p, err := s.orgPageBase(r.Context(), o, "导入活动台账", crumb{Label: "导入活动台账"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ip.page = p
	ip.Intro = "把已召开的组织生活和学习活动台账（.xlsx，第一个工作表）导入“" + o.Name + "”及其下级组织。第一行为表头：" +
		strings.Join(party.EventHeaders, "、") + "。每行一次已召开的活动；组织填本组织范围内组织的名称或编码，" +
		"出席、请假、缺席人员填该组织党员的姓名，用顿号分隔，请假原因写在姓名后的括号里。" +
		"先检查整个文件：有任何一行错误就不导入，并列出全部错误；无误时显示将新增的活动数，确认后才导入。已登记过的活动不会重复。" +
		"请使用下方的导入模板；导出的组织生活台账是打印用的格式，不能直接导入。"
	ip.Action = orgURL(o.ID) + "/events/import"
	ip.TemplateURL = orgURL(o.ID) + "/events/template.xlsx"
	ip.Noun = "次活动"
	ip.Fields = []field{fileField(ip.Form)}
	for _, fl := range ip.Fields {
		if fl.Error != "" {
			ip.Errors = append(ip.Errors, fl)
		}
	}
	ip.Ledger = true
	s.render(w, r, status, "import", "layout", ip)
}

// ledgerImport imports an event ledger (组织生活台账) of past events.
var ledgerImport = orgImport{kind: uploadEvents, path: "/events/import", refuseDissolved: true, run: importLedger,
	show: (*Server).showEventImport,
	done: func(s *Server, o *party.Org) (string, string) {
		return withPeriod(orgURL(o.ID)+"/compliance", party.PeriodOf(party.HalfYear, s.today())),
			"查看“" + o.Name + "”的组织生活落实情况"
	}}

// importLedger imports an event ledger; a 第一议题 title the ledger lacks becomes a new item
// only for an administrator of the whole installation, who may add to the shared ledger.
func importLedger(ctx context.Context, db *store.DB, root int64, r io.Reader, dryRun bool) (*party.ImportResult, error) {
	var opts []store.EventImportOption
	if !party.PrincipalFrom(ctx).Can(party.ActTopicWrite, party.Target{OrgPath: party.RootPath}) {
		opts = append(opts, store.KnownTopicsOnly())
	}
	return office.ImportEvents(ctx, db, root, r, dryRun, opts...)
}

// eventImportPreview and eventImportConfirm are the event ledger's import steps.
func (s *Server) eventImportPreview(w http.ResponseWriter, r *http.Request) {
	s.importPreview(w, r, ledgerImport)
}

func (s *Server) eventImportConfirm(w http.ResponseWriter, r *http.Request) {
	s.importConfirm(w, r, ledgerImport)
}
