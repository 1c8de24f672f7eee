package api_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// holdEvent records a held event of type typ of organization key on day, at 09:00, with the
// given exceptions to full attendance and 第一议题 items.
func holdEvent(t *testing.T, e *env, key string, typ party.EventTypeCode, on string, exceptions []party.Attendance, topics ...int64) {
	t.Helper()
	d := day(on)
	org, _ := strconv.ParseInt(e.vars[key], 10, 64)
	start := time.Date(d.Year, d.Month, d.Day, 9, 0, 0, 0, party.Zone)
	ev := &party.Event{OrgID: org, Type: typ, Title: fmt.Sprintf("%s %s", typ, on), StartAt: start,
		EndAt: start.Add(2 * time.Hour), TopicIDs: topics}
	storetest.MustDo(t, "record "+string(typ)+" "+on, e.db.RecordEvent(context.Background(), ev, exceptions))
}

// row returns the compliance row of organization code and event type code in body.
func row(t *testing.T, body map[string]any, org, typ string) map[string]any {
	t.Helper()
	rows, _ := lookup(body, "rows")
	list, _ := rows.([]any)
	for _, x := range list {
		m := x.(map[string]any)
		if m["org_code"] == org && m["event_type_code"] == typ {
			return m
		}
	}
	t.Fatalf("no row of %s %s in %v", org, typ, body)
	return nil
}

// wantRow checks the figures and lists of a compliance row against the hand-computed ones.
func wantRow(t *testing.T, body map[string]any, org, typ, want string) {
	t.Helper()
	m := row(t, body, org, typ)
	got := fmt.Sprintf("org_id=%v name=%v type=%v required=%v held=%v missing=%v pending=%v dates=%v missing_periods=%v",
		m["org_id"], m["org_name"], m["event_type"], m["required"], m["held"], m["missing"], m["pending"], m["dates"],
		m["missing_periods"])
	if got != want {
		t.Errorf("%s %s:\n got %s\nwant %s", org, typ, got, want)
	}
}

// sumsRows checks that the top-level totals are the sums of the rows.
func sumsRows(t *testing.T, body map[string]any) {
	t.Helper()
	rows, _ := lookup(body, "rows")
	sums := map[string]int{}
	for _, x := range rows.([]any) {
		for _, k := range []string{"required", "held", "missing", "pending"} {
			n, _ := strconv.Atoi(fmt.Sprint(x.(map[string]any)[k]))
			sums[k] += n
		}
	}
	for k, n := range sums {
		if got := fmt.Sprint(body[k]); got != strconv.Itoa(n) {
			t.Errorf("%s = %s, the rows sum to %d", k, got, n)
		}
	}
}

