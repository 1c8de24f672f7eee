package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dangjian/internal/audit"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

const auditHelp = `Usage:
  dangjian audit verify [--expect ID:HASH] [--data DIR] [--db URL]
  dangjian audit export --from 2026-01-01 --to 2026-12-31 -o FILE.xlsx [--user NAME] [--action ACTION] [--data DIR] [--db URL]
  dangjian audit purge --before 2025-06-30 [--data DIR] [--db URL]`

func (e *env) audit(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "export" && args[0] != "purge") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(e.stdout, auditHelp)
			return nil
		}
		fmt.Fprintln(e.stderr, auditHelp)
		return errUsage
	}
	switch args[0] {
	case "verify":
		return e.auditVerify(ctx, args[1:])
	case "export":
		return e.auditExport(ctx, args[1:])
	}
	return e.auditPurge(ctx, args[1:])
}

// auditVerify checks the hash chain and fails when it does not verify.
func (e *env) auditVerify(ctx context.Context, args []string) error {
	fs := e.newFlagSet("audit verify", "audit verify [--expect ID:HASH] [--data DIR] [--db URL]")
	var dbf dbFlags
	dbf.register(fs, e.getenv)
	expectText := fs.String("expect", "", "the last row an earlier verify printed, as ID:HASH: rows removed from the end since are reported too")
	if _, err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	var expect *store.AuditAnchor
	if *expectText != "" {
		var err error
		if expect, err = store.ParseAuditAnchor(*expectText); err != nil {
			return err
		}
	}
	db, err := dbf.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := audit.Verify(ctx, db, expect)
	if err != nil {
		return err
	}
	if !r.OK() {
		return userErrorf("%s", r.Message)
	}
	fmt.Fprintln(e.stdout, r.Message)
	if r.LastID > 0 {
		// Noted outside the database and passed to the next check, this lets it notice rows cut
		// off the end, which nothing inside the database can.
		fmt.Fprintf(e.stdout, "最后一条：第%d条，哈希 %s\n", r.LastID, r.LastHash)
		fmt.Fprintf(e.stdout, "请将下一行记在数据库以外（如运维日志），下次核验时加上，以发现末尾被删除的记录：\n--expect %d:%s\n", r.LastID, r.LastHash)
	}
	return nil
}

// auditExport writes the trail of a date range to an xlsx file.
func (e *env) auditExport(ctx context.Context, args []string) error {
	fs := e.newFlagSet("audit export", "audit export --from DATE --to DATE -o FILE.xlsx [--user NAME] [--action ACTION] [--data DIR] [--db URL]")
	var dbf dbFlags
	dbf.register(fs, e.getenv)
	from := fs.String("from", "", "first day to export, e.g. 2026-01-01 (Beijing time)")
	to := fs.String("to", "", "last day to export, included, e.g. 2026-12-31")
	user := fs.String("user", "", "only rows of this username")
	action := fs.String("action", "", "only rows of this action (create, update, export, ...)")
	out := fs.String("o", "", "output .xlsx file")
	if _, err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if *out == "" {
		fs.Usage()
		return userErrorf("请用 -o 指定输出文件")
	}
	if !strings.HasSuffix(strings.ToLower(*out), ".xlsx") {
		return userErrorf("输出文件应以 .xlsx 结尾")
	}
	f := store.AuditFilter{Username: *user, Action: *action}
	var err error
	if *from != "" {
		if f.From, err = dayStart(*from, "--from"); err != nil {
			return err
		}
	}
	if *to != "" {
		if f.To, err = dayStart(*to, "--to"); err != nil {
			return err
		}
		f.To = f.To.AddDate(0, 0, 1) // the last day is included
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return userErrorf("--from 不能晚于 --to")
	}
	db, err := dbf.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = party.WithActor(ctx, party.Actor{Username: cliUser(e), Source: "cli"})
	tmp := *out + ".tmp"
	file, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return userErrorf("无法写入 %s", filepath.Base(*out))
	}
	n, werr := audit.Export(ctx, db, f, file)
	if cerr := file.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(tmp)
		return werr
	}
	if err := os.Rename(tmp, *out); err != nil {
		os.Remove(tmp)
		return userErrorf("无法写入 %s", filepath.Base(*out))
	}
	fmt.Fprintf(e.stdout, "已导出%d条审计记录到 %s\n", n, *out)
	return nil
}

// auditPurge deletes the rows older than a day at least the retention period ago.
func (e *env) auditPurge(ctx context.Context, args []string) error {
	fs := e.newFlagSet("audit purge", "audit purge --before DATE [--data DIR] [--db URL]")
	var dbf dbFlags
	dbf.register(fs, e.getenv)
	before := fs.String("before", "", fmt.Sprintf("delete the rows before this day (Beijing time); at least %d days ago", store.AuditRetentionDays))
	if _, err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if *before == "" {
		fs.Usage()
		return userErrorf("请用 --before 指定清理哪一天以前的审计记录")
	}
	cut, err := dayStart(*before, "--before")
	if err != nil {
		return err
	}
	db, err := dbf.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = party.WithActor(ctx, party.Actor{Username: cliUser(e), Source: "cli"})
	n, err := db.PurgeAudit(ctx, cut)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已清理%d条%s以前的审计记录，哈希链起点已随之更新。\n", n, party.DateOf(cut).Chinese())
	return nil
}

// dayStart returns the start of a day given as text, in the display zone.
func dayStart(s, flag string) (time.Time, error) {
	d, err := party.ParseDate(s)
	if err != nil || d.IsZero() {
		return time.Time{}, userErrorf("%s 的日期“%s”无效，应写作 2026-01-01", flag, s)
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, party.Zone), nil
}
