package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dangjian/internal/audit"
	"dangjian/internal/party"
	"dangjian/internal/store"
	"dangjian/internal/store/storetest"
)

// engine is a migrated database plus a raw connection to the same data, for tampering as
// someone with direct access to the database would.
type engine struct {
	db  *store.DB
	raw *sql.DB
}

// engines opens a fresh database on every configured engine.
func engines(t *testing.T) map[string]engine {
	ctx := context.Background()
	out := map[string]engine{}
	for _, e := range storetest.Engines() {
		cfg := store.Config{DataDir: t.TempDir(), Keys: storetest.Keys(t)}
		driver, dsn := "sqlite", "file:"+filepath.Join(cfg.DataDir, store.SQLiteFile)+"?_pragma=busy_timeout(10000)"
		if e.Name == store.Postgres {
			cfg.URL = storetest.CreatePostgresDB(t)
			driver, dsn = "pgx", cfg.URL
		}
		db, err := store.Open(ctx, cfg)
		storetest.MustDo(t, "open", err)
		t.Cleanup(func() { db.Close() })
		storetest.MustDo(t, "migrate", db.Migrate(ctx))
		raw, err := sql.Open(driver, dsn)
		storetest.MustDo(t, "open raw", err)
		t.Cleanup(func() { raw.Close() })
		out[e.Name] = engine{db: db, raw: raw}
	}
	return out
}

// seed writes audit rows through ordinary store methods at fixed times (one minute apart from
// 2026-03-01 08:00 UTC) and returns how many.
func seed(t *testing.T, db *store.DB) int {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 7, 59, 0, 0, time.UTC)
	db.Now = func() time.Time { now = now.Add(time.Minute); return now }
	top := &party.Org{Name: "中共测试局党组", Code: "T", Kind: party.KindLeadingGroup}
	storetest.MustDo(t, "create top", db.CreateOrg(ctx, top))
	branch := &party.Org{Name: "机关党支部", Code: "T-JG", Kind: party.KindBranch, ParentID: top.ID}
	storetest.MustDo(t, "create branch", db.CreateOrg(ctx, branch))
	clerk := party.WithActor(ctx, party.Actor{UserID: 3, Username: "=HYPERLINK(\"x\")", Source: "10.0.0.8"})
	for i, name := range []string{"张三", "李四", "王五"} {
		s := fmt.Sprintf("110101198506150%02d", 11+2*i)
		m := &party.Member{Name: name, Gender: party.Male, Ethnicity: "汉族", BirthDate: party.Date{Year: 1985, Month: 6, Day: 15},
			IDNumber: party.IDNumber(s[:17] + string(party.IDCheckDigit(s))), Phone: "13812345678", Education: "大学本科",
			JoinedOn: party.Date{Year: 2010, Month: 7, Day: 1}, FullOn: party.Date{Year: 2011, Month: 7, Day: 1},
			Category: party.Full, OrgID: branch.ID}
		storetest.MustDo(t, "create "+name, db.CreateMember(clerk, m))
	}
	name := "机关第一党支部"
	_, err := db.UpdateOrg(clerk, branch.ID, store.OrgUpdate{Name: &name})
	storetest.MustDo(t, "rename", err)
	return 6
}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	for name, e := range engines(t) {
		t.Run(name, func(t *testing.T) {
			n := seed(t, e.db)
			r, err := audit.Verify(ctx, e.db, nil)
			storetest.MustDo(t, "verify", err)
			if want := fmt.Sprintf("审计记录完整：共%d条，哈希链校验通过。", n); !r.OK() || r.Message != want {
				t.Fatalf("got %q, want %q", r.Message, want)
			}
			if _, err := e.raw.ExecContext(ctx, `UPDATE audit_log SET detail = '[]' WHERE id = 4`); err != nil {
				t.Fatal(err)
			}
			r, err = audit.Verify(ctx, e.db, nil)
			storetest.MustDo(t, "verify", err)
			if r.OK() || r.Fault.ID != 4 || !strings.Contains(r.Message, "第4条审计记录（2026-03-01 16:03:00）") {
				t.Fatalf("after tampering with row 4: %q", r.Message)
			}
		})
	}
}

