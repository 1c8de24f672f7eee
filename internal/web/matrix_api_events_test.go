package web_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"dangjian/internal/party"
	"dangjian/internal/store/storetest"
)

func init() {
	matrixExtraRows = append(matrixExtraRows, apiEventMatrixRows)
	matrixExtraRecords = append(matrixExtraRecords, apiEventMatrixRecords)
}

// apiEventMatrixRecords adds a 第一议题 item ({apitopic}) for the topic routes and a recurring
// plan of the principals' branch ({apiplan}) for the plan routes.
func apiEventMatrixRecords(t *testing.T, fx *fixture, vars map[string]string) {
	t.Helper()
	topic := &party.FirstTopic{Title: "接口矩阵用第一议题", IssuedOn: day("2026-03-01")}
	storetest.MustDo(t, "topic", fx.db.CreateFirstTopic(context.Background(), topic))
	vars["apitopic"] = strconv.FormatInt(topic.ID, 10)
	plan := &party.Plan{OrgID: fx.branch.ID, Type: party.TypeThemeDay, Title: "接口矩阵用主题党日",
		Frequency: party.PlanMonthly, Day: 15, StartTime: "14:30", Minutes: 90, FromOn: day("2026-12-01")}
	storetest.MustDo(t, "plan", fx.db.CreatePlan(context.Background(), plan))
	vars["apiplan"] = strconv.FormatInt(plan.ID, 10)
}

// apiEventMatrixRows are the rows of the API's events, compliance and 第一议题 routes. {event}
// is a held 支部党员大会 of the principals' branch at which the 党员 (李四) was expected, so it
// reads it; {otherevent} one of another bureau. Writes are for 党建管理员, 支部书记 and 组织委员;
// 纪检 and 领导 read only; the 三员 reach no event. The bodies are empty or wrong on purpose:
// a writer gets past the permission check to a 400 or 409 and changes nothing.
func apiEventMatrixRows() []cell {
	const (
		readers     = "admin,sec,org,jj,ld"
		onEventRead = "anon=401 " + readers + ",mem=200 *=404"
		onEventEdit = "anon=401 admin,sec,org=%d jj,ld,mem=403 *=404"
		otherEvent  = "anon=401 *=404"
	)
	edit := func(status int) string { return fmt.Sprintf(onEventEdit, status) }
	return []cell{
		{pattern: "GET /api/v1/events", own: "/api/v1/events?org={org}", wantOwn: "anon=401 " + readers + "=200 mem=404 *=403",
			other: "/api/v1/events?org={otherorg}", wantOther: "anon=401 " + readers + ",mem=404 *=403"},
		{pattern: "POST /api/v1/events", own: "/api/v1/events", json: `{"org_id": {otherorg}}`,
			wantOwn: "anon=401 admin,sec,org=400 *=403", other: "/api/v1/events?other=1", wantOther: "anon=401 admin,sec,org=400 *=403"},
		{pattern: "POST /api/v1/orgs/{id}/events/import", own: "/api/v1/orgs/{org}/events/import", json: `{}`,
			wantOwn: "anon=401 admin,sec,org=400 jj,ld=403 *=404", other: "/api/v1/orgs/{otherorg}/events/import", wantOther: "anon=401 *=404"},
		{pattern: "GET /api/v1/events/{id}", own: "/api/v1/events/{event}", wantOwn: onEventRead,
			other: "/api/v1/events/{otherevent}", wantOther: otherEvent},
		{pattern: "PATCH /api/v1/events/{id}", own: "/api/v1/events/{event}", wantOwn: edit(200),
			other: "/api/v1/events/{otherevent}", wantOther: otherEvent},
		{pattern: "POST /api/v1/events/{id}/complete", own: "/api/v1/events/{event}/complete", wantOwn: edit(409),
			other: "/api/v1/events/{otherevent}/complete", wantOther: otherEvent},
		{pattern: "POST /api/v1/events/{id}/cancel", own: "/api/v1/events/{event}/cancel", wantOwn: edit(400),
			other: "/api/v1/events/{otherevent}/cancel", wantOther: otherEvent},
		{pattern: "PUT /api/v1/events/{id}/attendance", own: "/api/v1/events/{event}/attendance", wantOwn: edit(400),
			other: "/api/v1/events/{otherevent}/attendance", wantOther: otherEvent},
		{pattern: "GET /api/v1/event-types", own: "/api/v1/event-types", wantOwn: "anon=401 *=200"},
		// Plans: readers list them; writers get past the check to a 400 (no type; a last day
		// before the plan began) and change nothing. Another bureau's plan answers 404 even
		// through the principals' own branch.
		{pattern: "GET /api/v1/orgs/{id}/plans", own: "/api/v1/orgs/{org}/plans", wantOwn: "anon=401 " + readers + "=200 *=404",
			other: "/api/v1/orgs/{otherorg}/plans", wantOther: "anon=401 *=404"},
		{pattern: "POST /api/v1/orgs/{id}/plans", own: "/api/v1/orgs/{org}/plans", json: `{}`,
			wantOwn: "anon=401 admin,sec,org=400 jj,ld=403 *=404", other: "/api/v1/orgs/{otherorg}/plans", wantOther: "anon=401 *=404"},
		{pattern: "POST /api/v1/orgs/{id}/plans/{pid}/stop", own: "/api/v1/orgs/{org}/plans/{apiplan}/stop",
			json: `{"last_day": "2001-01-01"}`, wantOwn: "anon=401 admin,sec,org=400 jj,ld=403 *=404",
			other: "/api/v1/orgs/{otherorg}/plans/{apiplan}/stop", wantOther: "anon=401 *=404"},
		{pattern: "GET /api/v1/compliance", own: "/api/v1/compliance?org={org}&period=2026H1",
			wantOwn: "anon=401 " + readers + "=200 *=403",
			other:   "/api/v1/compliance?org={otherorg}&period=2026H1", wantOther: "anon=401 " + readers + "=404 *=403"},
		{pattern: "GET /api/v1/topics", own: "/api/v1/topics?year=2026", wantOwn: "anon=401 " + readers + "=200 *=403"},
		// The 第一议题 ledger is shared: only an administrator of the whole installation adds to it.
		{pattern: "POST /api/v1/topics", own: "/api/v1/topics", wantOwn: "anon=401 *=403"},
		{pattern: "GET /api/v1/topics/{id}", own: "/api/v1/topics/{apitopic}", wantOwn: "anon=401 " + readers + "=200 *=403"},
	}
}
