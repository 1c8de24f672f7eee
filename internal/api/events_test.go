package api_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// eventBody is a complete body of POST /api/v1/events recording a held 支部党员大会 of 机关党支部;
// fields replaces "key": value pairs ("" drops the key).
func eventBody(fields map[string]string) string {
	base := map[string]string{"org_id": "{branch}", "type": `"branch_assembly"`, "title": `"第三季度支部党员大会"`,
		"start_at": `"2026-09-10T14:30:00+08:00"`, "end_at": `"2026-09-10T16:00:00+08:00"`, "place": `"三楼会议室"`,
		"host": `"王五"`, "recorder": `"李四"`, "content": `"学习传达上级会议精神。"`, "decisions": `"通过发展对象名单"`,
		"status": `"held"`}
	for k, v := range fields {
		if v == "" {
			delete(base, k)
		} else {
			base[k] = v
		}
	}
	var parts []string
	for k, v := range base {
		parts = append(parts, fmt.Sprintf("%q: %s", k, v))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// addOutsider registers 钱七 in 体校党支部, a member of another subtree than 机关党支部's.
func addOutsider(t *testing.T, e *env) {
	t.Helper()
	m := &party.Member{Name: "钱七", Gender: party.Female, Ethnicity: "汉族", BirthDate: day("1990-03-08"),
		IDNumber: party.IDNumber(e.id("1990-03-08", false, 201)), Education: "大学本科", JoinedOn: day("2015-07-01"),
		FullOn: day("2016-07-01"), Category: party.Full}
	m.OrgID, _ = strconv.ParseInt(e.vars["other"], 10, 64)
	storetest.MustDo(t, "create 钱七", e.db.CreateMember(context.Background(), m))
	e.vars["qian"] = strconv.FormatInt(m.ID, 10)
}

// eventTokens gives the scenarios tokens of a 支部书记 of 机关党支部, a 领导 of the bureau, the
// 党员 李四, and a 支部书记 of 体校党支部 (another subtree).
func eventTokens(t *testing.T, e *env) {
	t.Helper()
	id := func(key string) int64 { n, _ := strconv.ParseInt(e.vars[key], 10, 64); return n }
	e.vars["tok_sec"] = e.tokenFor(t, "sec", party.Grant{Role: party.RoleSecretary, OrgID: id("branch")})
	e.vars["tok_ld"] = e.tokenFor(t, "ld", party.Grant{Role: party.RoleLeader, OrgID: id("top")})
	e.vars["tok_mem"] = e.tokenFor(t, "mem", party.Grant{Role: party.RoleMember, MemberID: id("li")})
	e.vars["tok_tx"] = e.tokenFor(t, "tx", party.Grant{Role: party.RoleSecretary, OrgID: id("other")})
	e.vars["tok_sys"] = e.tokenFor(t, "sys", party.Grant{Role: party.RoleSysAdmin})
}

func as(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer {" + token + "}"}
}

func TestEventRoutes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		addOutsider(t, e)
		eventTokens(t, e)
		e.vars["long_title"] = strings.Repeat("长", party.MaxTitleLen+1)
		e.run(t, []scenario{
			{name: "EventTypes", method: "GET", url: "/api/v1/event-types", status: 200,
				json: map[string]any{"items.0.code": "branch_assembly", "items.0.name": "支部党员大会",
					"items.0.audience": "members", "items.1.code": "branch_committee", "items.1.quorum": true,
					"items.1.category": "组织生活", "items.1.org_kinds.#": 3, "items.1.org_kinds.1": "党支部",
					"items.4.code": "theme_day", "items.4.org_kinds.#": 0}},
			{name: "EventTypesForAnyToken", method: "GET", url: "/api/v1/event-types", status: 200,
				reqHeader: as("tok_sys"), contains: []string{`"code":"theme_day","name":"主题党日"`}},
			{name: "EventTypesNeedToken", method: "GET", url: "/api/v1/event-types", status: 401,
				reqHeader: map[string]string{"Authorization": ""}},

			// Recording and planning.
			{name: "RecordHeld", method: "POST", url: "/api/v1/events", status: 201,
				body: eventBody(map[string]string{
					"attendance": `[{"member_id": {zhao}, "status": "leave", "reason": "出差"}, {"member_id": {aqiang}, "status": "absent"}]`,
					"guests":     `[{"name": "周某", "unit_post": "局办公室主任"}]`}),
				save:   map[string]string{"id": "held"},
				header: map[string]string{"Location": "/api/v1/events/{held}"},
				json: map[string]any{"org_id": "{branch}", "org_name": "机关党支部", "type": "branch_assembly",
					"type_name": "支部党员大会", "status": "held", "status_name": "已召开", "date": "2026-09-10",
					"start_at": "2026-09-10T14:30:00+08:00", "end_at": "2026-09-10T16:00:00+08:00",
					"created_at": "2026-11-26T16:00:00+08:00", "expected": 5, "present": 3, "leave": 1, "absent": 1,
					"counts": true, "attendance.#": 5, "guests.0.name": "周某", "guests.0.unit_post": "局办公室主任",
					"topics.#": 0, "decisions": "通过发展对象名单"},
				check: func(t *testing.T, e *env, body map[string]any) {
					got := map[string]string{}
					list, _ := lookup(body, "attendance")
					for _, x := range list.([]any) {
						m := x.(map[string]any)
						got[fmt.Sprint(m["member_name"])] = fmt.Sprint(m["status"], "/", m["reason"])
					}
					want := map[string]string{"王五": "present/", "张三": "present/", "李四": "present/",
						"赵六": "leave/出差", "阿强": "absent/"}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("attendance %v, want %v", got, want)
					}
					id, _ := strconv.ParseInt(e.vars["held"], 10, 64)
					rows, err := e.db.AuditFor(context.Background(), store.ObjEvent, id, 5)
					storetest.MustDo(t, "audit", err)
					if len(rows) != 1 || rows[0].Username != "admin" || rows[0].Source != "api 192.0.2.1" {
						t.Fatalf("audit rows of the event: %+v", rows)
					}
				}},
			{name: "Plan", method: "POST", url: "/api/v1/events", status: 201,
				body: eventBody(map[string]string{"type": `"theme_day"`, "title": `"12月主题党日"`, "status": `"planned"`,
					"start_at": `"2026-12-10T09:00:00+08:00"`, "end_at": `"2026-12-10T11:00:00+08:00"`}),
				save: map[string]string{"id": "plan"},
				json: map[string]any{"status": "planned", "status_name": "计划", "expected": 0, "attendance.#": 0,
					"counts": false}},
			{name: "PlanAnother", method: "POST", url: "/api/v1/events", status: 201,
				reqHeader: as("tok_sec"),
				body: eventBody(map[string]string{"type": `"party_lecture"`, "title": `"书记讲党课"`, "status": `"planned"`,
					"start_at": `"2026-12-20T09:00:00+08:00"`, "end_at": `"2026-12-20T11:00:00+08:00"`}),
				save: map[string]string{"id": "plan2"}, json: map[string]any{"status": "planned"}},
			{name: "PlanWithAttendanceRefused", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"status": `"planned"`, "start_at": `"2026-12-10T09:00:00+08:00"`,
					"end_at": `"2026-12-10T11:00:00+08:00"`, "attendance": `[{"member_id": {zhao}, "status": "leave"}]`}),
				json: map[string]any{"error.field": "attendance"}},
			{name: "RecordFutureRefused", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"start_at": `"2026-12-01T09:00:00+08:00"`, "end_at": `"2026-12-01T11:00:00+08:00"`}),
				json: map[string]any{"error.code": "invalid", "error.field": "start_at"}},
			{name: "CreateStatusRequired", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"status": ""}), json: map[string]any{"error.field": "status"}},
			{name: "CreateCancelledRefused", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"status": `"cancelled"`}), json: map[string]any{"error.field": "status"}},
			{name: "CreateUnknownType", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"type": `"picnic"`}), json: map[string]any{"error.field": "type"}},
			{name: "CreateTypeOfAnotherKind", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"type": `"leading_group"`}),
				json: map[string]any{"error.field": "type",
					"error.message": "“机关党支部”是党支部，不召开“党组会”（该活动类型适用于党组）"}},
			{name: "CreateUnknownField", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"minutes": `"x"`}),
				json: map[string]any{"error.field": "minutes", "error.message": "请求含有不支持的字段 minutes"}},
			{name: "CreateWrongType", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"org_id": `"机关"`}),
				json: map[string]any{"error.field": "org_id", "error.message": "字段 org_id 应为整数"}},
			{name: "CreateWrongTypeInList", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"attendance": `[{"member_id": "李四", "status": "leave"}]`}),
				json: map[string]any{"error.field": "attendance.member_id"}},
			{name: "CreateTitleTooLong", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"title": `"{long_title}"`}), json: map[string]any{"error.field": "title"}},
			{name: "CreateBadTime", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"start_at": `"2026-09-10 14:30"`}),
				json: map[string]any{"error.field": "start_at"}, contains: []string{"RFC 3339"}},
			{name: "CreateEndBeforeStart", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"end_at": `"2026-09-10T13:00:00+08:00"`}),
				json: map[string]any{"error.field": "end_at"}},
			{name: "CreateControlCharInGuest", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"guests": `[{"name": "周\u0001某"}]`}),
				json: map[string]any{"error.field": "guests.name"}},
			{name: "CreateInvalidUTF8", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"title": "\"\xff\xfe\""}), contains: []string{"UTF-8"}},
			{name: "CreateBadAttendanceStatus", method: "POST", url: "/api/v1/events", status: 400,
				body:     eventBody(map[string]string{"attendance": `[{"member_id": {zhao}, "status": "请假"}]`}),
				json:     map[string]any{"error.field": "attendance"},
				contains: []string{"present、leave 或 absent"}},
			{name: "CreateWithMemberOfOtherSubtree", method: "POST", url: "/api/v1/events", status: 400,
				body:        eventBody(map[string]string{"attendance": `[{"member_id": {qian}, "status": "absent"}]`}),
				json:        map[string]any{"error.field": "attendance"},
				notContains: []string{"钱七", "体校"}},
			{name: "CreateWithUnknownMember", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"attendance": `[{"member_id": 999999, "status": "absent"}]`}),
				json: map[string]any{"error.field": "attendance"}},
			{name: "CreateInOtherSubtree", method: "POST", url: "/api/v1/events", status: 400, reqHeader: as("tok_sec"),
				body: eventBody(map[string]string{"org_id": "{other}"}),
				json: map[string]any{"error.field": "org_id", "error.message": "组织不存在"}},
			{name: "CreateInMissingOrg", method: "POST", url: "/api/v1/events", status: 400,
				body: eventBody(map[string]string{"org_id": "999999"}),
				json: map[string]any{"error.field": "org_id", "error.message": "组织不存在"}},
			{name: "CreateAsLeaderForbidden", method: "POST", url: "/api/v1/events", status: 403, reqHeader: as("tok_ld"),
				body: eventBody(nil), json: map[string]any{"error.code": "forbidden"}},
			{name: "CreateAsMemberForbidden", method: "POST", url: "/api/v1/events", status: 403, reqHeader: as("tok_mem"),
				body: eventBody(nil)},
			{name: "CreateNeedsJSON", method: "POST", url: "/api/v1/events", status: 415, body: eventBody(nil),
				contentType: "text/plain"},

			// Reading.
			{name: "Get", method: "GET", url: "/api/v1/events/{held}", status: 200,
				json: map[string]any{"id": "{held}", "title": "第三季度支部党员大会", "content": "学习传达上级会议精神。",
					"attendance.#": 5, "guests.#": 1}, contains: []string{"出差"}},
			{name: "GetAsLeader", method: "GET", url: "/api/v1/events/{held}", status: 200, reqHeader: as("tok_ld"),
				json: map[string]any{"attendance.#": 5}},
			{name: "GetAsExpectedMemberShowsOwnRowOnly", method: "GET", url: "/api/v1/events/{held}", status: 200,
				reqHeader:   as("tok_mem"),
				json:        map[string]any{"attendance.#": 1, "attendance.0.member_name": "李四", "expected": 5, "present": 3},
				notContains: []string{"出差", "赵六"}},
			// A planned 主题党日 expects the whole branch, so its member sees it before it is held.
			{name: "GetPlannedAsExpectedMember", method: "GET", url: "/api/v1/events/{plan}", status: 200, reqHeader: as("tok_mem"),
				json: map[string]any{"id": "{plan}", "status": "planned", "attendance.#": 0}},
			{name: "GetFromOtherSubtree", method: "GET", url: "/api/v1/events/{held}", status: 404, reqHeader: as("tok_tx"),
				json: map[string]any{"error.code": "not_found", "error.message": "活动不存在"}},
			{name: "GetAsSystemAdmin", method: "GET", url: "/api/v1/events/{held}", status: 404, reqHeader: as("tok_sys")},
			{name: "GetUnknown", method: "GET", url: "/api/v1/events/999999", status: 404,
				json: map[string]any{"error.message": "活动不存在"}},
			{name: "GetBadID", method: "GET", url: "/api/v1/events/abc", status: 404},
			{name: "DeleteNotAllowed", method: "DELETE", url: "/api/v1/events/{held}", status: 405},

			// Lists.
			{name: "ListOrg", method: "GET", url: "/api/v1/events?org={top}&from=2026-01-01&to=2026-12-31", status: 200,
				json: map[string]any{"total": 3, "items.0.id": "{held}", "items.1.id": "{plan}", "items.2.id": "{plan2}",
					"items.0.present": 3, "page": 1, "per_page": 20},
				notContains: []string{"学习传达上级会议精神"}},
			{name: "ListToIsInclusive", method: "GET", url: "/api/v1/events?org={branch}&from=2026-09-10&to=2026-09-10", status: 200,
				json: map[string]any{"total": 1, "items.0.id": "{held}"}},
			{name: "ListStatus", method: "GET", url: "/api/v1/events?org={branch}&status=planned", status: 200,
				json: map[string]any{"total": 2}},
			{name: "ListType", method: "GET", url: "/api/v1/events?type=theme_day", status: 200,
				json: map[string]any{"total": 1, "items.0.id": "{plan}"}},
			{name: "ListPage", method: "GET", url: "/api/v1/events?per_page=1&page=2", status: 200,
				json: map[string]any{"total": 3, "items.#": 1, "items.0.id": "{plan}"}},
			{name: "ListOtherSubtreeIsEmpty", method: "GET", url: "/api/v1/events?org={other}", status: 200,
				json: map[string]any{"total": 0}, contains: []string{`"items":[]`}},
			{name: "ListBadStatus", method: "GET", url: "/api/v1/events?status=done", status: 400,
				json: map[string]any{"error.field": "status"}},
			{name: "ListBadType", method: "GET", url: "/api/v1/events?type=picnic", status: 400,
				json: map[string]any{"error.field": "type"}},
			{name: "ListBadFrom", method: "GET", url: "/api/v1/events?from=2026-02-30", status: 400,
				json: map[string]any{"error.field": "from"}, contains: []string{"参数 from"}},
			{name: "ListToBeforeFrom", method: "GET", url: "/api/v1/events?from=2026-06-01&to=2026-05-01", status: 400,
				json: map[string]any{"error.field": "to"}},
			{name: "ListBadOrg", method: "GET", url: "/api/v1/events?org=x", status: 400,
				json: map[string]any{"error.field": "org"}},
			{name: "ListAsMemberIsOwnEvents", method: "GET", url: "/api/v1/events", status: 200, reqHeader: as("tok_mem"),
				json: map[string]any{"total": 1, "items.0.id": "{held}"}},
			{name: "ListAsMemberByOrgRefused", method: "GET", url: "/api/v1/events?org={branch}", status: 404,
				reqHeader: as("tok_mem")},
			{name: "ListAsOtherSubtree", method: "GET", url: "/api/v1/events?org={branch}", status: 404, reqHeader: as("tok_tx"),
				json: map[string]any{"error.message": "组织不存在"}},
			{name: "ListAsOtherSubtreeDefault", method: "GET", url: "/api/v1/events", status: 200, reqHeader: as("tok_tx"),
				json: map[string]any{"total": 0}},
			{name: "ListAsSecretaryDefault", method: "GET", url: "/api/v1/events", status: 200, reqHeader: as("tok_sec"),
				json: map[string]any{"total": 3}},
			{name: "ListAsSystemAdmin", method: "GET", url: "/api/v1/events", status: 403, reqHeader: as("tok_sys")},

			// Changes.
			{name: "Patch", method: "PATCH", url: "/api/v1/events/{held}", status: 200,
				body: `{"title": "第三季度党员大会", "place": "四楼会议室", "guests": []}`,
				json: map[string]any{"title": "第三季度党员大会", "place": "四楼会议室", "host": "王五", "guests.#": 0,
					"attendance.#": 5, "present": 3, "status": "held"}},
			{name: "PatchTypeRefused", method: "PATCH", url: "/api/v1/events/{held}", status: 400,
				body: `{"type": "theme_day"}`, json: map[string]any{"error.field": "type"}},
			{name: "PatchTopicsOfNonStudyType", method: "PATCH", url: "/api/v1/events/{held}", status: 400,
				body: `{"topic_ids": [999999]}`, json: map[string]any{"error.field": "topic_ids"}},
			{name: "PatchBadTime", method: "PATCH", url: "/api/v1/events/{held}", status: 400,
				body: `{"end_at": 5}`, json: map[string]any{"error.field": "end_at", "error.message": "字段 end_at 应为字符串"}},
			{name: "PatchAsLeaderForbidden", method: "PATCH", url: "/api/v1/events/{held}", status: 403,
				reqHeader: as("tok_ld"), body: `{"title": "改"}`},
			{name: "PatchAsMemberForbidden", method: "PATCH", url: "/api/v1/events/{held}", status: 403,
				reqHeader: as("tok_mem"), body: `{"title": "改"}`},
			{name: "PatchFromOtherSubtree", method: "PATCH", url: "/api/v1/events/{held}", status: 404,
				reqHeader: as("tok_tx"), body: `{"title": "改"}`},
			{name: "PatchAsSecretary", method: "PATCH", url: "/api/v1/events/{plan}", status: 200,
				reqHeader: as("tok_sec"), body: `{"place": "党员活动室"}`,
				json: map[string]any{"place": "党员活动室", "status": "planned"}},

			// Completing a plan, with a 第一议题 item.
			{name: "CreateTopic", method: "POST", url: "/api/v1/topics", status: 201,
				body: `{"title": "在庆祝中国共产党成立105周年大会上的讲话", "issued_on": "2026-07-01", "source": "人民日报"}`,
				save: map[string]string{"id": "topic"}},
			{name: "CompleteInFutureRefused", method: "POST", url: "/api/v1/events/{plan}/complete", status: 400,
				body: `{}`, json: map[string]any{"error.field": "start_at"}},
			{name: "CompleteUnknownTopic", method: "POST", url: "/api/v1/events/{plan}/complete", status: 400,
				body: `{"start_at": "2026-11-20T09:00:00+08:00", "end_at": "2026-11-20T11:00:00+08:00", "topic_ids": [999999]}`,
				json: map[string]any{"error.field": "topic_ids"}},
			{name: "CompleteAsLeaderForbidden", method: "POST", url: "/api/v1/events/{plan}/complete", status: 403,
				reqHeader: as("tok_ld"), body: `{}`},
			{name: "Complete", method: "POST", url: "/api/v1/events/{plan}/complete", status: 200,
				body: `{"start_at": "2026-11-20T09:00:00+08:00", "end_at": "2026-11-20T11:00:00+08:00", "topic_ids": [{topic}],
					"attendance": [{"member_id": {li}, "status": "leave", "reason": "病假"}]}`,
				json: map[string]any{"status": "held", "date": "2026-11-20", "title": "12月主题党日", "place": "党员活动室",
					"expected": 5, "present": 4, "leave": 1, "counts": true, "topics.#": 1, "topics.0.id": "{topic}",
					"topics.0.issued_on": "2026-07-01"}},
			{name: "CompleteTwice", method: "POST", url: "/api/v1/events/{plan}/complete", status: 409, body: `{}`,
				json: map[string]any{"error.code": "conflict"}},
			{name: "MemberNowSeesCompletedEvent", method: "GET", url: "/api/v1/events/{plan}", status: 200,
				reqHeader: as("tok_mem"), json: map[string]any{"attendance.#": 1, "attendance.0.status": "leave",
					"attendance.0.reason": "病假"}},

			// Cancelling.
			{name: "CancelNeedsReason", method: "POST", url: "/api/v1/events/{plan2}/cancel", status: 400, body: `{}`,
				json: map[string]any{"error.field": "reason"}},
			{name: "CancelReasonTooLong", method: "POST", url: "/api/v1/events/{plan2}/cancel", status: 400,
				body: `{"reason": "` + strings.Repeat("长", party.MaxTextLen+1) + `"}`, json: map[string]any{"error.field": "reason"}},
			{name: "CancelAsLeaderForbidden", method: "POST", url: "/api/v1/events/{plan2}/cancel", status: 403,
				reqHeader: as("tok_ld"), body: `{"reason": "书记外出"}`},
			{name: "CancelFromOtherSubtree", method: "POST", url: "/api/v1/events/{plan2}/cancel", status: 404,
				reqHeader: as("tok_tx"), body: `{"reason": "书记外出"}`},
			{name: "Cancel", method: "POST", url: "/api/v1/events/{plan2}/cancel", status: 200, reqHeader: as("tok_sec"),
				body: `{"reason": "书记外出学习，改期"}`,
				json: map[string]any{"status": "cancelled", "status_name": "已取消", "cancel_reason": "书记外出学习，改期"}},
			{name: "CancelTwice", method: "POST", url: "/api/v1/events/{plan2}/cancel", status: 409, body: `{"reason": "再次"}`},
			{name: "CancelHeldRefused", method: "POST", url: "/api/v1/events/{held}/cancel", status: 409, body: `{"reason": "误登"}`},
			{name: "PatchCancelledRefused", method: "PATCH", url: "/api/v1/events/{plan2}", status: 409, body: `{"title": "改"}`},

			// Attendance corrections.
			{name: "Attendance", method: "PUT", url: "/api/v1/events/{held}/attendance", status: 200,
				body: `{"attendance": [{"member_id": {aqiang}, "status": "present"}]}`,
				json: map[string]any{"present": 4, "absent": 0, "leave": 1, "attendance.#": 5}},
			{name: "AttendanceEmpty", method: "PUT", url: "/api/v1/events/{held}/attendance", status: 400,
				body: `{"attendance": []}`, json: map[string]any{"error.field": "attendance"}},
			{name: "AttendanceNotAnObject", method: "PUT", url: "/api/v1/events/{held}/attendance", status: 400,
				body: `[{"member_id": {aqiang}, "status": "present"}]`},
			{name: "AttendanceBadStatus", method: "PUT", url: "/api/v1/events/{held}/attendance", status: 400,
				body: `{"attendance": [{"member_id": {aqiang}, "status": "late"}]}`, json: map[string]any{"error.field": "attendance"}},
			{name: "AttendanceReasonTooLong", method: "PUT", url: "/api/v1/events/{held}/attendance", status: 400,
				body: `{"attendance": [{"member_id": {aqiang}, "status": "leave", "reason": "` + strings.Repeat("长", 201) + `"}]}`,
				json: map[string]any{"error.field": "attendance"}},
			{name: "AttendanceMemberOfOtherSubtree", method: "PUT", url: "/api/v1/events/{held}/attendance", status: 400,
				body:        `{"attendance": [{"member_id": {qian}, "status": "present"}]}`,
				json:        map[string]any{"error.field": "attendance"},
				notContains: []string{"钱七", "体校"}},
			{name: "AttendanceOfCancelledEvent", method: "PUT", url: "/api/v1/events/{plan2}/attendance", status: 409,
				body: `{"attendance": [{"member_id": {li}, "status": "present"}]}`},
			{name: "AttendanceAsLeaderForbidden", method: "PUT", url: "/api/v1/events/{held}/attendance", status: 403,
				reqHeader: as("tok_ld"), body: `{"attendance": [{"member_id": {li}, "status": "absent"}]}`},
			{name: "AttendanceAsMemberForbidden", method: "PUT", url: "/api/v1/events/{held}/attendance", status: 403,
				reqHeader: as("tok_mem"), body: `{"attendance": [{"member_id": {li}, "status": "absent"}]}`},
			{name: "AttendanceFromOtherSubtree", method: "PUT", url: "/api/v1/events/{held}/attendance", status: 404,
				reqHeader: as("tok_tx"), body: `{"attendance": [{"member_id": {qian}, "status": "absent"}]}`},
			{name: "AttendanceUnchangedAfterRefusals", method: "GET", url: "/api/v1/events/{held}", status: 200,
				json: map[string]any{"present": 4, "leave": 1, "absent": 0}},
		})
	})
}
