package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"dangjian/internal/compliance"
	"dangjian/internal/office"
	"dangjian/internal/party"
	"dangjian/internal/store"
)

// complianceJSON is the JSON form of a compliance report, the same figures the API returns.
type complianceJSON struct {
	OrgCode  string           `json:"org_code"`
	OrgName  string           `json:"org_name"`
	Period   string           `json:"period"`
	From     string           `json:"from"`
	To       string           `json:"to"`
	Today    string           `json:"today"`
	Required int              `json:"required"`
	Held     int              `json:"held"`
	Missing  int              `json:"missing"`
	Pending  int              `json:"pending"`
	Rows     []compliance.Row `json:"rows"`
}

func (e *env) compliance(ctx context.Context, args []string) error {
	fs := e.newFlagSet("compliance", "compliance --org CODE [--period 2026H1] [--format table|json|xlsx] [-o FILE] [--missing] [--data DIR] [--db URL]")
	var dbf dbFlags
	dbf.register(fs, e.getenv)
	orgCode := fs.String("org", "", "code of the organization whose subtree is judged")
	periodText := fs.String("period", "", "period: 2026-03, 2026Q1, 2026H1 or 2026 (default: the current half-year)")
	format := fs.String("format", "table", "output format: table, json or xlsx")
	out := fs.String("o", "", "output file (required for xlsx; standard output otherwise)")
	onlyMissing := fs.Bool("missing", false, "table and json: only the rows with something missing")
	if _, err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if *orgCode == "" {
		fs.Usage()
		return userErrorf("请用 --org 指定组织编码")
	}
	if *format != "table" && *format != "json" && *format != "xlsx" {
		return userErrorf("--format 只能是 table、json 或 xlsx")
	}
	if *format == "xlsx" && (*out == "" || !strings.HasSuffix(strings.ToLower(*out), ".xlsx")) {
		return userErrorf("导出 Excel 请用 -o 指定以 .xlsx 结尾的输出文件")
	}
	db, err := dbf.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = party.WithActor(ctx, party.Actor{Username: cliUser(e), Source: "cli"})
	root, err := db.FindOrgByCode(ctx, *orgCode)
	if err != nil {
		return err
	}
	today := party.Today(db.Now())
	period := party.PeriodOf(party.HalfYear, today)
	if *periodText != "" {
		if period, err = party.ParsePeriod(*periodText); err != nil {
			return err
		}
	}
	r, err := compliance.ForPeriod(ctx, db, root.ID, period, today)
	if err != nil {
		return err
	}
	if *format == "xlsx" {
		return e.writeComplianceXLSX(ctx, db, r, *out)
	}
	rows := r.PrintableRows()
	if *onlyMissing {
		kept := rows[:0]
		for _, x := range rows {
			if x.Missing > 0 {
				kept = append(kept, x)
			}
		}
		rows = kept
	}
	w := e.stdout
	var f *os.File
	if *out != "" {
		if f, err = os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); err != nil {
			return userErrorf("无法写入 %s", filepath.Base(*out))
		}
		defer f.Close()
		w = f
	}
	if *format == "json" {
		required, held, missing, pending := r.Totals()
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(complianceJSON{OrgCode: root.Code, OrgName: root.Name, Period: period.String(),
			From: r.Span.From.String(), To: r.Span.Last().String(), Today: today.String(), Required: required, Held: held,
			Missing: missing, Pending: pending, Rows: rows})
	} else {
		err = writeComplianceTable(w, r, rows)
	}
	if err != nil {
		return fmt.Errorf("compliance: write: %w", err)
	}
	if f != nil {
		return f.Close()
	}
	return nil
}

// writeComplianceXLSX writes the printable matrix to path through a temporary file and records
// the export in the audit trail.
func (e *env) writeComplianceXLSX(ctx context.Context, db *store.DB, r *compliance.Report, path string) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return userErrorf("无法写入 %s", filepath.Base(path))
	}
	werr := office.WriteCompliance(f, r)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(tmp)
		return werr
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return userErrorf("无法写入 %s", filepath.Base(path))
	}
	if err := db.RecordExport(ctx, store.ObjCompliance, r.Root.ID, map[string]any{"period": r.Label(), "rows": len(r.Rows)}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已导出%s的组织生活落实情况到 %s\n", r.Label(), path)
	return nil
}

// writeComplianceTable prints rows as a table with aligned columns, Chinese characters
// counting two columns as terminals show them.
func writeComplianceTable(w io.Writer, r *compliance.Report, rows []compliance.Row) error {
	required, held, missing, pending := r.Totals()
	fmt.Fprintf(w, "%s %s 组织生活落实情况（统计日期：%s）\n\n", r.Root.Name, r.Label(), r.Today.Chinese())
	table := [][]string{{"组织编码", "组织名称", "活动类型", "要求", "应开", "已开", "缺", "待开", "缺的期间"}}
	for _, x := range rows {
		table = append(table, []string{x.OrgCode, x.OrgName, x.EventType, x.Rule, strconv.Itoa(x.Required),
			strconv.Itoa(x.Held), dash(x.Missing), dash(x.Pending), strings.Join(x.MissingPeriods, " ")})
	}
	widths := make([]int, len(table[0]))
	for _, row := range table {
		for i, c := range row {
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	numeric := map[int]bool{4: true, 5: true, 6: true, 7: true}
	for _, row := range table {
		var b strings.Builder
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-displayWidth(c))
			if numeric[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
			if i < len(row)-1 {
				b.WriteString("  ")
			}
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "\n本表%d行。%s全部组织合计：应开%d次，已开%d次，缺%d次，待开%d次。\n", len(rows), r.Label(),
		required, held, missing, pending)
	return err
}

// dash prints 0 as -, so the gaps stand out.
func dash(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

// displayWidth returns the columns s takes in a terminal: two for wide and full-width
// characters, one for others.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
