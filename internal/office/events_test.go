package office_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/compliance"
	"dangjian/internal/office"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func ledgerEvent(title string, status party.EventStatus, topics ...string) compliance.LedgerEvent {
	start, _ := party.At(day("2026-03-15"), "14:30")
	return compliance.LedgerEvent{Event: &party.Event{ID: 1, OrgName: "机关党支部", TypeName: "主题党日", Title: title,
		Status: status, StartAt: start, EndAt: start.Add(time.Hour), Host: "张伟", Recorder: "王芳",
		Expected: 12, Present: 10, Leave: 1, Absent: 1, Counts: status == party.EventHeld, CancelReason: "改期"}, Topics: topics}
}

func openBook(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	storetest.MustDo(t, "open", err)
	t.Cleanup(func() { f.Close() })
	return f
}

func cell(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	storetest.MustDo(t, "cell "+ref, err)
	return v
}

func TestEventLedgerLayout(t *testing.T) {
	var buf bytes.Buffer
	events := []compliance.LedgerEvent{ledgerEvent("重温入党誓词", party.EventHeld, "全国两会精神", "关于党的建设的重要论述"),
		ledgerEvent("=HYPERLINK(\"http://x\")", party.EventCancelled)}
	storetest.MustDo(t, "write", office.WriteEventLedger(&buf, "机关党支部", "2026年上半年", today, events))
	f := openBook(t, buf.Bytes())
	if got := cell(t, f, office.LedgerSheet, "A1"); got != "机关党支部组织生活台账（2026年上半年）" {
		t.Errorf("title %q", got)
	}
	if got := cell(t, f, office.LedgerSheet, "A2"); !strings.Contains(got, "已召开1次，取消1次") || !strings.Contains(got, "83.3%") {
		t.Errorf("subtitle %q", got)
	}
	rows, err := f.GetRows(office.LedgerSheet)
	storetest.MustDo(t, "rows", err)
	if strings.Join(rows[2], "|") != "序号|组织|日期|时间|类型|主题|主持人|记录人|应到|出席|请假|缺席|出席率|第一议题|备注" {
		t.Errorf("headers %q", rows[2])
	}
	first := rows[3]
	if first[2] != "2026-03-15" || first[3] != "14:30" || first[8] != "12" || first[9] != "10" || first[12] != "83.3%" ||
		first[13] != "全国两会精神\n关于党的建设的重要论述" {
		t.Errorf("row %q", first)
	}
	second := rows[4]
	if second[5] != "'=HYPERLINK(\"http://x\")" || second[8] != "—" || second[14] != "已取消：改期" {
		t.Errorf("cancelled row %q", second)
	}
	merged, err := f.GetMergeCells(office.LedgerSheet)
	storetest.MustDo(t, "merged", err)
	if len(merged) != 2 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "O1" {
		t.Errorf("merged %v", merged)
	}
	layout, err := f.GetPageLayout(office.LedgerSheet)
	storetest.MustDo(t, "layout", err)
	if *layout.Orientation != "landscape" || *layout.Size != 9 || *layout.FitToWidth != 1 {
		t.Errorf("layout: %s size %d fit %d", *layout.Orientation, *layout.Size, *layout.FitToWidth)
	}
	names := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		names[dn.Name] = dn.RefersTo
	}
	if names["_xlnm.Print_Titles"] != "'组织生活台账'!$3:$3" || names["_xlnm.Print_Area"] != "'组织生活台账'!$A$1:$O$5" {
		t.Errorf("defined names %v", names)
	}
	style, err := f.GetCellStyle(office.LedgerSheet, "F4")
	storetest.MustDo(t, "style", err)
	s, err := f.GetStyle(style)
	storetest.MustDo(t, "style", err)
	if len(s.Border) != 4 || !s.Alignment.WrapText {
		t.Errorf("data cell style: borders %d, wrap %v", len(s.Border), s.Alignment.WrapText)
	}
}