func TestWriteXLSX(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	entries := []store.AuditEntry{
		{ID: 2, At: at, Username: "=cmd|' /C calc'!A0", Source: "10.0.0.8", Action: store.ActUpdate, ObjectType: store.ObjOrg,
			ObjectID: 5, OrgID: 5, OK: true, Detail: `[{"field":"name","old":"甲","new":"乙"},{"field":"note","old":"旧"}]`},
		{ID: 1, At: at, Username: "system", Source: "system", Action: "sign_in", ObjectType: "session",
			OK: false, Detail: `{"masked":true,"rows":12}`},
	}
	var buf bytes.Buffer
	storetest.MustDo(t, "write", audit.WriteXLSX(&buf, entries))
	rows := readSheet(t, buf.Bytes())
	if got, want := strings.Join(rows[0], " "), "时间 用户 来源地址 操作 对象类型 对象编号 组织编号 结果 变更内容"; got != want {
		t.Fatalf("headers %q, want %q", got, want)
	}
	want := [][]string{
		{"2026-03-01 16:00:00", "'=cmd|' /C calc'!A0", "10.0.0.8", "修改", "党组织", "5", "5", "成功", "名称：甲 → 乙；备注：旧 → （空）"},
		{"2026-03-01 16:00:00", "system", "system", "sign_in", "session", "", "", "失败", "脱敏：是；行数：12"},
	}
	for i, w := range want {
		got := append(rows[i+1], make([]string, len(w))...)[:len(w)]
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("row %d:\n got %q\nwant %q", i+2, got, w)
		}
	}
}

// readSheet returns the cells of the workbook's audit sheet.
func readSheet(t *testing.T, b []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	storetest.MustDo(t, "open workbook", err)
	defer f.Close()
	rows, err := f.GetRows(audit.Sheet)
	storetest.MustDo(t, "read sheet", err)
	return rows
}

func TestExport(t *testing.T) {
	ctx := context.Background()
	for name, e := range engines(t) {
		t.Run(name, func(t *testing.T) {
			seed(t, e.db)
			// Rows 3 to 5 (16:02 to 16:04 Beijing time): the three member rows.
			f := store.AuditFilter{From: time.Date(2026, 3, 1, 8, 2, 0, 0, time.UTC), To: time.Date(2026, 3, 1, 8, 5, 0, 0, time.UTC)}
			var buf bytes.Buffer
			n, err := audit.Export(ctx, e.db, f, &buf)
			storetest.MustDo(t, "export", err)
			rows := readSheet(t, buf.Bytes())
			if n != 3 || len(rows) != 4 || rows[1][0] != "2026-03-01 16:04:00" || rows[3][0] != "2026-03-01 16:02:00" {
				t.Fatalf("exported %d: %q", n, rows)
			}
			for _, r := range rows[1:] {
				if r[1] != `'=HYPERLINK("x")` || r[4] != "党员" || !strings.Contains(r[8], "身份证号：110***********") ||
					strings.Contains(r[8], "13812345678") {
					t.Fatalf("row %q", r)
				}
			}
			// The export is itself recorded, and the chain still verifies.
			got, _, err := e.db.SearchAudit(ctx, store.AuditFilter{Action: store.ActExport, ObjectType: store.ObjAudit})
			storetest.MustDo(t, "search", err)
			if len(got) != 1 || !strings.Contains(got[0].Detail, `"rows":3`) {
				t.Fatalf("export audit rows: %+v", got)
			}
			if r, err := audit.Verify(ctx, e.db, nil); err != nil || !r.OK() {
				t.Fatalf("verify after export: %v %v", r, err)
			}
		})
	}
}

func TestExportPagesThroughEveryRow(t *testing.T) {
	if testing.Short() {
		t.Skip("writes more than a page of audit rows")
	}
	ctx := context.Background()
	for name, e := range engines(t) {
		t.Run(name, func(t *testing.T) {
			const rows = store.MaxAuditPage + 5
			for i := range rows {
				storetest.MustDo(t, "record", e.db.RecordExport(ctx, store.ObjMember, 0, map[string]int{"n": i}))
			}
			var buf bytes.Buffer
			n, err := audit.Export(ctx, e.db, store.AuditFilter{}, &buf)
			storetest.MustDo(t, "export", err)
			got := readSheet(t, buf.Bytes())
			if n != rows || len(got) != rows+1 || got[1][8] != fmt.Sprintf("n：%d", rows-1) || got[rows][8] != "n：0" {
				t.Fatalf("exported %d rows, sheet has %d; first %q last %q", n, len(got)-1, got[1], got[len(got)-1])
			}
		})
	}
}
