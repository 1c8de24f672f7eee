package api_test

import (
	"errors"
	"strings"
	"testing"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func TestRequestDecoding(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.vars["huge"] = strings.Repeat("党", 1<<20/3+10)
		e.vars["long_note"] = strings.Repeat("党", party.MaxTextLen+1)
		e.run(t, []scenario{
			{name: "UnknownField", method: "POST", url: "/api/v1/orgs", status: 400,
				body: `{"name": "某组织", "nickname": "x"}`,
				json: map[string]any{"error.code": "invalid", "error.field": "nickname"}, contains: []string{"nickname"}},
			{name: "UnknownNestedField", method: "POST", url: "/api/v1/members", status: 400,
				body: `{"transfer_in": {"when": "2026-01-01"}}`, json: map[string]any{"error.field": "when"}},
			{name: "WrongTypeString", method: "POST", url: "/api/v1/orgs", status: 400,
				body: `{"name": 123}`, json: map[string]any{"error.field": "name", "error.message": "字段 name 应为字符串"}},
			{name: "WrongTypeInteger", method: "POST", url: "/api/v1/orgs", status: 400,
				body: `{"parent_id": "1"}`, json: map[string]any{"error.field": "parent_id", "error.message": "字段 parent_id 应为整数"}},
			{name: "WrongTypeFraction", method: "POST", url: "/api/v1/orgs", status: 400,
				body: `{"parent_id": 1.5}`, json: map[string]any{"error.field": "parent_id"}},
			{name: "WrongTypeNested", method: "POST", url: "/api/v1/members", status: 400,
				body: `{"transfer_in": {"on": 20260101}}`, json: map[string]any{"error.field": "transfer_in.on"}},
			{name: "WrongTypeObject", method: "POST", url: "/api/v1/members", status: 400,
				body: `{"transfer_in": "外单位"}`, json: map[string]any{"error.field": "transfer_in", "error.message": "字段 transfer_in 应为对象"}},
			{name: "BodyTooLarge", method: "POST", url: "/api/v1/orgs", status: 413,
				body: `{"note": "{huge}"}`, json: map[string]any{"error.code": "too_large"}},
			{name: "LongTextIsAFieldError", method: "POST", url: "/api/v1/orgs", status: 400,
				body: `{"name": "某组织", "code": "LONG", "kind": "党委", "note": "{long_note}"}`,
				json: map[string]any{"error.field": "note"}},
			{name: "WrongContentType", method: "POST", url: "/api/v1/orgs", status: 415, contentType: "text/plain",
				body: `{"name": "某组织"}`, json: map[string]any{"error.code": "unsupported_media_type"}},
			{name: "FormContentType", method: "POST", url: "/api/v1/orgs", status: 415,
				contentType: "application/x-www-form-urlencoded", body: `name=x`},
			{name: "NoContentType", method: "POST", url: "/api/v1/orgs", status: 415, contentType: "-",
				body: `{"name": "某组织"}`},
			{name: "NotUTF8Charset", method: "POST", url: "/api/v1/orgs", status: 415,
				contentType: "application/json; charset=gbk", body: `{"name": "某组织"}`},
			{name: "UTF8CharsetAccepted", method: "POST", url: "/api/v1/orgs", status: 201,
				contentType: "application/json; charset=UTF-8", body: `{"name": "某组织", "code": "OK1", "kind": "党委"}`,
				json: map[string]any{"name": "某组织"}},
			{name: "InvalidUTF8", method: "POST", url: "/api/v1/orgs", status: 400,
				body: "{\"name\": \"\xff\xfe\", \"code\": \"BAD\", \"kind\": \"党委\"}", json: map[string]any{"error.code": "invalid"},
				contains: []string{"UTF-8"}},
			{name: "ControlCharacter", method: "POST", url: "/api/v1/members/{wang}/transfer-out", status: 400,
				body: `{"on": "2026-10-01", "to": "外单位\u0000"}`, json: map[string]any{"error.field": "to"}},
			{name: "ControlCharacterNested", method: "POST", url: "/api/v1/members", status: 400,
				body: `{"transfer_in": {"from": "a\u0007"}}`, json: map[string]any{"error.field": "transfer_in.from"}},
			{name: "LineBreaksAllowed", method: "POST", url: "/api/v1/orgs", status: 201,
				body: `{"name": "某委员会", "code": "OK2", "kind": "党委", "note": "第一行\n第二行"}`},
			{name: "QueryNotUTF8", method: "GET", url: "/api/v1/members?q=%FF", status: 400,
				json: map[string]any{"error.field": "q"}},
			{name: "QueryControlCharacter", method: "GET", url: "/api/v1/members?q=a%00", status: 400,
				json: map[string]any{"error.field": "q"}},
			{name: "TrailingObject", method: "POST", url: "/api/v1/orgs", status: 400,
				body: `{"name": "某组织", "code": "T1", "kind": "党委"} {"name": "另一个"}`},
			{name: "TrailingGarbage", method: "POST", url: "/api/v1/orgs", status: 400,
				body: `{"name": "某组织", "code": "T1", "kind": "党委"} x`},
			{name: "EmptyBody", method: "POST", url: "/api/v1/orgs", status: 400, contentType: "application/json",
				json: map[string]any{"error.message": "请求体不能为空"}},
			{name: "Truncated", method: "POST", url: "/api/v1/orgs", status: 400, body: `{"name": `},
			{name: "SyntaxError", method: "POST", url: "/api/v1/orgs", status: 400, body: `{"name" "x"}`},
			{name: "ArrayBody", method: "POST", url: "/api/v1/orgs", status: 400, body: `[]`},
			{name: "NullBody", method: "POST", url: "/api/v1/orgs", status: 400, body: `null`},
			{name: "NothingWasWritten", method: "GET", url: "/api/v1/orgs", status: 200,
				json: map[string]any{"items.#": 8}, notContains: []string{`"T1"`, `"BAD"`, `"LONG"`}},
			{name: "UnknownRoute", method: "GET", url: "/api/v1/nothing", status: 404,
				json: map[string]any{"error.code": "not_found"}},
			{name: "TrailingSlash", method: "GET", url: "/api/v1/orgs/", status: 404},
			{name: "WrongMethod", method: "DELETE", url: "/api/v1/orgs", status: 405,
				header: map[string]string{"Allow": "GET, POST"}, json: map[string]any{"error.code": "method_not_allowed"}},
			{name: "WrongMethodOnMember", method: "DELETE", url: "/api/v1/members/{wang}", status: 405,
				header: map[string]string{"Allow": "GET, PUT"}},
		})
	})
}

func TestInternalErrorIsLoggedNotShown(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		storetest.MustDo(t, "close", db.Close())
		generic := party.ErrorMessage(errors.New("any"))
		e.run(t, []scenario{
			{name: "Read", method: "GET", url: "/api/v1/orgs/{branch}", status: 500,
				json:        map[string]any{"error.code": "internal", "error.message": generic},
				notContains: []string{"sql", "closed", "store:"}},
			{name: "Write", method: "POST", url: "/api/v1/members", status: 500, body: memberBody(nil),
				json: map[string]any{"error.code": "internal", "error.message": generic}},
		})
		if logs := e.logs.String(); !strings.Contains(logs, "api: internal error") || !strings.Contains(logs, "closed") {
			t.Fatalf("the internal error detail was not logged: %s", logs)
		}
	})
}