func TestComplianceMatrix(t *testing.T) {
	h1, _ := party.ParsePeriod("2026H1")
	r := &compliance.Report{Root: &party.Org{Name: "局党组"}, Period: h1, Span: h1.Span(), Today: today, Rows: []party.ComplianceRow{
		{OrgID: 2, OrgCode: "T-JG", OrgName: "机关党支部", OrgKind: party.KindBranch, Type: party.TypeThemeDay, TypeName: "主题党日",
			TypeSort: 50, Rule: "每月至少1次", Required: 6, Held: 5, Missing: 1, Source: "条例",
			Slots: []party.Slot{{Period: party.Period{Unit: party.Monthly, Year: 2026, N: 4}, State: party.SlotMissing}}},
		{OrgID: 2, OrgCode: "T-JG", OrgName: "机关党支部", OrgKind: party.KindBranch, Type: party.TypeBranchCommittee, TypeName: "支部委员会",
			TypeSort: 20, Rule: "每月至少1次", Required: 6, Held: 6},
		{OrgID: 3, OrgCode: "T-JG-1", OrgName: "第一党小组", OrgKind: party.KindGroup, Type: party.TypeGroupMeeting, TypeName: "党小组会",
			TypeSort: 30, Rule: "每月至少1次", Required: 6, Held: 2, Pending: 4},
	}}
	var buf bytes.Buffer
	storetest.MustDo(t, "write", office.WriteCompliance(&buf, r))
	f := openBook(t, buf.Bytes())
	rows, err := f.GetRows(office.ComplianceSheet)
	storetest.MustDo(t, "rows", err)
	if rows[0][0] != "局党组组织生活落实情况（2026年上半年）" {
		t.Errorf("title %q", rows[0][0])
	}
	if strings.Join(rows[2], "|") != "序号|组织编码|组织名称|类别|支部委员会|党小组会|主题党日|合计缺" {
		t.Errorf("headers %q", rows[2])
	}
	if strings.Join(rows[3], "|") != "1|T-JG|机关党支部|党支部|6/6|—|5/6 缺1|1" || strings.Join(rows[4], "|") != "2|T-JG-1|第一党小组|党小组|—|2/6 待4|—|0" {
		t.Errorf("matrix %q %q", rows[3], rows[4])
	}
	id, err := f.GetCellStyle(office.ComplianceSheet, "G4")
	storetest.MustDo(t, "style", err)
	s, err := f.GetStyle(id)
	storetest.MustDo(t, "style", err)
	if s.Font == nil || s.Font.Color != "C8161D" || len(s.Fill.Color) == 0 {
		t.Errorf("missing cell is not marked: %+v", s.Font)
	}
	detail, err := f.GetRows(office.DetailSheet)
	storetest.MustDo(t, "detail", err)
	if len(detail) != 6 || detail[3][2] != "主题党日" || detail[3][9] != "2026-04" {
		t.Errorf("detail %q", detail)
	}
}

// eventBook writes an event ledger file with the given data rows.
func eventBook(t testing.TB, rows ...[]any) []byte {
	return book(t, party.EventHeaders, rows)
}

