package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/office"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// themeDays records the 主题党日 of the fixture's 机关党支部 for 2026's first half-year, except
// March: the gap the matrix must show. 王五 is on leave in April. The January title carries
// markup, which every page must escape.
func themeDays(t *testing.T, fx *fixture) []*party.Event {
	t.Helper()
	ctx := context.Background()
	var out []*party.Event
	for _, m := range []time.Month{time.January, time.February, time.April, time.May, time.June} {
		title := "主题党日：" + m.String()
		if m == time.January {
			title = "<b>新年主题党日</b>"
		}
		e := &party.Event{OrgID: fx.branch.ID, Type: party.TypeThemeDay, Title: title,
			StartAt: time.Date(2026, m, 15, 14, 30, 0, 0, party.Zone), EndAt: time.Date(2026, m, 15, 16, 0, 0, 0, party.Zone)}
		var except []party.Attendance
		if m == time.April {
			except = []party.Attendance{{MemberID: fx.members[2].ID, Status: party.Leave, Reason: "出差"}}
		}
		storetest.MustDo(t, "record "+title, fx.db.RecordEvent(ctx, e, except))
		out = append(out, e)
	}
	return out
}

// exportCount counts the audit rows of exports of one object type.
func exportCount(t *testing.T, db *store.DB, objectType string) int {
	t.Helper()
	var n int
	storetest.MustDo(t, "count exports", db.RawQueryRow(context.Background(),
		`SELECT count(*) FROM audit_log WHERE action = $1 AND object_type = $2`, store.ActExport, objectType).Scan(&n))
	return n
}

