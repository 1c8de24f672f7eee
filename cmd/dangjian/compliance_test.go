package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/demo"
	"dangjian/internal/office"
	"dangjian/internal/party"
)

func TestComplianceCommand(t *testing.T) {
	for name, env := range engineEnvs(t) {
		t.Run(name, func(t *testing.T) {
			if out, err := runCmd(t, env, "demo"); err != nil {
				t.Fatalf("demo: %v\n%s", err, out)
			}
			today := party.Today(time.Now())
			period := party.Period{Unit: party.Yearly, Year: today.Year, N: 1}.String()

			out, err := runCmd(t, env, "compliance", "--org", demo.TopCode, "--period", period, "--format", "json")
			if err != nil {
				t.Fatalf("json: %v\n%s", err, out)
			}
			var got complianceJSON
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("json: %v\n%s", err, out)
			}
			if got.OrgCode != demo.TopCode || got.Period != period || len(got.Rows) < 20 || got.Required == 0 {
				t.Fatalf("json report: %+v", got)
			}
			for _, r := range got.Rows {
				if r.OrgCode == "" || r.OrgName == "" || r.EventType == "" || r.Required < 0 || r.Held < 0 ||
					r.Missing+r.Pending > r.Required {
					t.Fatalf("row %+v", r)
				}
			}
			if !strings.Contains(out, `"org_code"`) || !strings.Contains(out, `"event_type"`) || !strings.Contains(out, `"missing"`) {
				t.Fatalf("json field names:\n%s", out[:300])
			}

			out, err = runCmd(t, env, "compliance", "--org", demo.TopCode, "--period", period)
			if err != nil {
				t.Fatalf("table: %v\n%s", err, out)
			}
			lines := strings.Split(out, "\n")
			if !strings.Contains(lines[0], "组织生活落实情况") || !strings.HasPrefix(lines[2], "组织编码") {
				t.Fatalf("table:\n%s", out)
			}
			// Columns line up in display width: 应开 ends where every row's number ends.
			head := displayWidth(lines[2][:strings.Index(lines[2], "应开")+len("应开")])
			for _, l := range lines[3 : 3+len(got.Rows)] {
				cut := 0
				for w := 0; w < head; {
					r := []rune(l[cut:])[0]
					w += displayWidth(string(r))
					cut += len(string(r))
				}
				if l[cut-1] < '0' || l[cut-1] > '9' || (cut < len(l) && l[cut] != ' ') {
					t.Fatalf("column 应开 not aligned in %q", l)
				}
			}
			if today.Month > time.May && !strings.Contains(out, "2026-04 2026-05") && today.Year == 2026 {
				t.Errorf("the third party group's gap is not shown:\n%s", out)
			}
			missingOnly, err := runCmd(t, env, "compliance", "--org", demo.TopCode, "--period", period, "--missing")
			if err != nil || len(missingOnly) >= len(out) {
				t.Fatalf("--missing: %v", err)
			}

			file := filepath.Join(t.TempDir(), "落实情况.xlsx")
			out, err = runCmd(t, env, "compliance", "--org", demo.TopCode, "--period", period, "--format", "xlsx", "-o", file)
			if err != nil || !strings.Contains(out, "已导出") {
				t.Fatalf("xlsx: %v\n%s", err, out)
			}
			f, err := excelize.OpenFile(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if sheets := f.GetSheetList(); len(sheets) != 2 || sheets[0] != office.ComplianceSheet {
				t.Fatalf("sheets %v", sheets)
			}

			for _, bad := range [][]string{{"compliance"}, {"compliance", "--org", demo.TopCode, "--period", "2026H3"},
				{"compliance", "--org", "NOPE"}, {"compliance", "--org", demo.TopCode, "--format", "xlsx"},
				{"compliance", "--org", demo.TopCode, "--format", "csv"}} {
				if out, err := runCmd(t, env, bad...); err == nil {
					t.Errorf("%v: no error\n%s", bad, out)
				}
			}
		})
	}
}

// TestCityDemoWithEvents builds a small synthetic city with this year's events and judges it.
func TestCityDemoWithEvents(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) string {
		if k == "DANGJIAN_DATA" {
			return dir
		}
		return ""
	}
	out, err := runCmd(t, env, "demo", "--scale", "city", "--branches", "60", "--members", "1200", "--events")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	if !strings.Contains(out, "已登记组织生活活动") {
		t.Fatalf("no events summary:\n%s", out)
	}
	today := party.Today(time.Now())
	period := party.Period{Unit: party.Yearly, Year: today.Year, N: 1}.String()
	out, err = runCmd(t, env, "compliance", "--org", demo.CityCode, "--period", period, "--format", "json")
	if err != nil {
		t.Fatalf("compliance: %v\n%s", err, out)
	}
	var got complianceJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	held := 0
	for _, r := range got.Rows {
		held += r.Held
	}
	if today.Month > time.February && held == 0 {
		t.Fatalf("the city held nothing this year: %+v", got)
	}
}

// TestImportEventsCommand imports a past event ledger: a bad row imports nothing and is named,
// the corrected file imports, and importing it again changes nothing.
func TestImportEventsCommand(t *testing.T) {
	for name, env := range engineEnvs(t) {
		t.Run(name, func(t *testing.T) {
			bureau(t, env)
			dir := t.TempDir()
			ledger := filepath.Join(dir, "台账.xlsx")
			header := []any{"组织", "类型", "日期", "开始时间", "主题", "主持人", "记录人", "应到人数", "出席人员", "请假人员", "缺席人员", "第一议题"}
			writeSheet(t, ledger, [][]any{header,
				{"机关党支部", "主题党日", "2026-03-15", "14:30", "学雷锋志愿服务", "张三", "张三", 1, "张三", "", "", ""},
				{"机关党支部", "主题党日", "2026-04-15", "14:30", "清明祭英烈", "张三", "张三", 1, "李四", "", "", ""},
			})
			out, err := runCmd(t, env, "import", "events", "--org", "CS", ledger)
			if err == nil || !strings.Contains(out, "第3行") || !strings.Contains(out, "李四") || !strings.Contains(out, "未导入任何数据") {
				t.Fatalf("a ledger naming a stranger: %v\n%s", err, out)
			}
			writeSheet(t, ledger, [][]any{header,
				{"机关党支部", "主题党日", "2026-03-15", "14:30", "学雷锋志愿服务", "张三", "张三", 1, "张三", "", "", ""},
				{"CS-JG", "主题党日", "2026-04-15", "14:30", "清明祭英烈", "张三", "张三", 1, "", "", "张三", ""},
			})
			if out, err := runCmd(t, env, "import", "events", "--org", "CS", ledger, "--dry-run"); err != nil || !strings.Contains(out, "试运行") {
				t.Fatalf("dry run: %v\n%s", err, out)
			}
			if out, err := runCmd(t, env, "import", "events", "--org", "CS", ledger); err != nil || !strings.Contains(out, "新增2条") {
				t.Fatalf("import: %v\n%s", err, out)
			}
			if out, err := runCmd(t, env, "import", "events", "--org", "CS", ledger); err != nil || !strings.Contains(out, "新增0条") {
				t.Fatalf("import again: %v\n%s", err, out)
			}
		})
	}
}
