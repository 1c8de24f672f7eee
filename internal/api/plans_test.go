package api_test

import (
	"context"
	"strconv"
	"testing"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func TestPlanRoutes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		monthly := `{"type": "theme_day", "title": "主题党日", "place": "党员活动室", "frequency": "month", "day": 15,
			"start_time": "14:30", "minutes": 90, "from_on": "2026-12-01"}`
		e.run(t, []scenario{
			{name: "EmptyList", method: "GET", url: "/api/v1/orgs/{branch}/plans", status: 200, json: map[string]any{"items.#": 0}},
			{name: "CreateMonthly", method: "POST", url: "/api/v1/orgs/{branch}/plans", body: monthly, status: 201,
				save:   map[string]string{"id": "plan"},
				header: map[string]string{"Location": "/api/v1/orgs/{branch}/plans"},
				json: map[string]any{"org_id": "{branch}", "org_name": "机关党支部", "type": "theme_day", "frequency": "month",
					"day": 15, "start_time": "14:30", "minutes": 90, "from_on": "2026-12-01", "until_on": nil, "active": true}},
			// Its events of the next 60 days are planned at once: 15 December and 15 January.
			{name: "EventsPlanned", method: "GET", url: "/api/v1/events?org={branch}&status=planned", status: 200,
				json: map[string]any{"total": 2, "items.0.date": "2026-12-15", "items.0.plan_id": "{plan}", "items.1.date": "2027-01-15"}},
			{name: "Weekly", method: "POST", url: "/api/v1/orgs/{group}/plans", status: 201,
				body: `{"type": "group_meeting", "title": "党小组学习", "frequency": "week", "day": 3, "start_time": "9:05",
					"minutes": 60, "from_on": "2026-12-01", "until_on": "2026-12-31"}`,
				json: map[string]any{"frequency": "week", "day": 3, "until_on": "2026-12-31", "start_time": "09:05"}},
			{name: "ListedFromTheBureau", method: "GET", url: "/api/v1/orgs/{top}/plans", status: 200,
				json: map[string]any{"items.#": 2}},
			{name: "ErrTypeOfAnotherKind", method: "POST", url: "/api/v1/orgs/{branch}/plans", status: 400,
				body: `{"type": "group_meeting", "title": "党小组会", "frequency": "month", "day": 10, "start_time": "14:30",
					"minutes": 60, "from_on": "2026-12-01"}`,
				json: map[string]any{"error.field": "type"}},
			{name: "ErrNoDay", method: "POST", url: "/api/v1/orgs/{branch}/plans", status: 400,
				body: `{"type": "theme_day", "title": "主题党日", "frequency": "month", "start_time": "14:30", "minutes": 90,
					"from_on": "2026-12-01"}`,
				json: map[string]any{"error.field": "day"}},
			{name: "ErrBadDay", method: "POST", url: "/api/v1/orgs/{branch}/plans", status: 400,
				body: `{"type": "theme_day", "title": "主题党日", "frequency": "week", "day": 7, "start_time": "14:30",
					"minutes": 90, "from_on": "2026-12-01"}`,
				json: map[string]any{"error.field": "day", "error.message": "星期应为0（星期日）至6（星期六）"}},
			{name: "ErrBadDate", method: "POST", url: "/api/v1/orgs/{branch}/plans", status: 400,
				body: `{"type": "theme_day", "title": "主题党日", "frequency": "month", "day": 15, "start_time": "14:30",
					"minutes": 90, "from_on": "2026/12/01"}`,
				json: map[string]any{"error.field": "from_on", "error.message": "字段 from_on 应为 2006-01-02 格式的有效日期"}},
			{name: "ErrUnknownField", method: "POST", url: "/api/v1/orgs/{branch}/plans", status: 400,
				body: `{"type": "theme_day", "weekday": 3}`, json: map[string]any{"error.field": "weekday"}},
			{name: "ErrStopThroughAnotherBranch", method: "POST", url: "/api/v1/orgs/{other}/plans/{plan}/stop", body: `{}`,
				status: 404},
			{name: "ErrStopBeforeItBegan", method: "POST", url: "/api/v1/orgs/{branch}/plans/{plan}/stop",
				body: `{"last_day": "2026-01-01"}`, status: 400, json: map[string]any{"error.field": "last_day"}},
			{name: "Stop", method: "POST", url: "/api/v1/orgs/{top}/plans/{plan}/stop", body: `{"last_day": "2026-12-31"}`,
				status: 200, json: map[string]any{"active": false, "until_on": "2026-12-31"}},
			{name: "LaterEventCancelled", method: "GET", url: "/api/v1/events?org={branch}&status=cancelled", status: 200,
				json: map[string]any{"total": 1, "items.0.date": "2027-01-15", "items.0.cancel_reason": "周期计划已停止"}},
			{name: "ErrStopTwice", method: "POST", url: "/api/v1/orgs/{branch}/plans/{plan}/stop", body: `{}`, status: 409},
		})
		id, _ := strconv.ParseInt(e.vars["plan"], 10, 64)
		rows, err := db.AuditFor(context.Background(), store.ObjEventPlan, id, 5)
		storetest.MustDo(t, "audit", err)
		if len(rows) != 2 || rows[0].Action != store.ActUpdate || rows[1].Action != store.ActCreate || rows[0].Source != "api 192.0.2.1" {
			t.Fatalf("audit rows of the plan: %+v", rows)
		}
		p, err := db.FindPlan(context.Background(), id)
		storetest.MustDo(t, "find", err)
		if p.Active || p.UntilOn != day("2026-12-31") || p.Type != party.TypeThemeDay {
			t.Fatalf("stored plan: %+v", p)
		}
	})
}