func TestImportEventLedger(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db)
		tr := mkTree(t, db)
		res, err := office.ImportMembers(ctx, db, tr.top.ID, bytes.NewReader(roster(t, 1, 4, "机关党支部")), false)
		storetest.MustDo(t, "roster", err)
		if res.Created != 4 {
			t.Fatalf("roster: %+v", res)
		}
		n := func(i int) string { return "测试" + []string{"00001", "00002", "00003", "00004"}[i] }
		good := eventBook(t,
			[]any{"机关党支部", "主题党日", "2026-03-15", "14:30", "学习贯彻全国两会精神", n(0), n(1), "4",
				n(0) + "、" + n(1), n(2) + "（出差）", n(3), "全国两会精神"},
			[]any{"T-JG", "支部党员大会", 46096.0, 0.6041666666666666, "第一季度党员大会", n(0), n(1), 4,
				n(0) + "，" + n(1) + "，" + n(2) + "，" + n(3), "", "", ""})

		t.Run("ImportsAllOrNothingAndOnce", func(t *testing.T) {
			res, err := office.ImportEvents(ctx, db, tr.top.ID, bytes.NewReader(good), false)
			storetest.MustDo(t, "import", err)
			if res.Created != 2 || len(res.Errors) != 0 {
				t.Fatalf("import: %+v", res)
			}
			list, _, err := db.ListEvents(ctx, store.EventFilter{OrgID: tr.branch.ID})
			storetest.MustDo(t, "list", err)
			if len(list) != 2 || list[1].StartAt.In(party.Zone).Format("2006-01-02 15:04") != "2026-03-15 14:30" {
				t.Fatalf("events: %+v %+v", list[0], list[1])
			}
			again, err := office.ImportEvents(ctx, db, tr.top.ID, bytes.NewReader(good), false)
			storetest.MustDo(t, "again", err)
			if again.Created != 0 || again.Unchanged != 2 {
				t.Fatalf("second import: %+v", again)
			}
		})

		t.Run("ErrEveryBadCellListed", func(t *testing.T) {
			bad := eventBook(t,
				[]any{"机关党支部", "主题党日", "2026-04-15", "25:00", "四月主题党日", "", "", "4", n(0), "", "", ""},
				[]any{"机关党支部", "主题党日", "2027-01-15", "14:30", "未来", "", "", "", n(0), "", "", ""},
				[]any{"机关党支部", "主题党日", "2026-05-15", "14:30", "五月", "", "", "四人", n(0), "", "", ""},
				[]any{"机关党支部", "主题党日", "2026-06-15", "14:30", "", "", "", "", "", "", "", ""},
				[]any{"体校党支部", "主题党日", "2026-06-15", "14:30", "六月", "", "", "", n(0), "", "", ""},
				[]any{"机关党支部", "主题党日", "2026-07-15", "14:30", "七月", "", "", "2", n(0), "", "", ""})
			res, err := office.ImportEvents(ctx, db, tr.top.ID, bytes.NewReader(bad), false)
			storetest.MustDo(t, "import", err)
			for _, want := range []struct {
				row int
				col string
			}{{2, "开始时间"}, {3, "日期"}, {4, "应到人数"}, {5, "主题"}, {5, "出席人员"}, {6, "出席人员"}, {7, "应到人数"}} {
				if !hasError(res.Errors, want.row, want.col) {
					t.Errorf("no error on row %d %s: %v", want.row, want.col, res.Errors)
				}
			}
			if res.Created != 0 {
				t.Fatalf("a bad file created %d events", res.Created)
			}
			_, total, _ := db.ListEvents(ctx, store.EventFilter{Root: tr.top.ID})
			if total != 2 {
				t.Fatalf("events after a bad file: %d", total)
			}
		})

		t.Run("ErrWrongHeaders", func(t *testing.T) {
			file := book(t, append([]string{"单位"}, party.EventHeaders[1:]...), [][]any{{"x"}})
			res, err := office.ImportEvents(ctx, db, tr.top.ID, bytes.NewReader(file), false)
			storetest.MustDo(t, "import", err)
			if !hasError(res.Errors, 1, "组织") || !hasError(res.Errors, 1, "单位") {
				t.Fatalf("header errors: %v", res.Errors)
			}
		})
	})
}