// TestComplianceRoute checks the figures of a fixture computed by hand. In 2026H1 机关党支部
// held its 主题党日 in January, February, April and June (a March one was cancelled): 6
// required, 4 held, March and May missing. Its committee (王五 alone, the only officer) met in
// January, February and March, but in March without 王五, so without a quorum: 6 required, 2
// held. 第一党小组 met in May only: 6 required, 1 held, 5 missing. No 支部党员大会 was held (2
// quarters missing), and the four yearly rules of a branch (党课, 组织生活会, 民主评议党员,
// 谈心谈话) are pending, the year not being over on 2026-11-26: in all 24 required, 7 held, 13
// missing, 4 pending.
func TestComplianceRoute(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		eventTokens(t, e)
		ctx := context.Background()
		for _, on := range []string{"2026-01-15", "2026-02-15", "2026-04-15", "2026-06-15"} {
			holdEvent(t, e, "branch", party.TypeThemeDay, on, nil)
		}
		branch, _ := strconv.ParseInt(e.vars["branch"], 10, 64)
		march := &party.Event{OrgID: branch, Type: party.TypeThemeDay, Title: "三月主题党日",
			StartAt: time.Date(2026, 3, 15, 9, 0, 0, 0, party.Zone), EndAt: time.Date(2026, 3, 15, 11, 0, 0, 0, party.Zone)}
		storetest.MustDo(t, "plan", db.PlanEvent(ctx, march))
		_, err := db.CancelEvent(ctx, march.ID, "上级集中培训")
		storetest.MustDo(t, "cancel", err)
		wang, _ := strconv.ParseInt(e.vars["wang"], 10, 64)
		holdEvent(t, e, "branch", party.TypeBranchCommittee, "2026-01-05", nil)
		holdEvent(t, e, "branch", party.TypeBranchCommittee, "2026-02-05", nil)
		holdEvent(t, e, "branch", party.TypeBranchCommittee, "2026-03-05",
			[]party.Attendance{{MemberID: wang, Status: party.Leave, Reason: "出差"}})
		holdEvent(t, e, "group", party.TypeGroupMeeting, "2026-05-20", nil)
		// 体校党支部 held one in January: outside 机关党支部's subtree.
		holdEvent(t, e, "other", party.TypeThemeDay, "2026-01-20", nil)

		themeDay := "org_id={branch} name=机关党支部 type=主题党日 required=6 held=4 missing=2 pending=0 " +
			"dates=[2026-01-15 2026-02-15 2026-04-15 2026-06-15] missing_periods=[2026-03 2026-05]"
		e.run(t, []scenario{
			{name: "HalfYear", method: "GET", url: "/api/v1/compliance?org={branch}&period=2026H1", status: 200,
				json: map[string]any{"org_id": "{branch}", "org_code": "T-JG", "org_name": "机关党支部", "period": "2026H1",
					"period_name": "2026年上半年", "from": "2026-01-01", "to": "2026-06-30", "today": "2026-11-26",
					"required": 24, "held": 7, "missing": 13, "pending": 4},
				check: func(t *testing.T, e *env, body map[string]any) {
					wantRow(t, body, "T-JG", "theme_day", e.fill(themeDay))
					wantRow(t, body, "T-JG", "branch_committee", e.fill("org_id={branch} name=机关党支部 type=支部委员会 "+
						"required=6 held=2 missing=4 pending=0 dates=[2026-01-05 2026-02-05] "+
						"missing_periods=[2026-03 2026-04 2026-05 2026-06]"))
					wantRow(t, body, "T-JG-1", "group_meeting", e.fill("org_id={group} name=第一党小组 type=党小组会 "+
						"required=6 held=1 missing=5 pending=0 dates=[2026-05-20] "+
						"missing_periods=[2026-01 2026-02 2026-03 2026-04 2026-06]"))
					if r := row(t, body, "T-JG", "theme_day"); r["rule"] == "" || r["source"] == "" {
						t.Errorf("the row lacks its rule and source: %v", r)
					}
					sumsRows(t, body)
					rows, _ := lookup(body, "rows")
					for _, x := range rows.([]any) {
						if c := x.(map[string]any)["org_code"]; c != "T-JG" && c != "T-JG-1" {
							t.Errorf("a row of %v, outside the subtree", c)
						}
					}
				}},
			{name: "Quarter", method: "GET", url: "/api/v1/compliance?org={branch}&period=2026Q2", status: 200,
				check: func(t *testing.T, e *env, body map[string]any) {
					wantRow(t, body, "T-JG", "theme_day", e.fill("org_id={branch} name=机关党支部 type=主题党日 required=3 "+
						"held=2 missing=1 pending=0 dates=[2026-04-15 2026-06-15] missing_periods=[2026-05]"))
				}},
			{name: "MonthMissing", method: "GET", url: "/api/v1/compliance?org={branch}&period=2026-03", status: 200,
				check: func(t *testing.T, e *env, body map[string]any) {
					wantRow(t, body, "T-JG", "theme_day", e.fill("org_id={branch} name=机关党支部 type=主题党日 required=1 "+
						"held=0 missing=1 pending=0 dates=[] missing_periods=[2026-03]"))
				}},
			{name: "OnlyMissingLeavesOutCompleteRows", method: "GET", url: "/api/v1/compliance?org={branch}&period=2026-01&missing=1",
				status: 200, check: func(t *testing.T, e *env, body map[string]any) {
					rows, _ := lookup(body, "rows")
					for _, x := range rows.([]any) {
						m := x.(map[string]any)
						if fmt.Sprint(m["missing"]) == "0" {
							t.Errorf("row without anything missing: %v", m)
						}
						if m["event_type_code"] == "theme_day" || m["event_type_code"] == "branch_committee" {
							t.Errorf("January's 主题党日 and committee were held: %v", m)
						}
					}
				}},
			{name: "MonthComplete", method: "GET", url: "/api/v1/compliance?org={branch}&period=2026-01", status: 200,
				check: func(t *testing.T, e *env, body map[string]any) {
					wantRow(t, body, "T-JG", "theme_day", e.fill("org_id={branch} name=机关党支部 type=主题党日 required=1 "+
						"held=1 missing=0 pending=0 dates=[2026-01-15] missing_periods=[]"))
				}},
			{name: "ChinesePeriod", method: "GET", url: "/api/v1/compliance?org={branch}&period=2026年上半年", status: 200,
				json: map[string]any{"period": "2026H1"}},
			{name: "WholeBureau", method: "GET", url: "/api/v1/compliance?org={top}&period=2026H1", status: 200,
				check: func(t *testing.T, e *env, body map[string]any) {
					wantRow(t, body, "T-JG", "theme_day", e.fill(themeDay))
					wantRow(t, body, "T-TX", "theme_day", e.fill("org_id={other} name=体校党支部 type=主题党日 required=6 "+
						"held=1 missing=5 pending=0 dates=[2026-01-20] missing_periods=[2026-02 2026-03 2026-04 2026-05 2026-06]"))
					sumsRows(t, body)
				}},
			{name: "DefaultIsCurrentHalfYearOfOwnSubtree", method: "GET", url: "/api/v1/compliance", status: 200,
				reqHeader: as("tok_sec"), json: map[string]any{"org_code": "T-JG", "period": "2026H2", "to": "2026-12-31"}},
			{name: "DefaultForWholeInstallation", method: "GET", url: "/api/v1/compliance?period=2026", status: 200,
				json: map[string]any{"org_code": "T", "period": "2026"}},
			{name: "LeaderReads", method: "GET", url: "/api/v1/compliance?org={branch}&period=2026H1", status: 200,
				reqHeader: as("tok_ld"), check: func(t *testing.T, e *env, body map[string]any) {
					wantRow(t, body, "T-JG", "theme_day", e.fill(themeDay))
				}},
			{name: "BadPeriod", method: "GET", url: "/api/v1/compliance?org={branch}&period=2026H3", status: 400,
				json: map[string]any{"error.code": "invalid", "error.field": "period"}, contains: []string{"参数 period"}},
			{name: "BadOrg", method: "GET", url: "/api/v1/compliance?org=abc", status: 400,
				json: map[string]any{"error.field": "org"}},
			{name: "BadMissingFlag", method: "GET", url: "/api/v1/compliance?org={branch}&missing=maybe", status: 400,
				json: map[string]any{"error.field": "missing"}},
			{name: "UnknownOrg", method: "GET", url: "/api/v1/compliance?org=999999", status: 404,
				json: map[string]any{"error.message": "组织不存在"}},
			{name: "OtherSubtree", method: "GET", url: "/api/v1/compliance?org={branch}", status: 404, reqHeader: as("tok_tx"),
				json: map[string]any{"error.message": "组织不存在"}},
			{name: "MemberForbidden", method: "GET", url: "/api/v1/compliance", status: 403, reqHeader: as("tok_mem")},
			{name: "SystemAdminForbidden", method: "GET", url: "/api/v1/compliance?org={branch}", status: 403,
				reqHeader: as("tok_sys")},
		})
	})
}

