package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"dangjian/internal/party"
	"dangjian/internal/store"
)

// ledgerColumns maps the columns of an event ledger (party.EventHeaders), as import errors
// name them, to the fields of an imported row.
var ledgerColumns = map[string]string{"组织": "org", "类型": "type", "日期": "date", "开始时间": "start_time",
	"主题": "title", "主持人": "host", "记录人": "recorder", "应到人数": "expected", "出席人员": "present",
	"请假人员": "leave", "缺席人员": "absent", "第一议题": "topics"}

// ledgerRowRequest is one held event of an imported ledger, as the columns of the ledger
// sheet hold it: organization and type by name or code, people by name.
type ledgerRowRequest struct {
	Org       string               `json:"org"`
	Type      string               `json:"type"`
	Date      string               `json:"date"`
	StartTime string               `json:"start_time"`
	Title     string               `json:"title"`
	Host      string               `json:"host"`
	Recorder  string               `json:"recorder"`
	Expected  int                  `json:"expected"`
	Present   []string             `json:"present"`
	Leave     []ledgerLeaveRequest `json:"leave"`
	Absent    []string             `json:"absent"`
	Topics    []string             `json:"topics"`
}

// ledgerLeaveRequest is a member on leave, with the reason when known.
type ledgerLeaveRequest struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// ledgerImportRequest is the body of POST /api/v1/orgs/{id}/events/import.
type ledgerImportRequest struct {
	DryRun bool               `json:"dry_run"`
	Rows   []ledgerRowRequest `json:"rows"`
}

// maxLedgerRows bounds one import request: with their attendees' names, that many rows fill
// about the 1 MB a request may carry.
const maxLedgerRows = 2000

// importLedger answers POST /api/v1/orgs/{id}/events/import: the held events of a ledger,
// recorded in organization {id}'s subtree all or nothing, as the web page's ledger import
// does. Every bad row is listed (row 1 is the first of rows, field the row's field at fault);
// with dry_run nothing is written.
func (a *API) importLedger(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req ledgerImportRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	switch {
	case len(req.Rows) == 0:
		return invalid("rows", "字段 rows 不能为空：每项为一次已召开的活动")
	case len(req.Rows) > maxLedgerRows:
		return invalid("rows", "一次最多导入2000条活动，请分批提交")
	}
	var errs []party.RowError
	rows := make([]party.EventRow, 0, len(req.Rows))
	for i, x := range req.Rows {
		before := len(errs)
		row := party.EventRow{Row: i + 1, Org: strings.TrimSpace(x.Org), Type: strings.TrimSpace(x.Type), Title: x.Title,
			Host: x.Host, Recorder: x.Recorder, Expected: x.Expected, Topics: x.Topics}
		bad := func(field, message string) {
			errs = append(errs, party.RowError{Row: i + 1, Column: field, Message: message})
		}
		switch d, err := parseDate("date", x.Date); {
		case x.Date == "":
			bad("date", "请填写日期，格式为 2006-01-02")
		case err != nil:
			bad("date", "日期“"+x.Date+"”无效，应写作 2006-01-02")
		default:
			row.On = d
		}
		if x.StartTime == "" {
			bad("start_time", "请填写开始时间，格式为 14:30")
		} else if row.Start, err = party.ParseClock(x.StartTime); err != nil {
			bad("start_time", party.ErrorMessage(err))
		}
		if x.Expected < 0 {
			bad("expected", "应到人数不能为负数")
		}
		// Names are trimmed as the sheet's cells are; a blank one is refused.
		names := func(field string, list []string) []string {
			out := make([]string, 0, len(list))
			for j, n := range list {
				if n = strings.TrimSpace(n); n == "" {
					bad(field, fmt.Sprintf("第%d个姓名为空", j+1))
				}
				out = append(out, n)
			}
			return out
		}
		row.Present, row.Absent = names("present", x.Present), names("absent", x.Absent)
		for j, l := range x.Leave {
			name := strings.TrimSpace(l.Name)
			if name == "" {
				bad("leave", fmt.Sprintf("第%d个请假人员的姓名为空", j+1))
			}
			row.Leave = append(row.Leave, party.NameReason{Name: name, Reason: strings.TrimSpace(l.Reason)})
		}
		if len(errs) == before {
			rows = append(rows, row)
		}
	}
	// The rows read are checked against the tree and the rosters even when others could not
	// be read, so that every bad row is listed at once; then nothing is written.
	var opts []store.EventImportOption
	if !principal(r).Can(party.ActTopicWrite, party.Target{OrgPath: party.RootPath}) {
		opts = append(opts, store.KnownTopicsOnly())
	}
	res, err := a.db.ImportEvents(r.Context(), id, rows, req.DryRun || len(errs) > 0, opts...)
	if err != nil {
		return err
	}
	for _, e := range res.Errors {
		if f, ok := ledgerColumns[e.Column]; ok {
			e.Column = f
		}
		errs = append(errs, e)
	}
	slices.SortStableFunc(errs, func(a, b party.RowError) int { return a.Row - b.Row })
	res.Errors, res.DryRun = errs, req.DryRun
	if len(errs) > 0 {
		res.Created, res.Updated, res.Unchanged = 0, 0, 0
	}
	status := http.StatusOK
	if len(res.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, res)
	return nil
}