// openWorkbook reads a downloaded workbook back, failing unless it opens.
func openWorkbook(t *testing.T, w *http.Response, body []byte) *excelize.File {
	t.Helper()
	if ct := w.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/vnd.openxmlformats") {
		t.Fatalf("content type %q", ct)
	}
	if cd := w.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "filename*=UTF-8''") {
		t.Errorf("content disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestCompliancePages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		events := themeDays(t, fx)
		rule := themeDayRule(t, fx)
		rid := strconv.FormatInt(rule.ID, 10)
		top, branch := path("/orgs/%d", fx.top.ID), path("/orgs/%d", fx.branch.ID)
		detail := branch + "/compliance/detail?period=2026H1&rule=" + rid

		fx.run(t, []scenario{
			{name: "DefaultPeriodIsTheCurrentHalfYear", path: top + "/compliance", status: http.StatusOK,
				want: []string{"2026年下半年", `<option value="2026H2" selected>`, "机关党支部"}},
			{name: "QuarterParsed", path: top + "/compliance?period=2026Q1", status: http.StatusOK,
				want: []string{"2026年第一季度（2026年1月1日至2026年3月31日", `<option value="2026Q1" selected>`}},
			{name: "MonthWrittenInChineseParsed", path: top + "/compliance?period=2026年3月", status: http.StatusOK,
				want: []string{"2026年3月（2026年3月1日至2026年3月31日"}},
			{name: "YearParsed", path: top + "/study?period=2026", status: http.StatusOK, want: []string{"2026年学习情况"}},
			{name: "BadPeriodRejectedInChinese", path: top + "/compliance?period=2026H3", status: http.StatusUnprocessableEntity,
				want: []string{"期间“2026H3”无效，应写作", `aria-invalid="true"`}, notWant: []string{"compliance-matrix"}},
			{name: "MarkupInPeriodEscaped", path: top + "/compliance?period=%3Cscript%3Ealert(1)%3C/script%3E",
				status: http.StatusUnprocessableEntity, want: []string{"&lt;script&gt;alert(1)&lt;/script&gt;"}, notWant: []string{"<script>alert(1)"}},
			{name: "BadPeriodOnStudy", path: top + "/study?period=13月", status: http.StatusUnprocessableEntity, want: []string{"期间“13月”无效"}},
			{name: "BadPeriodOnLedger", path: top + "/ledger.xlsx?period=2026Q5", status: http.StatusUnprocessableEntity,
				want: []string{"期间“2026Q5”无效"}},
			{name: "BadPeriodOnDetail", path: branch + "/compliance/detail?period=x&rule=" + rid, status: http.StatusUnprocessableEntity,
				want: []string{"期间“x”无效"}},
			{name: "DetailWithoutRule", path: branch + "/compliance/detail?period=2026H1&rule=abc", status: http.StatusUnprocessableEntity,
				want: []string{"缺少有效的规则编号"}},
			{name: "DetailOfUnknownRule", path: branch + "/compliance/detail?period=2026H1&rule=987654", status: http.StatusNotFound},
			{name: "CompliancePicksTheOnlySubtree", path: "/compliance?period=2026Q2", status: http.StatusSeeOther,
				location: top + "/compliance?period=2026Q2"},
		})

		t.Run("ComplianceListsSeveralSubtrees", func(t *testing.T) {
			two := fx.account(t, "two-branches", party.Grant{Role: party.RoleLeader, OrgID: fx.branch.ID},
				party.Grant{Role: party.RoleLeader, OrgID: fx.other.ID})
			w := fx.do(t, request{method: "GET", path: "/compliance?period=2026Q1", cookie: two})
			body := w.Body.String()
			if w.Code != http.StatusOK || !strings.Contains(body, branch+"/compliance?period=2026Q1") ||
				!strings.Contains(body, path("/orgs/%d/compliance?period=2026Q1", fx.other.ID)) || strings.Contains(body, top+"/compliance") {
				t.Errorf("/compliance with two subtrees: status %d\n%s", w.Code, excerpt(body))
			}
			if w := fx.do(t, request{method: "GET", path: "/compliance?period=Q9", cookie: two}); w.Code != http.StatusUnprocessableEntity {
				t.Errorf("/compliance with a bad period: status %d, want 422", w.Code)
			}
		})

		t.Run("MatrixShowsTheMissingThemeDay", func(t *testing.T) {
			body := fx.get(t, top+"/compliance?period=2026H1")
			row := matrixRow(t, body, "机关党支部")
			cellHTML := `<td class="num cell-missing"><a href="/orgs/` + strconv.FormatInt(fx.branch.ID, 10) +
				`/compliance/detail?period=2026H1&amp;rule=` + rid + `">5/6 <span class="mark">缺1</span></a></td>`
			if !strings.Contains(row, cellHTML) {
				t.Errorf("the branch's 主题党日 cell is not 5/6 marked 缺1 and red:\n%s", row)
			}
			if other := matrixRow(t, body, "体校党支部"); !strings.Contains(other, `0/6 <span class="mark">缺6</span>`) {
				t.Errorf("the sports school branch held no 主题党日 but is not marked 缺6:\n%s", other)
			}
			// A party group owes no 主题党日: grey, not red.
			if group := matrixRow(t, body, "第一党小组"); !strings.Contains(group, `<td class="num cell-na"><span aria-label="不适用">—</span></td>`) {
				t.Errorf("the party group's row has no not-applicable cell:\n%s", group)
			}
			// The temporary branch exists from March to December: 4 of the 6 months are owed.
			if temp := matrixRow(t, body, "省运会临时党支部"); !strings.Contains(temp, `0/4 <span class="mark">缺4</span>`) {
				t.Errorf("the temporary branch's 主题党日 is not 0/4:\n%s", temp)
			}
		})

		t.Run("CurrentHalfYearIsPendingNotMissing", func(t *testing.T) {
			body := fx.get(t, top+"/compliance?period=2026Q4")
			row := matrixRow(t, body, "机关党支部")
			// October is over (缺1); November and December are still open (待2), none held.
			if !strings.Contains(row, `0/3 <span class="mark">缺1</span>`) {
				t.Errorf("Q4 主题党日 of the branch should be 0/3 with October missing:\n%s", row)
			}
		})

		t.Run("DrillDownListsTheCountedEventsAndTheGap", func(t *testing.T) {
			body := fx.get(t, detail)
			for _, e := range events {
				if !strings.Contains(body, path(`<a href="/events/%d">`, e.ID)) {
					t.Errorf("the drill-down does not link event %d (%s)", e.ID, e.Title)
				}
			}
			if n := strings.Count(body, `<a href="/events/`); n != len(events) {
				t.Errorf("the drill-down links %d events, want %d", n, len(events))
			}
			missing := section(t, body, "missing-h")
			if !strings.Contains(missing, "2026年3月（2026年3月1日至2026年3月31日）") || strings.Contains(missing, "2026年4月") {
				t.Errorf("the missing periods are not exactly March:\n%s", missing)
			}
			if !strings.Contains(body, "&lt;b&gt;新年主题党日&lt;/b&gt;") || strings.Contains(body, "<b>新年主题党日</b>") {
				t.Error("an event title with markup is not escaped")
			}
			if !strings.Contains(body, branch+"/events/new?type=theme_day") {
				t.Error("the drill-down does not offer to record the missing event")
			}
		})

		t.Run("DrillDownOfAnOrganizationWithoutTheRule", func(t *testing.T) {
			body := fx.get(t, path("/orgs/%d/compliance/detail?period=2026H1&rule=%s", fx.group.ID, rid))
			if !strings.Contains(body, "没有主题党日方面的要求") {
				t.Errorf("a party group's 主题党日 drill-down does not say nothing is required\n%s", excerpt(body))
			}
		})

		t.Run("StudyStatisticsPerOrganization", func(t *testing.T) {
			body := fx.get(t, top+"/study?period=2026H1")
			types := section(t, body, "types-h")
			if !strings.Contains(types, `<th scope="row">主题党日</th><td class="num">5</td>`) {
				t.Errorf("the study page does not count 5 主题党日:\n%s", types)
			}
			orgs := section(t, body, "orgs-h")
			// 3 members × 5 events, one on leave: 14 of 15.
			if !strings.Contains(orgs, `<td class="num">5</td><td class="num">15</td><td class="num">14</td><td class="num">1</td><td class="num">0</td><td class="num">93.3%</td>`) {
				t.Errorf("the branch's attendance is not 14 of 15:\n%s", orgs)
			}
			for _, m := range fx.members {
				if strings.Contains(body, m.Name) {
					t.Errorf("the study page names member %s", m.Name)
				}
			}
		})

		t.Run("MemberPageShowsOwnAttendanceOnly", func(t *testing.T) {
			body := fx.get(t, path("/members/%d", fx.members[2].ID))
			own := section(t, body, "attendance-h")
			if !strings.Contains(own, "应参加 <strong>5</strong> 次，出席 <strong>4</strong> 次，请假 <strong>1</strong> 次") ||
				!strings.Contains(own, "出席率 <strong>80.0%</strong>") || !strings.Contains(own, "请假（出差）") {
				t.Errorf("王五's own attendance is wrong:\n%s", own)
			}
			if strings.Contains(own, fx.members[0].Name) || strings.Contains(own, fx.members[1].Name) {
				t.Error("a member's attendance section names other members")
			}
		})

		t.Run("MemberPageHidesEventsBeyondTheViewer", func(t *testing.T) {
			// A 党课 of the 党组 expects the whole bureau; the branch secretary may read 王五
			// but not the 党组's meetings, so it sees 王五's branch meetings only.
			at := time.Date(2026, 7, 20, 9, 0, 0, 0, party.Zone) // after the first half-year the other cases count
			lecture := &party.Event{OrgID: fx.top.ID, Type: party.TypePartyLecture, Title: "党组书记讲党课", StartAt: at, EndAt: at.Add(time.Hour)}
			storetest.MustDo(t, "lecture", db.RecordEvent(context.Background(), lecture, nil))
			sec := fx.account(t, "sec-member", party.Grant{Role: party.RoleSecretary, OrgID: fx.branch.ID})
			mine := section(t, fx.do(t, request{method: "GET", path: path("/members/%d", fx.members[2].ID), cookie: sec}).Body.String(), "attendance-h")
			if !strings.Contains(mine, "应参加 <strong>5</strong> 次") || strings.Contains(mine, "党组书记讲党课") || !strings.Contains(mine, "另有1次活动") {
				t.Errorf("the branch secretary's view of 王五's attendance:\n%s", mine)
			}
			all := section(t, fx.get(t, path("/members/%d", fx.members[2].ID)), "attendance-h")
			if !strings.Contains(all, "应参加 <strong>6</strong> 次") || !strings.Contains(all, "党组书记讲党课") || strings.Contains(all, "另有") {
				t.Errorf("the installation administrator's view of 王五's attendance:\n%s", all)
			}
		})

		t.Run("RemindersListOverdueAndDue", func(t *testing.T) {
			body := fx.get(t, "/reminders")
			overdue := section(t, body, "overdue-h")
			if !strings.Contains(overdue, "机关党支部") || !strings.Contains(overdue, "2026年3月") ||
				!strings.Contains(overdue, branch+"/events/new?type=theme_day") {
				t.Errorf("the overdue list lacks the branch's March 主题党日 with a link to record it:\n%.2000s", overdue)
			}
			for _, tr := range strings.Split(overdue, "<tr") {
				if strings.Contains(tr, ">机关党支部</a>") && strings.Contains(tr, "主题党日") && strings.Contains(tr, ">2026年4月</a>") {
					t.Error("April, when the branch held its 主题党日, is listed as overdue")
				}
			}
			due := section(t, body, "due-h")
			if !strings.Contains(due, "2026年11月") || !strings.Contains(due, "2026年11月30日") {
				t.Errorf("the coming week's list lacks November's 主题党日 due on the 30th:\n%.2000s", due)
			}
		})

		t.Run("LedgerWorkbookHoldsTheEvents", func(t *testing.T) {
			before := exportCount(t, db, store.ObjEvent)
			w := fx.do(t, request{method: "GET", path: top + "/ledger.xlsx?period=2026H1"})
			if w.Code != http.StatusOK {
				t.Fatalf("ledger: status %d\n%s", w.Code, excerpt(w.Body.String()))
			}
			f := openWorkbook(t, w.Result(), w.Body.Bytes())
			rows, err := f.GetRows(office.LedgerSheet)
			storetest.MustDo(t, "rows", err)
			if len(rows) != 3+len(events) {
				t.Fatalf("the ledger has %d rows, want title, subtitle, header and %d events", len(rows), len(events))
			}
			if !strings.Contains(rows[0][0], "中共测试局党组组织生活台账（2026年上半年）") || !strings.Contains(rows[1][0], "已召开5次") {
				t.Errorf("ledger title %q subtitle %q", rows[0][0], rows[1][0])
			}
			if rows[3][2] != "2026-01-15" || rows[3][5] != "<b>新年主题党日</b>" || rows[3][8] != "3" || rows[3][9] != "3" {
				t.Errorf("first ledger line %q", rows[3])
			}
			if rows[5][2] != "2026-04-15" || rows[5][9] != "2" || rows[5][10] != "1" {
				t.Errorf("April's line does not show one on leave: %q", rows[5])
			}
			if got := exportCount(t, db, store.ObjEvent); got != before+1 {
				t.Errorf("the ledger export left %d audit rows, want %d", got, before+1)
			}
		})

		t.Run("EventTemplateListsTheSubtree", func(t *testing.T) {
			w := fx.do(t, request{method: "GET", path: top + "/events/import"})
			if !strings.Contains(w.Body.String(), top+"/events/template.xlsx") {
				t.Fatalf("the import page has no template link:\n%s", excerpt(w.Body.String()))
			}
			w = fx.do(t, request{method: "GET", path: top + "/events/template.xlsx"})
			if w.Code != http.StatusOK {
				t.Fatalf("template: status %d\n%s", w.Code, excerpt(w.Body.String()))
			}
			f := openWorkbook(t, w.Result(), w.Body.Bytes())
			cols, err := f.GetCols(office.ListSheet)
			storetest.MustDo(t, "lists", err)
			if !slices.Contains(cols[0], "机关党支部") || !slices.Contains(cols[1], "主题党日") {
				t.Fatalf("template lists %v", cols)
			}
		})

		t.Run("ComplianceWorkbookHoldsTheMatrix", func(t *testing.T) {
			before := exportCount(t, db, "compliance")
			w := fx.do(t, request{method: "GET", path: top + "/compliance.xlsx?period=2026H1"})
			if w.Code != http.StatusOK {
				t.Fatalf("compliance export: status %d\n%s", w.Code, excerpt(w.Body.String()))
			}
			f := openWorkbook(t, w.Result(), w.Body.Bytes())
			rows, err := f.GetRows(office.ComplianceSheet)
			storetest.MustDo(t, "rows", err)
			col := -1
			for i, h := range rows[2] {
				if h == "主题党日" {
					col = i
				}
			}
			if col < 0 {
				t.Fatalf("no 主题党日 column: %q", rows[2])
			}
			found := false
			for _, r := range rows[3:] {
				if len(r) > col && r[2] == "机关党支部" {
					found = true
					if r[col] != "5/6 缺1" {
						t.Errorf("the branch's 主题党日 cell is %q, want 5/6 缺1", r[col])
					}
				}
			}
			if !found {
				t.Error("the workbook has no row for the branch")
			}
			if got := exportCount(t, db, "compliance"); got != before+1 {
				t.Errorf("the compliance export left %d audit rows, want %d", got, before+1)
			}
		})
	})
}