func TestTopicRoutes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		eventTokens(t, e)
		ctx := context.Background()
		old := &party.FirstTopic{Title: "2025年的一篇讲话", IssuedOn: day("2025-03-01")}
		storetest.MustDo(t, "topic", db.CreateFirstTopic(ctx, old))
		e.vars["long_title"] = fmt.Sprintf("%0*d", party.MaxTitleLen+1, 0)
		e.run(t, []scenario{
			{name: "Create", method: "POST", url: "/api/v1/topics", status: 201,
				body: `{"title": "关于党的建设的重要论述", "issued_on": "2026-03-01", "source": "求是", "note": "全局学习"}`,
				save: map[string]string{"id": "topic"}, header: map[string]string{"Location": "/api/v1/topics/{topic}"},
				json: map[string]any{"title": "关于党的建设的重要论述", "issued_on": "2026-03-01", "source": "求是"}},
			{name: "CreateUndated", method: "POST", url: "/api/v1/topics", status: 201, body: `{"title": "未注明日期的文章"}`,
				json: map[string]any{"issued_on": ""}},
			{name: "CreateDuplicate", method: "POST", url: "/api/v1/topics", status: 409,
				body: `{"title": "关于党的建设的重要论述"}`, json: map[string]any{"error.code": "conflict", "error.field": "title"}},
			{name: "CreateFutureDate", method: "POST", url: "/api/v1/topics", status: 400,
				body: `{"title": "未来的讲话", "issued_on": "2026-12-01"}`, json: map[string]any{"error.field": "issued_on"}},
			{name: "CreateBadDate", method: "POST", url: "/api/v1/topics", status: 400,
				body: `{"title": "某讲话", "issued_on": "2026/03/01"}`, json: map[string]any{"error.field": "issued_on"}},
			{name: "CreateNoTitle", method: "POST", url: "/api/v1/topics", status: 400, body: `{"source": "求是"}`,
				json: map[string]any{"error.field": "title"}},
			{name: "CreateTitleTooLong", method: "POST", url: "/api/v1/topics", status: 400,
				body: `{"title": "{long_title}"}`, json: map[string]any{"error.field": "title"}},
			{name: "CreateUnknownField", method: "POST", url: "/api/v1/topics", status: 400,
				body: `{"title": "某讲话", "org_id": 1}`, json: map[string]any{"error.field": "org_id"}},
			{name: "CreateAsSecretaryForbidden", method: "POST", url: "/api/v1/topics", status: 403,
				reqHeader: as("tok_sec"), body: `{"title": "某讲话"}`},
			{name: "CreateAsLeaderForbidden", method: "POST", url: "/api/v1/topics", status: 403,
				reqHeader: as("tok_ld"), body: `{"title": "某讲话"}`},
			{name: "ListYear", method: "GET", url: "/api/v1/topics?year=2026", status: 200,
				json: map[string]any{"items.#": 1, "items.0.id": "{topic}"}},
			{name: "ListAll", method: "GET", url: "/api/v1/topics", status: 200,
				json: map[string]any{"items.#": 3, "items.0.id": "{topic}", "items.1.title": "2025年的一篇讲话",
					"items.2.title": "未注明日期的文章"}},
			{name: "ListByTitle", method: "GET", url: "/api/v1/topics?q=%E8%AE%B2%E8%AF%9D", status: 200,
				json: map[string]any{"items.#": 1, "items.0.title": "2025年的一篇讲话"}},
			{name: "ListBadYear", method: "GET", url: "/api/v1/topics?year=26", status: 400,
				json: map[string]any{"error.field": "year"}},
			{name: "ListAsLeader", method: "GET", url: "/api/v1/topics", status: 200, reqHeader: as("tok_ld"),
				json: map[string]any{"items.#": 3}},
			{name: "ListAsMemberForbidden", method: "GET", url: "/api/v1/topics", status: 403, reqHeader: as("tok_mem")},
			{name: "GetUnstudied", method: "GET", url: "/api/v1/topics/{topic}", status: 200,
				json: map[string]any{"title": "关于党的建设的重要论述", "coverage.#": 0}},
			{name: "GetUnknown", method: "GET", url: "/api/v1/topics/999999", status: 404,
				json: map[string]any{"error.message": "第一议题不存在"}},
			{name: "GetAsMemberForbidden", method: "GET", url: "/api/v1/topics/{topic}", status: 403, reqHeader: as("tok_mem")},
			{name: "StudyIt", method: "GET", url: "/api/v1/topics/{topic}", status: 200,
				check: func(t *testing.T, e *env, body map[string]any) {
					// Both branches study it after it was added; 机关党支部 twice.
					id, _ := strconv.ParseInt(e.vars["topic"], 10, 64)
					holdEvent(t, e, "branch", party.TypeThemeDay, "2026-03-10", nil, id)
					holdEvent(t, e, "branch", party.TypeBranchAssembly, "2026-04-10", nil, id)
					holdEvent(t, e, "other", party.TypeThemeDay, "2026-03-20", nil, id)
				}},
			{name: "CoverageEverywhere", method: "GET", url: "/api/v1/topics/{topic}", status: 200,
				json: map[string]any{"coverage.#": 2, "coverage.0.org_code": "T-JG", "coverage.0.org_id": "{branch}",
					"coverage.0.first_on": "2026-03-10", "coverage.0.events": 2, "coverage.0.org_kind": "党支部",
					"coverage.1.org_code": "T-TX", "coverage.1.events": 1}},
			{name: "CoverageOfOwnSubtreeOnly", method: "GET", url: "/api/v1/topics/{topic}", status: 200,
				reqHeader: as("tok_sec"), json: map[string]any{"coverage.#": 1, "coverage.0.org_code": "T-JG"},
				notContains: []string{"体校"}},
			{name: "CoverageOfOtherSubtreeOnly", method: "GET", url: "/api/v1/topics/{topic}", status: 200,
				reqHeader: as("tok_tx"), json: map[string]any{"coverage.#": 1, "coverage.0.org_code": "T-TX"},
				notContains: []string{"机关党支部"}},
			{name: "CoverageOfLeader", method: "GET", url: "/api/v1/topics/{topic}", status: 200,
				reqHeader: as("tok_ld"), json: map[string]any{"coverage.#": 2}},
		})
	})
}
