package api_test

import (
	"context"
	"testing"

	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

func TestLedgerImportRoute(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		eventTokens(t, e)
		good := `{"rows": [
			{"org": "机关党支部", "type": "主题党日", "date": "2026-03-15", "start_time": "14:30", "title": "学习贯彻全国两会精神",
			 "host": "王五", "recorder": "李四", "expected": 5, "present": ["王五", "李四", "张三"],
			 "leave": [{"name": "赵六", "reason": "出差"}], "absent": ["阿强"]},
			{"org": "T-JG-1", "type": "group_meeting", "date": "2026-03-20", "start_time": "16:00", "title": "学习党章",
			 "present": ["张三"]}]`
		e.run(t, []scenario{
			{name: "DryRun", method: "POST", url: "/api/v1/orgs/{top}/events/import", body: good + `, "dry_run": true}`,
				status: 200, json: map[string]any{"created": 2, "unchanged": 0, "dry_run": true}},
			{name: "NothingWrittenByTheDryRun", method: "GET", url: "/api/v1/events?org={top}&status=held", status: 200,
				json: map[string]any{"total": 0}},
			// Every bad row is listed, by the row's place in rows and its field, and nothing is written.
			{name: "ErrRows", method: "POST", url: "/api/v1/orgs/{top}/events/import", status: 422,
				body: `{"rows": [
					{"org": "机关党支部", "type": "支部委员会", "date": "2026/03/15", "start_time": "14:30", "title": "x", "present": ["王五"]},
					{"org": "第一党小组", "type": "支部委员会", "date": "2026-03-15", "start_time": "14:30", "title": "支委会", "present": ["张三"]},
					{"org": "机关党支部", "type": "主题党日", "date": "2026-03-16", "start_time": "14:30", "title": "主题党日", "present": ["钱七"]}]}`,
				json: map[string]any{"created": 0, "errors.#": 3, "errors.0.row": 1, "errors.0.column": "date",
					"errors.1.row": 2, "errors.1.column": "type", "errors.2.row": 3, "errors.2.column": "present"}},
			{name: "ErrRowsAfterParsing", method: "POST", url: "/api/v1/orgs/{top}/events/import", status: 422,
				body: `{"rows": [
					{"org": "第一党小组", "type": "支部委员会", "date": "2026-03-15", "start_time": "14:30", "title": "支委会", "present": ["张三"]},
					{"org": "机关党支部", "type": "主题党日", "date": "2026-03-16", "start_time": "14:30", "title": "主题党日", "present": ["钱七"]}]}`,
				json: map[string]any{"created": 0, "errors.#": 2, "errors.0.row": 1, "errors.0.column": "type",
					"errors.1.row": 2, "errors.1.column": "present"}},
			{name: "ErrBadCells", method: "POST", url: "/api/v1/orgs/{top}/events/import", status: 422,
				body: `{"rows": [
					{"org": "机关党支部", "type": "主题党日", "date": "2026-02-30", "start_time": "25:00", "title": "x", "present": ["王五", " "]},
					{"org": "机关党支部", "type": "主题党日", "date": "", "start_time": "", "title": "y", "leave": [{"name": ""}]}]}`,
				json: map[string]any{"created": 0, "errors.#": 6,
					"errors.0.column": "date", "errors.0.message": "日期“2026-02-30”无效，应写作 2006-01-02",
					"errors.1.column": "start_time", "errors.2.column": "present", "errors.2.message": "第2个姓名为空",
					"errors.3.message": "请填写日期，格式为 2006-01-02", "errors.4.message": "请填写开始时间，格式为 14:30",
					"errors.5.column": "leave"}},
			{name: "NamesTrimmed", method: "POST", url: "/api/v1/orgs/{top}/events/import", status: 200,
				body: `{"dry_run": true, "rows": [{"org": " 机关党支部 ", "type": "主题党日", "date": "2026-03-01", "start_time": "9:00",
					"title": "z", "present": [" 王五 "], "leave": [{"name": "李四 ", "reason": " 出差 "}]}]}`,
				json: map[string]any{"created": 1, "dry_run": true}},
			{name: "ErrEmpty", method: "POST", url: "/api/v1/orgs/{top}/events/import", body: `{"rows": []}`, status: 400,
				json: map[string]any{"error.field": "rows"}},
			{name: "ErrAnotherSubtree", method: "POST", url: "/api/v1/orgs/{top}/events/import", body: good + `}`,
				reqHeader: as("tok_tx"), status: 404},
			{name: "ErrReadOnly", method: "POST", url: "/api/v1/orgs/{branch}/events/import", body: good + `}`,
				reqHeader: as("tok_ld"), status: 403},
			{name: "Import", method: "POST", url: "/api/v1/orgs/{top}/events/import", body: good + `}`, status: 200,
				json: map[string]any{"created": 2, "dry_run": false}},
			{name: "Recorded", method: "GET", url: "/api/v1/events?org={top}&status=held", status: 200,
				json: map[string]any{"total": 2, "items.0.title": "学习贯彻全国两会精神", "items.0.present": 3, "items.0.leave": 1,
					"items.0.absent": 1, "items.1.org_name": "第一党小组"}},
			{name: "AgainUnchanged", method: "POST", url: "/api/v1/orgs/{top}/events/import", body: good + `}`, status: 200,
				json: map[string]any{"created": 0, "unchanged": 2}},
		})
		events, _, err := db.ListEvents(context.Background(), store.EventFilter{Status: party.EventHeld})
		storetest.MustDo(t, "events", err)
		if len(events) != 2 {
			t.Fatalf("%d events after the import", len(events))
		}
		rows, err := db.AuditFor(context.Background(), store.ObjEvent, events[0].ID, 5)
		storetest.MustDo(t, "audit", err)
		if len(rows) == 0 || rows[len(rows)-1].Source != "api 192.0.2.1" {
			t.Fatalf("audit rows of an imported event: %+v", rows)
		}
	})
}