// matrixRow returns the <tr> of the compliance matrix whose heading names org.
func matrixRow(t *testing.T, body, org string) string {
	t.Helper()
	for _, tr := range strings.Split(body, "<tr") {
		if i := strings.Index(tr, "</th>"); i >= 0 && strings.Contains(tr[:i], ">"+org+"</a>") {
			return tr
		}
	}
	t.Fatalf("no matrix row for %s\n%s", org, excerpt(body))
	return ""
}

// section returns the part of body from the heading with id to the end of its section.
func section(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no section %s\n%s", id, excerpt(body))
	}
	rest := body[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// eventRow is one line of an event ledger to import.
func eventRow(org, typ, on, title, present string) []string {
	return []string{org, typ, on, "14:30", title, "张三", "李四", "", present, "", "", ""}
}

func TestEventImport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		branch := path("/orgs/%d", fx.branch.ID)
		count := func() int {
			_, n, err := db.ListEvents(ctx, store.EventFilter{Root: fx.top.ID})
			storetest.MustDo(t, "count events", err)
			return n
		}
		post := func(name string, data []byte) *httptest.ResponseRecorder {
			body, ct := upload(t, name, data, nil)
			return fx.do(t, request{method: "POST", path: branch + "/events/import", body: body, contentType: ct})
		}
		good := eventRow("机关党支部", "主题党日", "2026-03-16", "三月主题党日", "张三、李四、王五")
		second := eventRow("T-JG", "党小组会", "2026-03-20", "三月党小组会", "张三")
		second[0] = "第一党小组"

		t.Run("FormNamesTheColumns", func(t *testing.T) {
			body := fx.get(t, branch+"/events/import")
			if !strings.Contains(body, strings.Join(party.EventHeaders, "、")) || !strings.Contains(body, `enctype="multipart/form-data"`) {
				t.Errorf("the import form does not list the columns\n%s", excerpt(body))
			}
		})

		t.Run("BadRowsImportNothingAndAreListed", func(t *testing.T) {
			markup := eventRow("机关党支部", "<script>alert(1)</script>", "2026-04-16", "四月", "张三")
			future := eventRow("机关党支部", "主题党日", "2026-12-30", "年末主题党日", "张三")
			stranger := eventRow("机关党支部", "主题党日", "2026-05-16", "五月主题党日", "张三、外人甲")
			before := count()
			w := post("活动台账.xlsx", workbook(t, party.EventHeaders, [][]string{good, markup, future, stranger}))
			body := w.Body.String()
			if w.Code != http.StatusUnprocessableEntity {
				t.Fatalf("a file with bad rows: status %d, want 422\n%s", w.Code, excerpt(body))
			}
			errs := section(t, strings.Replace(body, `<table class="data row-errors">`, `<section id="row-errors">`, 1), "row-errors")
			for _, want := range []string{"第3行", "第4行", "第5行", "类型", "日期", "已召开的活动日期不能晚于今天", "外人甲"} {
				if !strings.Contains(errs, want) {
					t.Errorf("the error list lacks %q\n%s", want, errs)
				}
			}
			if strings.Contains(errs, "第2行") {
				t.Errorf("the good row is listed as bad\n%s", errs)
			}
			if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(body, "<script>alert(1)") {
				t.Error("markup from a cell is not escaped")
			}
			if strings.Contains(body, "/events/import/") || !strings.Contains(body, "没有导入任何活动") {
				t.Error("a file with errors offers a confirmation or does not say nothing was imported")
			}
			if got := count(); got != before {
				t.Errorf("a file with bad rows imported %d events", got-before)
			}
		})

		t.Run("SecretaryNamesOnlyKnownTopics", func(t *testing.T) {
			// The 第一议题 ledger is shared: a branch secretary's ledger may name its items, not
			// add to it; the installation's administrator (the fixture's default user) may.
			sec := fx.account(t, "sec-topics", party.Grant{Role: party.RoleSecretary, OrgID: fx.branch.ID})
			row := eventRow("机关党支部", "主题党日", "2026-06-16", "六月主题党日", "张三")
			row[11] = "一项新的重要讲话精神"
			body, ct := upload(t, "活动台账.xlsx", workbook(t, party.EventHeaders, [][]string{row}), nil)
			w := fx.do(t, request{method: "POST", path: branch + "/events/import", body: body, contentType: ct, cookie: sec})
			if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "第一议题台账中没有“一项新的重要讲话精神”") {
				t.Fatalf("a secretary's unknown 第一议题: status %d\n%s", w.Code, excerpt(w.Body.String()))
			}
			if w := post("活动台账.xlsx", workbook(t, party.EventHeaders, [][]string{row})); w.Code != http.StatusOK {
				t.Fatalf("the administrator's preview: status %d\n%s", w.Code, excerpt(w.Body.String()))
			}
		})

		t.Run("EmptyTemplateIsNotOfferedForImport", func(t *testing.T) {
			w := post("活动台账.xlsx", workbook(t, party.EventHeaders, nil))
			if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "文件中没有数据") ||
				strings.Contains(w.Body.String(), "/events/import/") {
				t.Fatalf("an empty ledger: status %d\n%s", w.Code, excerpt(w.Body.String()))
			}
		})

		t.Run("NotAWorkbook", func(t *testing.T) {
			w := post("活动台账.xls", []byte("not a workbook"))
			if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), ".xlsx") {
				t.Fatalf("an .xls file: status %d\n%s", w.Code, excerpt(w.Body.String()))
			}
		})

		t.Run("GoodFileImportsAfterConfirmation", func(t *testing.T) {
			before := count()
			w := post("活动台账.xlsx", workbook(t, party.EventHeaders, [][]string{good, second}))
			body := w.Body.String()
			if w.Code != http.StatusOK || !strings.Contains(body, "将新增 <strong>2</strong> 次活动") {
				t.Fatalf("preview: status %d\n%s", w.Code, excerpt(body))
			}
			if got := count(); got != before {
				t.Fatal("the preview imported events")
			}
			m := regexp.MustCompile(`action="(/orgs/\d+/events/import/[0-9a-f]{32})"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no confirm form\n%s", excerpt(body))
			}
			done := fx.do(t, request{method: "POST", path: m[1], form: map[string][]string{}})
			if done.Code != http.StatusOK || !strings.Contains(done.Body.String(), "导入完成") {
				t.Fatalf("confirm: status %d\n%s", done.Code, excerpt(done.Body.String()))
			}
			if got := count(); got != before+2 {
				t.Fatalf("the import added %d events, want 2", got-before)
			}
			// The branch's March 主题党日 now counts in the matrix.
			body = fx.get(t, path("/orgs/%d/compliance?period=2026-03", fx.top.ID))
			if row := matrixRow(t, body, "机关党支部"); !strings.Contains(row, `1/1 <span class="mark">达标</span>`) {
				t.Errorf("the imported 主题党日 does not count:\n%s", row)
			}
			again := fx.do(t, request{method: "POST", path: m[1], form: map[string][]string{}})
			if again.Code != http.StatusGone {
				t.Errorf("a second confirmation: status %d, want 410", again.Code)
			}
		})

		t.Run("OnlyTheUploaderConfirms", func(t *testing.T) {
			w := post("活动台账.xlsx", workbook(t, party.EventHeaders, [][]string{
				eventRow("机关党支部", "主题党日", "2026-05-18", "五月主题党日", "张三、李四、王五")}))
			m := regexp.MustCompile(`action="(/orgs/\d+/events/import/[0-9a-f]{32})"`).FindStringSubmatch(w.Body.String())
			if m == nil {
				t.Fatalf("no confirm form\n%s", excerpt(w.Body.String()))
			}
			other := fx.account(t, "sec-import", party.Grant{Role: party.RoleSecretary, OrgID: fx.branch.ID})
			if got := fx.do(t, request{method: "POST", path: m[1], form: map[string][]string{}, cookie: other}).Code; got != http.StatusGone {
				t.Errorf("another user confirmed the upload: status %d, want 410", got)
			}
		})
	})
}

func TestComplianceReaderLandsOnReminders(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.account(t, "leader", party.Grant{Role: party.RoleLeader, OrgID: fx.top.ID})
		w := fx.do(t, request{method: "POST", path: "/signin", anonymous: true,
			form: map[string][]string{"username": {"leader"}, "password": {testPassword}}})
		if loc := w.Header().Get("Location"); w.Code != http.StatusSeeOther || loc != "/reminders" {
			t.Fatalf("a leader's sign-in went to %q (status %d), want /reminders", loc, w.Code)
		}
	})
}

func TestComplianceMatrixOfABigSubtree(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		themeDays(t, fx)
		ctx := context.Background()
		// Nine branches of 32 party groups each under the 党总支: 297 more, 304 in all; the 党总支
		// itself keeps 298, few enough for its own matrix.
		var branches, groups []*party.Org
		for i := 1; i <= 9; i++ {
			branches = append(branches, &party.Org{Name: path("总支第%d党支部", i), Code: path("T-ZZ-%d", i),
				Kind: party.KindBranch, ParentID: fx.zong.ID})
		}
		storetest.MustDo(t, "branches", db.BulkCreateOrgs(ctx, branches))
		for _, b := range branches {
			for g := 1; g <= 32; g++ {
				groups = append(groups, &party.Org{Name: path("%s第%d小组", b.Name, g), Code: path("%s-%d", b.Code, g),
					Kind: party.KindGroup, ParentID: b.ID})
			}
		}
		storetest.MustDo(t, "groups", db.BulkCreateOrgs(ctx, groups))

		body := fx.get(t, path("/orgs/%d/compliance?period=2026H1", fx.top.ID))
		if !strings.Contains(body, "按直属下级组织汇总") || strings.Contains(body, "总支第1党支部") {
			t.Fatalf("a subtree of more than 300 organizations is not summed by direct child\n%s", excerpt(body))
		}
		zong := matrixRow(t, body, "直属单位党总支")
		if !strings.Contains(zong, "（298个组织，297个有缺）") {
			t.Errorf("the 党总支's row does not sum its 298 organizations, the 297 branches and groups with gaps:\n%s", zong)
		}
		// Nine branches without a single 主题党日: 0 of 54.
		if !strings.Contains(zong, `0/54 <span class="mark">缺54</span>`) {
			t.Errorf("the 党总支's 主题党日 sum is not 0/54:\n%s", zong)
		}
		branch := matrixRow(t, body, "机关党支部")
		if !strings.Contains(branch, path(`href="/orgs/%d/compliance?period=2026H1">5/6 <span class="mark">缺1</span>`, fx.branch.ID)) {
			t.Errorf("the branch's summed cell does not open its own matrix:\n%s", branch)
		}
		// The child's own matrix is small again and lists its party group.
		small := fx.get(t, path("/orgs/%d/compliance?period=2026H1", fx.zong.ID))
		if strings.Contains(small, "按直属下级组织汇总") || !strings.Contains(small, "总支第1党支部") {
			t.Error("the 党总支's own matrix (298 organizations) is summed, or lacks its branches")
		}
		study := fx.get(t, path("/orgs/%d/study?period=2026H1", fx.top.ID))
		if !strings.Contains(study, "按直属下级组织汇总") || !strings.Contains(section(t, study, "orgs-h"), "93.3%") {
			t.Errorf("the study page of a big subtree is not summed by direct child\n%s", excerpt(study))
		}
	})
}
