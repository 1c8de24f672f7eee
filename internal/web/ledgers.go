package web

import (
	"bytes"
	"net/http"
	"strconv"

	"dangjian/internal/compliance"
	"dangjian/internal/office"
	"dangjian/internal/store"
)

// ledgerExport downloads the 组织生活台账 of the subtree of {id} over ?period=: every held or
// cancelled event with its attendance and 第一议题, and records the export in the audit trail.
func (s *Server) ledgerExport(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	pc := s.periodParam(r)
	if pc.Error != "" {
		s.errorPage(w, r, http.StatusUnprocessableEntity, "无法导出", pc.Error)
		return
	}
	events, err := compliance.Ledger(ctx, s.db, o.ID, pc.Period.Span())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := office.WriteEventLedger(&buf, o.Name, pc.Label, s.today(), events); err != nil {
		s.fail(w, r, err)
		return
	}
	name := o.Name + "组织生活台账（" + pc.Label + "）.xlsx"
	detail := map[string]string{"file": name, "period": pc.Value, "count": strconv.Itoa(len(events))}
	if err := s.db.RecordExport(ctx, store.ObjEvent, o.ID, detail); err != nil {
		s.serverError(w, r, err)
		return
	}
	sendFile(w, name, "ledger-"+pc.Value+".xlsx", buf.Bytes())
}

// complianceExport downloads the compliance matrix of the subtree of {id} over ?period=
// (organizations × event types, and a detail sheet), and records the export.
func (s *Server) complianceExport(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	pc := s.periodParam(r)
	if pc.Error != "" {
		s.errorPage(w, r, http.StatusUnprocessableEntity, "无法导出", pc.Error)
		return
	}
	rep, err := compliance.ForPeriod(ctx, s.db, o.ID, pc.Period, s.today())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := office.WriteCompliance(&buf, rep); err != nil {
		s.fail(w, r, err)
		return
	}
	name := o.Name + "组织生活落实情况（" + pc.Label + "）.xlsx"
	detail := map[string]string{"file": name, "period": pc.Value, "rows": strconv.Itoa(len(rep.Rows))}
	if err := s.db.RecordExport(ctx, store.ObjCompliance, o.ID, detail); err != nil {
		s.serverError(w, r, err)
		return
	}
	sendFile(w, name, "compliance-"+pc.Value+".xlsx", buf.Bytes())
}
