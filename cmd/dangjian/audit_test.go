package main

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// rawDB opens the database of a command-line environment directly, bypassing the program.
func rawDB(t *testing.T, getenv func(string) string) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", "file:"+filepath.Join(getenv("DANGJIAN_DATA"), "dangjian.db")+"?_pragma=busy_timeout(10000)"
	if u := getenv("DANGJIAN_DB"); u != "" {
		driver, dsn = "pgx", u
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestAuditFromTheCommandLine(t *testing.T) {
	for name, env := range engineEnvs(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			orgs := filepath.Join(dir, "组织.xlsx")
			writeSheet(t, orgs, [][]any{
				{"组织名称", "组织类别", "上级组织", "组织编码", "成立日期"},
				{"中共测试局党组", "党组", "", "CS", "2001-01-01"},
				{"机关党支部", "党支部", "CS", "CS-JG", "2001-03-01"},
			})
			if out, err := runCmd(t, env, "import", "orgs", orgs); err != nil {
				t.Fatalf("import: %v\n%s", err, out)
			}
			// Three rows: two organizations and the import.
			out, err := runCmd(t, env, "audit", "verify")
			if err != nil || !strings.Contains(out, "审计记录完整：共3条，哈希链校验通过。") || !strings.Contains(out, "最后一条：第3条") {
				t.Fatalf("verify: %v\n%s", err, out)
			}

			file := filepath.Join(dir, "审计.xlsx")
			out, err = runCmd(t, env, "audit", "export", "--from", "2000-01-01", "--to", "2099-12-31", "-o", file)
			if err != nil || !strings.Contains(out, "已导出3条审计记录") {
				t.Fatalf("export: %v\n%s", err, out)
			}
			f, err := excelize.OpenFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows("审计记录")
			f.Close()
			if len(rows) != 4 || rows[1][3] != "导入" || !strings.HasPrefix(rows[1][1], "cli") {
				t.Fatalf("exported sheet: %q", rows)
			}
			if _, err := runCmd(t, env, "audit", "export", "--from", "2026-02-30", "-o", file); err == nil ||
				!strings.Contains(userMessage(err), "--from") {
				t.Fatalf("bad date: %v", err)
			}

			_, err = runCmd(t, env, "audit", "purge", "--before", "2099-01-01")
			if err == nil || !strings.Contains(userMessage(err), "184天") {
				t.Fatalf("purge of young rows: %v", err)
			}

			// The printed --expect line finds rows later cut off the end; a malformed one is
			// refused with an example.
			if out, err = runCmd(t, env, "audit", "verify"); err != nil {
				t.Fatalf("verify: %v\n%s", err, out)
			}
			expect := ""
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "--expect ") {
					expect = strings.TrimPrefix(line, "--expect ")
				}
			}
			if !strings.HasPrefix(expect, "4:") {
				t.Fatalf("verify printed no --expect line:\n%s", out)
			}
			if _, err := runCmd(t, env, "audit", "verify", "--expect", "3"); err == nil || !strings.Contains(userMessage(err), "编号:哈希值") {
				t.Fatalf("malformed --expect: %v", err)
			}
			if _, err := rawDB(t, env).ExecContext(context.Background(), `DELETE FROM audit_log WHERE id = 4`); err != nil {
				t.Fatal(err)
			}
			if out, err := runCmd(t, env, "audit", "verify"); err != nil {
				t.Fatalf("without --expect a cut end goes unseen: %v\n%s", err, out)
			}
			out, err = runCmd(t, env, "audit", "verify", "--expect", expect)
			if err == nil || !strings.Contains(userMessage(err), "第4条审计记录被删除") {
				t.Fatalf("verify --expect after the last row was deleted: %v\n%s", err, out)
			}

			// Someone edits row 2 in the database: verify names it and fails.
			if _, err := rawDB(t, env).ExecContext(context.Background(), `UPDATE audit_log SET username = 'nobody' WHERE id = 2`); err != nil {
				t.Fatal(err)
			}
			out, err = runCmd(t, env, "audit", "verify")
			if err == nil || errors.Is(err, errUsage) || !strings.Contains(userMessage(err), "第2条审计记录") {
				t.Fatalf("verify after tampering: %v\n%s", err, out)
			}
		})
	}
}

func TestAuditHelp(t *testing.T) {
	env := func(string) string { return "" }
	for _, args := range [][]string{{"audit", "--help"}, {"audit", "verify", "--help"}, {"audit", "export", "--help"},
		{"audit", "purge", "--help"}} {
		out, err := runCmd(t, env, args...)
		if err != nil || !strings.Contains(out, "Usage") {
			t.Errorf("%v: %v %q", args, err, out)
		}
	}
	if _, err := runCmd(t, env, "audit", "erase"); !errors.Is(err, errUsage) {
		t.Fatalf("unknown audit command: %v", err)
	}
}
