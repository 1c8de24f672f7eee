package api_test

import (
	"fmt"
	"strings"
	"testing"

	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// memberBody is a complete member request body; override replaces "key": value pairs.
func memberBody(fields map[string]string) string {
	base := map[string]string{"org_id": "{other}", "name": `"钱七"`, "gender": `"女"`, "ethnicity": `"汉族"`,
		"birth_date": `"1990-03-08"`, "id_number": `"{id_new}"`, "phone": `"{phone_new}"`, "education": `"硕士研究生"`,
		"unit_post": `"体校教练"`, "joined_on": `"2015-07-01"`, "full_on": `"2016-07-01"`, "category": `"正式党员"`}
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

// liBody is the body that replaces 李四's editable fields, keeping the stored ID number and
// phone (they are left out).
func liBody(fields map[string]string) string {
	f := map[string]string{"org_id": "", "name": `"李思"`, "gender": `"女"`, "birth_date": `"1985-06-15"`,
		"id_number": "", "phone": "", "education": `"大学本科"`, "unit_post": `"办公室副主任"`,
		"joined_on": `"2010-07-01"`, "full_on": `"2011-07-01"`}
	for k, v := range fields {
		f[k] = v
	}
	return memberBody(f)
}

func TestMemberRoutes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		idNew := e.vars["id_new"]
		e.vars["id_new_masked"] = idNew[:3] + strings.Repeat("*", 11) + idNew[14:]
		e.vars["transfer_in_body"] = memberBody(map[string]string{"org_id": "{branch}", "name": `"孙八"`,
			"gender": `"男"`, "birth_date": `"1979-12-01"`, "id_number": `"{id_in}"`, "phone": "",
			"transfer_in": `{"on": "2026-09-01", "from": "某市体育局机关党支部", "note": "工作调动"}`})
		e.run(t, []scenario{
			{name: "ListSortedByPinyin", method: "GET", url: "/api/v1/members?org={top}", status: 200,
				json: map[string]any{"total": 5, "page": 1, "per_page": 20, "items.0.id_number": "{aqiang_masked}",
					"items.0.category": "预备党员", "items.0.full_on": "", "items.0.age": 41},
				check: func(t *testing.T, e *env, body map[string]any) {
					if got, want := fmt.Sprint(names(body, "items")), "[阿强 李四 王五 张三 赵六]"; got != want {
						t.Fatalf("order %s, want %s", got, want)
					}
				}},
			{name: "ListWithoutRootIsEveryone", method: "GET", url: "/api/v1/members", status: 200,
				json: map[string]any{"total": 5}},
			{name: "SecondPage", method: "GET", url: "/api/v1/members?org={top}&per_page=2&page=2", status: 200,
				json: map[string]any{"items.#": 2, "items.0.name": "王五", "items.1.name": "张三", "total": 5,
					"page": 2, "per_page": 2}},
			{name: "LastPage", method: "GET", url: "/api/v1/members?org={top}&per_page=2&page=3", status: 200,
				json: map[string]any{"items.#": 1, "items.0.name": "赵六", "total": 5}},
			{name: "PastTheLastPage", method: "GET", url: "/api/v1/members?org={top}&per_page=2&page=9", status: 200,
				json: map[string]any{"items.#": 0, "total": 5}, contains: []string{`"items":[]`}},
			{name: "PerPageTooLarge", method: "GET", url: "/api/v1/members?per_page=1000", status: 400,
				json: map[string]any{"error.field": "per_page"}},
			{name: "PageZero", method: "GET", url: "/api/v1/members?page=0", status: 400,
				json: map[string]any{"error.field": "page"}},
			{name: "SearchByInitials", method: "GET", url: "/api/v1/members?q=zs", status: 200,
				json: map[string]any{"total": 1, "items.0.name": "张三", "items.0.group_name": "第一党小组"}},
			{name: "SearchByName", method: "GET", url: "/api/v1/members?q=%E6%9D%8E", status: 200,
				json: map[string]any{"total": 1, "items.0.name": "李四"}},
			{name: "SearchByIDNumber", method: "GET", url: "/api/v1/members?q={id_wang}", status: 200,
				json: map[string]any{"total": 1, "items.0.name": "王五", "items.0.id_number": "{wang_masked}"}},
			{name: "FilterGroup", method: "GET", url: "/api/v1/members?group={group}", status: 200,
				json: map[string]any{"total": 1, "items.0.name": "张三"}},
			{name: "FilterBranch", method: "GET", url: "/api/v1/members?branch={other}", status: 200,
				json: map[string]any{"total": 0}},
			{name: "FilterCategory", method: "GET", url: "/api/v1/members?category=预备党员", status: 200,
				json: map[string]any{"total": 1, "items.0.name": "阿强"}},
			{name: "FilterBadCategory", method: "GET", url: "/api/v1/members?category=x", status: 400,
				json: map[string]any{"error.code": "invalid", "error.field": "category"}},
			{name: "FilterAgeBand", method: "GET", url: "/api/v1/members?age=36至45岁", status: 200,
				json: map[string]any{"total": 5}},
			{name: "FilterOtherAgeBand", method: "GET", url: "/api/v1/members?age=35岁及以下", status: 200,
				json: map[string]any{"total": 0}},
			{name: "FilterBadAgeBand", method: "GET", url: "/api/v1/members?age=old", status: 400,
				json: map[string]any{"error.field": "age"}},
			{name: "FilterEducation", method: "GET", url: "/api/v1/members?education=大学本科", status: 200,
				json: map[string]any{"total": 5}},
			{name: "FilterBadEducation", method: "GET", url: "/api/v1/members?education=x", status: 400,
				json: map[string]any{"error.field": "education"}},
			{name: "FilterBadStatus", method: "GET", url: "/api/v1/members?status=x", status: 400,
				json: map[string]any{"error.field": "status"}},
			{name: "FilterUnknownOrg", method: "GET", url: "/api/v1/members?org=999999", status: 404},

			{name: "Create", method: "POST", url: "/api/v1/members", status: 201, body: memberBody(nil),
				json: map[string]any{"name": "钱七", "org_id": "{other}", "org_name": "体校党支部", "gender": "女",
					"id_number": "{id_new_masked}", "phone": "138****0050", "age": 36, "status": "在册",
					"birth_date": "1990-03-08", "left_on": ""},
				save:   map[string]string{"id": "qian"},
				header: map[string]string{"Location": "/api/v1/members/{qian}"}},
			{name: "CreateBadCheckDigit", method: "POST", url: "/api/v1/members", status: 400,
				body: memberBody(map[string]string{"id_number": `"{id_bad}"`, "birth_date": `"1992-05-20"`, "gender": `"男"`}),
				json: map[string]any{"error.code": "invalid", "error.field": "id_number"}, contains: []string{"校验位"}},
			{name: "CreateShortIDNumber", method: "POST", url: "/api/v1/members", status: 400,
				body: memberBody(map[string]string{"id_number": `"12345"`}), json: map[string]any{"error.field": "id_number"}},
			{name: "CreateWithoutIDNumber", method: "POST", url: "/api/v1/members", status: 400,
				body: memberBody(map[string]string{"id_number": ""}), json: map[string]any{"error.field": "id_number"}},
			{name: "CreateDuplicate", method: "POST", url: "/api/v1/members", status: 409,
				body: memberBody(map[string]string{"id_number": `"{id_wang}"`, "birth_date": `"1985-06-15"`, "gender": `"男"`}),
				json: map[string]any{"error.code": "conflict", "error.field": "id_number"}},
			{name: "CreateBirthDateDisagrees", method: "POST", url: "/api/v1/members", status: 400,
				body: memberBody(map[string]string{"id_number": `"{id_in}"`}), json: map[string]any{"error.field": "birth_date"}},
			{name: "CreateBadPhone", method: "POST", url: "/api/v1/members", status: 400,
				body: memberBody(map[string]string{"phone": `"12345"`}), json: map[string]any{"error.field": "phone"}},
			{name: "CreateInPartyGroupRefused", method: "POST", url: "/api/v1/members", status: 400,
				body: memberBody(map[string]string{"org_id": "{group}", "id_number": `"{id_in}"`, "birth_date": `"1979-12-01"`, "gender": `"男"`}),
				json: map[string]any{"error.field": "org_id"}},
			{name: "CreateByTransferIn", method: "POST", url: "/api/v1/members", status: 201, body: "{transfer_in_body}",
				json: map[string]any{"name": "孙八", "org_name": "机关党支部", "phone": ""},
				save: map[string]string{"id": "sun"}},
			{name: "TransferInNeedsFrom", method: "POST", url: "/api/v1/members", status: 400,
				body: memberBody(map[string]string{"transfer_in": `{"on": "2026-09-01"}`}),
				json: map[string]any{"error.field": "transfer_in.from"}},
			{name: "TransferInNeedsDate", method: "POST", url: "/api/v1/members", status: 400,
				body: memberBody(map[string]string{"transfer_in": `{"from": "外单位"}`}),
				json: map[string]any{"error.field": "transfer_in.on"}},
			{name: "GetTransferredIn", method: "GET", url: "/api/v1/members/{sun}", status: 200,
				json: map[string]any{"transfers.#": 1, "transfers.0.kind": "转入", "transfers.0.on": "2026-09-01",
					"transfers.0.counterpart": "某市体育局机关党支部", "transfers.0.to_org_name": "机关党支部",
					"transfers.0.note": "工作调动"}},
			{name: "GetWithHistory", method: "GET", url: "/api/v1/members/{wang}", status: 200,
				json: map[string]any{"name": "王五", "id_number": "{wang_masked}", "positions.#": 1,
					"positions.0.title": "书记", "positions.0.org_name": "机关党支部", "transfers.#": 0, "attachments.#": 0}},
			{name: "GetUnknown", method: "GET", url: "/api/v1/members/999999", status: 404,
				json: map[string]any{"error.code": "not_found", "error.message": "党员不存在"}},
			{name: "GetNonNumeric", method: "GET", url: "/api/v1/members/wang", status: 404},

			{name: "UpdateKeepsIDNumberAndPhone", method: "PUT", url: "/api/v1/members/{li}", status: 200, body: liBody(nil),
				json: map[string]any{"name": "李思", "unit_post": "办公室副主任", "id_number": "{li_masked}",
					"phone": "138****0002", "org_name": "机关党支部"}},
			{name: "UpdateFindsNewName", method: "GET", url: "/api/v1/members?q=ls", status: 200,
				json: map[string]any{"total": 1, "items.0.name": "李思"}},
			{name: "UpdateBranchRefused", method: "PUT", url: "/api/v1/members/{li}", status: 400,
				body: liBody(map[string]string{"org_id": "{other}"}), json: map[string]any{"error.field": "org_id"}},
			{name: "UpdateWithMaskedIDRefused", method: "PUT", url: "/api/v1/members/{li}", status: 400,
				body: liBody(map[string]string{"id_number": `"{li_masked}"`}), json: map[string]any{"error.field": "id_number"}},
			{name: "UpdateClearsPhone", method: "PUT", url: "/api/v1/members/{li}", status: 200,
				body: liBody(map[string]string{"phone": `""`}), json: map[string]any{"phone": ""}},
			{name: "UpdateUnknown", method: "PUT", url: "/api/v1/members/999999", status: 404, body: liBody(nil)},

			{name: "TransferOut", method: "POST", url: "/api/v1/members/{zhao}/transfer-out", status: 200,
				body: `{"on": "2026-10-01", "to": "外省某党支部", "note": "工作调动"}`,
				json: map[string]any{"status": "已转出", "left_on": "2026-10-01"}},
			{name: "TransferOutTwice", method: "POST", url: "/api/v1/members/{zhao}/transfer-out", status: 409,
				body: `{"on": "2026-10-01", "to": "外省某党支部"}`},
			{name: "TransferOutNeedsTo", method: "POST", url: "/api/v1/members/{zhang}/transfer-out", status: 400,
				body: `{"on": "2026-10-01"}`, json: map[string]any{"error.field": "to"}},
			{name: "TransferOutNotInFuture", method: "POST", url: "/api/v1/members/{zhang}/transfer-out", status: 400,
				body: `{"on": "2027-01-01", "to": "外单位"}`, json: map[string]any{"error.field": "on"}},
			{name: "TransferredOutLeavesDefaultList", method: "GET", url: "/api/v1/members?org={top}&per_page=100", status: 200,
				json: map[string]any{"total": 6}, notContains: []string{"赵六"}},
			{name: "TransferredOutListed", method: "GET", url: "/api/v1/members?status=已转出", status: 200,
				json: map[string]any{"total": 1, "items.0.name": "赵六", "items.0.status": "已转出"}},
			{name: "EveryStatus", method: "GET", url: "/api/v1/members?status=all", status: 200,
				json: map[string]any{"total": 7}},
			{name: "TransferredOutKeepsHistory", method: "GET", url: "/api/v1/members/{zhao}", status: 200,
				json: map[string]any{"transfers.0.kind": "转出", "transfers.0.counterpart": "外省某党支部",
					"transfers.0.from_org_name": "机关党支部"}},

			{name: "MoveToOtherBranch", method: "POST", url: "/api/v1/members/{zhang}/move", status: 200,
				body: `{"org_id": {other}, "on": "2026-11-01", "note": "岗位调整"}`,
				json: map[string]any{"org_id": "{other}", "org_name": "体校党支部", "group_id": 0, "group_name": ""}},
			{name: "MoveToSameBranchRefused", method: "POST", url: "/api/v1/members/{zhang}/move", status: 400,
				body: `{"org_id": {other}, "on": "2026-11-01"}`, json: map[string]any{"error.field": "org_id"}},
			{name: "MoveRecorded", method: "GET", url: "/api/v1/members/{zhang}", status: 200,
				json: map[string]any{"transfers.0.kind": "系统内转接", "transfers.0.from_org_name": "机关党支部",
					"transfers.0.to_org_name": "体校党支部"}},

			{name: "AddPosition", method: "POST", url: "/api/v1/members/{li}/positions", status: 201,
				body: `{"org_id": {branch}, "title": "组织委员", "start_on": "2024-01-01"}`,
				json: map[string]any{"title": "组织委员", "member_name": "李思", "org_name": "机关党支部", "end_on": ""},
				save: map[string]string{"id": "pos"}},
			{name: "AddPositionTwice", method: "POST", url: "/api/v1/members/{li}/positions", status: 409,
				body: `{"org_id": {branch}, "title": "组织委员", "start_on": "2024-01-01"}`},
			{name: "AddPositionBadTitle", method: "POST", url: "/api/v1/members/{li}/positions", status: 400,
				body: `{"org_id": {branch}, "title": "主席", "start_on": "2024-01-01"}`, json: map[string]any{"error.field": "title"}},
			{name: "AddPositionUnknownMember", method: "POST", url: "/api/v1/members/999999/positions", status: 404,
				body: `{"org_id": {branch}, "title": "组织委员", "start_on": "2024-01-01"}`},
			{name: "EndPosition", method: "POST", url: "/api/v1/positions/{pos}/end", status: 200,
				body: `{"end_on": "2026-11-01"}`, json: map[string]any{"id": "{pos}", "end_on": "2026-11-01", "title": "组织委员"}},
			{name: "EndPositionTwice", method: "POST", url: "/api/v1/positions/{pos}/end", status: 409,
				body: `{"end_on": "2026-11-02"}`},
			{name: "EndPositionUnknown", method: "POST", url: "/api/v1/positions/999999/end", status: 404,
				body: `{"end_on": "2026-11-02"}`},

			{name: "Attach", method: "POST", url: "/api/v1/orgs/{temp}/attachments", status: 201,
				body: `{"member_id": {li}, "start_on": "2026-03-01"}`,
				json: map[string]any{"member_name": "李思", "org_name": "省运会临时党支部", "start_on": "2026-03-01"},
				save: map[string]string{"id": "att"}},
			{name: "AttachToNormalBranchRefused", method: "POST", url: "/api/v1/orgs/{branch}/attachments", status: 400,
				body: `{"member_id": {li}}`, json: map[string]any{"error.code": "invalid"}},
			{name: "AttachToUnknownOrg", method: "POST", url: "/api/v1/orgs/999999/attachments", status: 404,
				body: `{"member_id": {li}}`},
			{name: "TempBranchListsAttached", method: "GET", url: "/api/v1/orgs/{temp}", status: 200,
				json: map[string]any{"attachments.#": 1, "attachments.0.member_name": "李思"}},
			{name: "EndAttachment", method: "POST", url: "/api/v1/attachments/{att}/end", status: 200,
				body: `{"end_on": "2026-05-31"}`, json: map[string]any{"end_on": "2026-05-31"}},
			{name: "EndAttachmentUnknown", method: "POST", url: "/api/v1/attachments/999999/end", status: 404,
				body: `{"end_on": "2026-05-31"}`},
			{name: "HistoryAfterAll", method: "GET", url: "/api/v1/members/{li}", status: 200,
				json: map[string]any{"positions.#": 1, "positions.0.end_on": "2026-11-01", "attachments.#": 1,
					"attachments.0.end_on": "2026-05-31"}},
		})
	})
}