// FuzzParseEvents feeds the event ledger parser arbitrary bytes; the seeds run on every go
// test. It must not panic, and whatever it reports must be usable.
func FuzzParseEvents(f *testing.F) {
	valid := eventBook(f, []any{"机关党支部", "主题党日", "2026-03-15", "14:30", "主题", "张三", "李四", "3",
		"张三、李四", "王五（病假）", "", "全国两会精神；重要讲话"})
	f.Add(valid)
	f.Add(eventBook(f, []any{"", "类型", 46097.5, 1.5, "=1+1", "", "", "-3", "、、", "(", "\x00", strings.Repeat("长", 300)}))
	f.Add(valid[:len(valid)/2])
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, errs, err := office.ParseEvents(bytes.NewReader(data), today)
		if err != nil {
			if party.ErrorCode(err) != party.EINVALID {
				t.Fatalf("error without a user message: %v", err)
			}
			return
		}
		for _, e := range errs {
			if e.Row < 1 || e.Message == "" {
				t.Fatalf("unusable row error %+v", e)
			}
		}
		for _, r := range rows {
			if r.Row < 2 || r.Org == "" || r.Type == "" || r.Title == "" || r.On.IsZero() || r.On.After(today) ||
				r.Start < 0 || r.Start >= 24*time.Hour || len(r.Present)+len(r.Leave)+len(r.Absent) == 0 {
				t.Fatalf("row %d returned without being readable: %+v", r.Row, r)
			}
		}
	})
}

func TestWriteEventTemplate(t *testing.T) {
	orgs := []*party.Org{{Name: "机关党支部", Code: "A"}, {Name: "第一党小组", Code: "A1"}, {Name: "第一党小组", Code: "B1"}}
	types := []*party.EventType{{Code: "theme_day", Name: "主题党日", Active: true},
		{Code: "group_meeting", Name: "党小组会", Active: true}, {Code: "old", Name: "停用的类型"}}
	var buf bytes.Buffer
	storetest.MustDo(t, "template", office.WriteEventTemplate(&buf, orgs, types))
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	storetest.MustDo(t, "open", err)
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, "|") != office.EventSheet+"|"+office.GuideSheet+"|"+office.ListSheet {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows(office.EventSheet)
	storetest.MustDo(t, "rows", err)
	if strings.Join(rows[0], "|") != strings.Join(party.EventHeaders, "|") {
		t.Fatalf("header %v", rows[0])
	}
	cols, err := f.GetCols(office.ListSheet)
	storetest.MustDo(t, "lists", err)
	if got := strings.Join(cols[0], "|"); got != "组织|机关党支部|A1|B1" {
		t.Fatalf("organization list %q (shared names by code)", got)
	}
	if got := strings.Join(cols[1], "|"); got != "类型|主题党日|党小组会" {
		t.Fatalf("type list %q (active types only)", got)
	}
	dvs, err := f.GetDataValidations(office.EventSheet)
	storetest.MustDo(t, "validations", err)
	got := map[string]string{}
	for _, dv := range dvs {
		got[dv.Sqref] = dv.Formula1
	}
	if got["A2:A5001"] != "'选项'!$A$2:$A$4" || got["B2:B5001"] != "'选项'!$B$2:$B$3" || len(got) != 2 {
		t.Fatalf("validations %v", got)
	}
	guide, err := f.GetRows(office.GuideSheet)
	storetest.MustDo(t, "guide", err)
	if len(guide) < len(party.EventHeaders)+1 || !strings.Contains(guide[9][1], "顿号") {
		t.Fatalf("guide %v", guide)
	}

	// A row typed into the template as an office would is read back whole.
	storetest.MustDo(t, "fill", f.SetSheetRow(office.EventSheet, "A2", &[]any{"机关党支部", "主题党日", "2026-03-15", "14:30",
		"学雷锋志愿服务", "王五", "李四", 3, "张三、李四", "赵六（出差）", "", ""}))
	var filled bytes.Buffer
	storetest.MustDo(t, "write", f.Write(&filled))
	parsed, errs, err := office.ParseEvents(&filled, day("2026-11-26"))
	storetest.MustDo(t, "parse", err)
	if len(errs) != 0 || len(parsed) != 1 {
		t.Fatalf("filled template: rows %+v, errors %+v", parsed, errs)
	}
	if p := parsed[0]; p.Org != "机关党支部" || p.Type != "主题党日" || p.Start != 14*time.Hour+30*time.Minute ||
		len(p.Present) != 2 || len(p.Leave) != 1 || p.Leave[0].Reason != "出差" || p.Expected != 3 {
		t.Fatalf("row %+v", p)
	}
}
